package io.seabed.namespace.object;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.metakv.Txn;
import io.seabed.namespace.Acl;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.User;
import io.seabed.namespace.schema.BucketRecord;
import io.seabed.namespace.schema.GarbageRecord;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.PartRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Bucket create, lookup, list and delete. Thread safe. */
public final class Buckets {
    /** Key 0x08: tenant id, bucket name → bucket id, so a tenant's buckets list without a full scan. */
    static final byte TENANT_BUCKET = 0x08;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
    /** Uploads aborted by one DeleteBucket transaction at most. */
    static final int DELETE_UPLOADS_MAX = 10_000;

    private final MetaKv kv;
    private final NamespaceConfig config;
    private final InstantSource clock;

    public Buckets(MetaKv kv, NamespaceConfig config, InstantSource clock) {
        this.kv = kv;
        this.config = config;
        this.clock = clock;
    }

    public static void checkName(String name) {
        boolean ok = name != null
                && NAME.matcher(name).matches()
                && !name.contains("..")
                && !name.contains(".-")
                && !name.contains("-.")
                && !IP.matcher(name).matches()
                && !name.startsWith("xn--")
                && !name.startsWith("sthree-")
                && !name.endsWith("-s3alias")
                && !name.endsWith("--ol-s3");
        if (!ok) throw new NamespaceException(Reason.INVALID_BUCKET_NAME, "invalid bucket name");
    }

    /** @param acl the bucket's ACL (owned by {@code owner}), or null for the owner's alone */
    public Bucket create(User owner, String name, Acl acl) {
        return create(owner, name, acl, Bucket.Mode.FLAT);
    }

    /** As above, in {@code mode}: a hierarchical bucket is created with its root directory. */
    public Bucket create(User owner, String name, Acl acl, Bucket.Mode mode) {
        checkName(name);
        if (acl != null && !acl.ownerId().equals(owner.userId()))
            throw new IllegalArgumentException("acl owner " + acl.ownerId() + " is not " + owner.userId());
        long id = kv.add(Keys.ALLOCATOR_BUCKET_ID, 1);
        BucketRecord record = new BucketRecord(
                id,
                name,
                owner.tenantId(),
                owner.userId(),
                clock.millis(),
                acl != null ? acl : Acl.ownerOnly(owner.userId(), owner.displayName()),
                Map.of(),
                mode == Bucket.Mode.HIERARCHICAL);
        byte[] tenantIndexFrom = tenantIndex(owner.tenantId(), "");
        byte[] tenantIndexTo = Keys.successor(tenantIndexFrom);
        return kv.transact(txn -> {
            byte[] existing = txn.get(Keys.bucketName(name));
            if (existing != null) {
                BucketRecord other = BucketRecord.decode(txn.get(Keys.bucket(Keys.longOf(existing))));
                throw other.ownerUserId().equals(owner.userId())
                        ? new NamespaceException(Reason.BUCKET_OWNED_BY_YOU, "bucket " + name + " is yours")
                        : new NamespaceException(Reason.BUCKET_EXISTS, "bucket " + name + " exists");
            }
            int owned = txn.scan(tenantIndexFrom, tenantIndexTo, config.bucketsPerTenantMax(), false)
                    .size();
            if (owned >= config.bucketsPerTenantMax())
                throw new NamespaceException(Reason.TOO_MANY_BUCKETS, "tenant has " + owned + " buckets, the maximum");
            txn.put(Keys.bucketName(name), Keys.longValue(id));
            txn.put(Keys.bucket(id), record.encode());
            txn.put(tenantIndex(owner.tenantId(), name), Keys.longValue(id));
            if (record.hierarchical())
                io.seabed.namespace.fs.HierarchicalFs.createRoot(txn, id, 0, 0, record.createdMillis() * 1_000_000);
            return toBucket(record);
        });
    }

    /** The bucket named {@code name}; NO_SUCH_BUCKET if there is none. */
    public Bucket get(String name) {
        byte[] id = kv.get(Keys.bucketName(name));
        byte[] v = id == null ? null : kv.get(Keys.bucket(Keys.longOf(id)));
        if (v == null) throw new NamespaceException(Reason.NO_SUCH_BUCKET, "no bucket " + name);
        return toBucket(BucketRecord.decode(v));
    }

    /** The bucket with id {@code id}, or null when there is none (any more). */
    public Bucket byId(long id) {
        byte[] v = kv.get(Keys.bucket(id));
        return v == null ? null : toBucket(BucketRecord.decode(v));
    }

    /** Up to {@code max} buckets of every tenant, in id order. */
    public List<Bucket> all(int max) {
        byte[] from = {Keys.BUCKET};
        List<Bucket> out = new ArrayList<>();
        for (KeyValue e : kv.scan(from, Keys.successor(from), max, false))
            out.add(toBucket(BucketRecord.decode(e.value())));
        return out;
    }

    /** Replaces the bucket's ACL (its owner stays). */
    public Bucket setAcl(Bucket bucket, Acl acl) {
        return kv.transact(txn -> {
            byte[] v = txn.get(Keys.bucket(bucket.id()));
            if (v == null) throw new NamespaceException(Reason.NO_SUCH_BUCKET, "no bucket " + bucket.name());
            BucketRecord updated = BucketRecord.decode(v).withAcl(acl);
            txn.put(Keys.bucket(bucket.id()), updated.encode());
            return toBucket(updated);
        });
    }

