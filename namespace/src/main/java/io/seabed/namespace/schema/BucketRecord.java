package io.seabed.namespace.schema;

import io.seabed.namespace.Acl;
import java.util.Map;

/**
 * A bucket (table 0x05); {@code tags} in order (empty when none); {@code hierarchical}: a bucket of directories
 * and inodes (DESIGN §3.2), fixed at creation.
 */
public record BucketRecord(
        long id,
        String name,
        long ownerTenantId,
        String ownerUserId,
        long createdMillis,
        Acl acl,
        Map<String, String> tags,
        boolean hierarchical) {
    /** Format 1 had no ACL (the owner's alone); it is still read. */
    private static final int FORMAT_1 = 1;

    /** Format 2 had no tags; it is still read. */
    private static final int FORMAT_2 = 2;

    /** Format 3 had no mode (every bucket was flat); it is still read. */
    private static final int FORMAT_3 = 3;

    private static final int FORMAT = 4;

    public BucketRecord(long id, String name, long ownerTenantId, String ownerUserId, long createdMillis, Acl acl) {
        this(id, name, ownerTenantId, ownerUserId, createdMillis, acl, Map.of(), false);
    }

    public BucketRecord {
        tags = tags == null ? Map.of() : tags;
        if (!acl.ownerId().equals(ownerUserId))
            throw new IllegalArgumentException("acl owner " + acl.ownerId() + " != bucket owner " + ownerUserId);
    }

    public byte[] encode() {
        ValueWriter w = new ValueWriter(64)
                .u8(FORMAT)
                .fixedLong(id)
                .string(name)
                .fixedLong(ownerTenantId)
                .string(ownerUserId)
                .varLong(createdMillis);
        AclCodec.write(w, acl);
        w.stringMap(tags);
        w.u8(hierarchical ? 1 : 0);
        return w.toByteArray();
    }

    public static BucketRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_3 && format != FORMAT_2 && format != FORMAT_1)
            throw new IllegalStateException("bucket format=" + format);
        long id = r.fixedLong();
        String name = r.string();
        long tenant = r.fixedLong();
        String owner = r.string();
        long created = r.varLong();
        Acl acl = format >= FORMAT_2 ? AclCodec.read(r) : Acl.ownerOnly(owner, null);
        Map<String, String> tags = format >= FORMAT_3 ? r.stringMap() : Map.of();
        boolean hierarchical = format >= FORMAT && r.u8() == 1;
        return new BucketRecord(id, name, tenant, owner, created, acl, tags, hierarchical);
    }

    public BucketRecord withAcl(Acl newAcl) {
        return new BucketRecord(id, name, ownerTenantId, ownerUserId, createdMillis, newAcl, tags, hierarchical);
    }

    public BucketRecord withTags(Map<String, String> newTags) {
        return new BucketRecord(id, name, ownerTenantId, ownerUserId, createdMillis, acl, newTags, hierarchical);
    }
}
