package io.seabed.namespace.schema;

import io.seabed.namespace.Acl;

/** A bucket (table 0x05). */
public record BucketRecord(long id, String name, long ownerTenantId, String ownerUserId, long createdMillis, Acl acl) {
    /** Format 1 had no ACL (the owner's alone); it is still read. */
    private static final int FORMAT_1 = 1;

    private static final int FORMAT = 2;

    public BucketRecord {
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
        return w.toByteArray();
    }

    public static BucketRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_1) throw new IllegalStateException("bucket format=" + format);
        long id = r.fixedLong();
        String name = r.string();
        long tenant = r.fixedLong();
        String owner = r.string();
        long created = r.varLong();
        Acl acl = format == FORMAT ? AclCodec.read(r) : Acl.ownerOnly(owner, null);
        return new BucketRecord(id, name, tenant, owner, created, acl);
    }

    public BucketRecord withAcl(Acl newAcl) {
        return new BucketRecord(id, name, ownerTenantId, ownerUserId, createdMillis, newAcl);
    }
}