    /** Replaces the bucket's tags (empty: none). */
    public Bucket setTags(Bucket bucket, Map<String, String> tags) {
        return kv.transact(txn -> {
            byte[] v = txn.get(Keys.bucket(bucket.id()));
            if (v == null) throw new NamespaceException(Reason.NO_SUCH_BUCKET, "no bucket " + bucket.name());
            BucketRecord updated = BucketRecord.decode(v).withTags(tags);
            txn.put(Keys.bucket(bucket.id()), updated.encode());
            return toBucket(updated);
        });
    }

    /** Inside a write: the bucket must still exist (a concurrent delete then conflicts). */
    static void requireLive(Txn txn, Bucket bucket) {
        if (txn.get(Keys.bucket(bucket.id())) == null)
            throw new NamespaceException(Reason.NO_SUCH_BUCKET, "no bucket " + bucket.name());
    }

    /** The buckets {@code owner} owns (scanning its tenant's bucket index), in name order. */
    public List<Bucket> list(User owner) {
        byte[] from = tenantIndex(owner.tenantId(), "");
        List<KeyValue> index = kv.scan(from, Keys.successor(from), config.bucketsPerTenantMax(), false);
        List<byte[]> keys = new ArrayList<>(index.size());
        for (KeyValue e : index) keys.add(Keys.bucket(Keys.longOf(e.value())));
        List<Bucket> out = new ArrayList<>(keys.size());
        for (byte[] v : kv.multiGet(keys)) {
            if (v == null) continue;
            Bucket b = toBucket(BucketRecord.decode(v));
            if (b.ownerUserId().equals(owner.userId())) out.add(b);
        }
        return out;
    }

    /** Deletes an empty bucket; its unfinished uploads are aborted with it. */
    public void delete(Bucket bucket) {
        long now = clock.millis();
        kv.transact(txn -> {
            requireLive(txn, bucket);
            byte[] headFrom = Keys.idRangeStart(Keys.OBJECT_HEAD, bucket.id());
            if (!txn.scan(headFrom, Keys.successor(headFrom), 1, false).isEmpty())
                throw new NamespaceException(Reason.BUCKET_NOT_EMPTY, "bucket " + bucket.name() + " is not empty");
            if (bucket.hierarchical()) {
                if (!io.seabed.namespace.fs.HierarchicalFs.isEmpty(txn, bucket.id()))
                    throw new NamespaceException(
                            Reason.BUCKET_NOT_EMPTY, "bucket " + bucket.name() + " has files or directories");
                io.seabed.namespace.fs.HierarchicalFs.deleteRoot(txn, bucket.id());
            }
            byte[] uploadFrom = Keys.idRangeStart(Keys.UPLOAD, bucket.id());
            byte[] uploadTo = Keys.successor(uploadFrom);
            List<KeyValue> uploads = txn.scan(uploadFrom, uploadTo, DELETE_UPLOADS_MAX, false);
            if (uploads.size() == DELETE_UPLOADS_MAX)
                throw new NamespaceException(
                        Reason.BUSY, "more than " + DELETE_UPLOADS_MAX + " upload records; abort uploads first");
            for (KeyValue e : uploads) {
                if (e.key().length == uploadFrom.length + Multipart.UPLOAD_ID_BYTES + 4) {
                    PartRecord part = PartRecord.decode(e.value());
                    Uid uid = Uid.next();
                    txn.put(
                            Keys.garbage(now, uid.high(), uid.low()),
                            new GarbageRecord(false, uid.high(), uid.low(), 0, part.chunks()).encode());
                }
            }
            txn.deleteRange(uploadFrom, uploadTo);
            byte[][] recorded = FlatFs.recordedRange(bucket.id());
            txn.deleteRange(recorded[0], recorded[1]);
            txn.delete(Keys.bucket(bucket.id()));
            txn.delete(Keys.bucketName(bucket.name()));
            txn.delete(tenantIndex(bucket.ownerTenantId(), bucket.name()));
            txn.delete(Keys.bucketUsage(bucket.id(), Keys.USAGE_OBJECTS));
            txn.delete(Keys.bucketUsage(bucket.id(), Keys.USAGE_BYTES));
            return null;
        });
    }

    /** The key range of {@code tenantId}'s bucket index: [0], [1]. */
    public static byte[][] tenantIndexRange(long tenantId) {
        byte[] from = tenantIndex(tenantId, "");
        return new byte[][] {from, Keys.successor(from)};
    }

    private static byte[] tenantIndex(long tenantId, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(9 + n.length)
                .put(TENANT_BUCKET)
                .putLong(tenantId)
                .put(n)
                .array();
    }

    static Bucket toBucket(BucketRecord r) {
        return new Bucket(
                r.id(),
                r.name(),
                r.ownerTenantId(),
                r.ownerUserId(),
                r.createdMillis(),
                r.acl(),
                r.tags(),
                r.hierarchical());
    }
}
