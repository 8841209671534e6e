package io.seabed.namespace.schema;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key encodings of the metadata schema (DESIGN §3.2): one table byte, fixed-width big-endian ids,
 * then UTF-8 names closed by a 0x00 terminator, so byte order equals S3's key order.
 */
public final class Keys {
    private Keys() {}

    /** Id allocators (blind counters). */
    public static final byte ALLOCATOR = 0x01;
    /** Tenant name → tenant record. */
    public static final byte TENANT = 0x02;
    /** Access key → user record. */
    public static final byte ACCESS_KEY = 0x03;
    /** Bucket name → bucket id. */
    public static final byte BUCKET_NAME = 0x04;
    /** Bucket id → bucket record. */
    public static final byte BUCKET = 0x05;
    /** Bucket id, counter → usage (blind add). */
    public static final byte BUCKET_USAGE = 0x06;
    /** Flat bucket: bucket id, key, 00 → object head. */
    public static final byte OBJECT_HEAD = 0x10;
    /** Bucket id, upload id [, part number] → upload or part record. */
    public static final byte UPLOAD = 0x40;
    /** Shard, due time, uid → garbage record (also the intent of an in-flight write). */
    public static final byte GARBAGE = 0x50;
    /** Inline bodies: keyed like their head after this table byte (own column family). */
    public static final byte BODY = 0x60;

    /** Flat bucket read over NFS: bucket id, inode id → the path the id stands for (see FlatFs). */
    public static final byte FLAT_INODE = 0x13;

    public static final byte[] ALLOCATOR_BUCKET_ID = {ALLOCATOR, 'b'};
    public static final byte[] ALLOCATOR_TENANT_ID = {ALLOCATOR, 't'};
    /** The cluster's key of NFS file handles' MACs (32 random bytes, made by the first gateway). */
    public static final byte[] NFS_HANDLE_KEY = {ALLOCATOR, 'k', 'n'};

    public static final int USAGE_OBJECTS = 0;
    public static final int USAGE_BYTES = 1;

    public static byte[] tenant(String name) {
        return named(TENANT, name);
    }

    public static byte[] tenantTable() {
        return new byte[] {TENANT};
    }

    public static byte[] accessKey(String accessKey) {
        return named(ACCESS_KEY, accessKey);
    }

    public static byte[] bucketName(String name) {
        return named(BUCKET_NAME, name);
    }

    public static byte[] bucket(long bucketId) {
        return ByteBuffer.allocate(9).put(BUCKET).putLong(bucketId).array();
    }

    public static byte[] bucketUsage(long bucketId, int counter) {
        return ByteBuffer.allocate(13)
                .put(BUCKET_USAGE)
                .putLong(bucketId)
                .putInt(counter)
                .array();
    }

    public static byte[] flatInode(long bucketId, long ino) {
        return ByteBuffer.allocate(17)
                .put(FLAT_INODE)
                .putLong(bucketId)
                .putLong(ino)
                .array();
    }

    /** The head key of {@code key} in {@code bucketId}. */
    public static byte[] objectHead(long bucketId, String key) {
        byte[] name = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + name.length + 1)
                .put(OBJECT_HEAD)
                .putLong(bucketId)
                .put(name)
                .put((byte) 0)
                .array();
    }

    /** First head key whose name starts with {@code prefix} (inclusive). */
    public static byte[] objectHeadPrefix(long bucketId, String prefix) {
        byte[] name = prefix.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + name.length)
                .put(OBJECT_HEAD)
                .putLong(bucketId)
                .put(name)
                .array();
    }

    /** The object key of a head key. */
    public static String objectName(byte[] headKey) {
        return new String(headKey, 9, headKey.length - 10, StandardCharsets.UTF_8);
    }

    /** The inline-body key of a head key. */
    public static byte[] body(byte[] headKey) {
        byte[] k = headKey.clone();
        k[0] = BODY;
        return k;
    }

    public static byte[] upload(long bucketId, byte[] uploadId) {
        return ByteBuffer.allocate(9 + uploadId.length)
                .put(UPLOAD)
                .putLong(bucketId)
                .put(uploadId)
                .array();
    }

    public static byte[] part(long bucketId, byte[] uploadId, int partNumber) {
        return ByteBuffer.allocate(13 + uploadId.length)
                .put(UPLOAD)
                .putLong(bucketId)
                .put(uploadId)
                .putInt(partNumber)
                .array();
    }

    public static byte[] garbage(long dueMillis, long uidHigh, long uidLow) {
        return ByteBuffer.allocate(1 + 1 + 8 + 16)
                .put(GARBAGE)
                .put((byte) 0)
                .putLong(dueMillis)
                .putLong(uidHigh)
                .putLong(uidLow)
                .array();
    }

    public static byte[] garbageFrom() {
        return new byte[] {GARBAGE, 0};
    }

    /** First garbage key due after {@code dueMillis}. */
    public static byte[] garbageUntil(long dueMillis) {
        return ByteBuffer.allocate(10)
                .put(GARBAGE)
                .put((byte) 0)
                .putLong(dueMillis + 1)
                .array();
    }

    /** All keys of table {@code table} with id {@code id}: [from, to). */
    public static byte[] idRangeStart(byte table, long id) {
        return ByteBuffer.allocate(9).put(table).putLong(id).array();
    }

    public static byte[] idRangeEnd(byte table, long id) {
        return successor(idRangeStart(table, id));
    }

    /** The smallest key greater than every key starting with {@code prefix}. */
    public static byte[] successor(byte[] prefix) {
        byte[] out = prefix.clone();
        for (int i = out.length - 1; i >= 0; i--) {
            if (out[i] != (byte) 0xFF) {
                out[i]++;
                return java.util.Arrays.copyOf(out, i + 1);
            }
        }
        throw new IllegalArgumentException("no successor of an all-0xFF prefix");
    }

    public static byte[] tableEnd(byte table) {
        return new byte[] {(byte) (table + 1)};
    }

    private static byte[] named(byte table, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[1 + n.length + 1];
        k[0] = table;
        System.arraycopy(n, 0, k, 1, n.length);
        return k;
    }

    public static byte[] longValue(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    public static long longOf(byte[] v) {
        return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }
}
