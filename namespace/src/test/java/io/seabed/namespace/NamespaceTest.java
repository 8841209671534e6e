package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.namespace.NamespaceException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NamespaceTest extends NamespaceTestBase {
    @Test
    void objectsOfEverySizeRoundTrip() {
        Bucket b = f.ns.createBucket(f.user, "sizes");
        for (int size : new int[] {0, 1, 4096, 4097, 65_536, 65_537, 300_001}) {
            byte[] data = bytes(size, size);
            f.ns.putObject(b, "k" + size, size, ObjectMetadata.EMPTY, NamespaceFixture.body(data));
            assertArrayEquals(data, f.read(b, "k" + size), "size " + size);
        }
    }

    /** Ranges of a many-chunk object (64 KiB chunks, 256 KiB read-ahead pieces) cross chunk and piece bounds. */
    @Test
    void rangesOfAManyChunkObjectReadAcrossChunkBoundaries() {
        Bucket b = f.ns.createBucket(f.user, "ranges");
        int size = 1_300_007;
        byte[] data = bytes(9, size);
        f.ns.putObject(b, "big", size, ObjectMetadata.EMPTY, NamespaceFixture.body(data));
        var o = f.ns.openObject(b, "big", true);
        Random random = new Random(42);
        List<long[]> ranges = new ArrayList<>(List.of(
                new long[] {0, size}, new long[] {65_535, 2}, new long[] {65_536, 262_144}, new long[] {size - 1, 1}));
        for (int i = 0; i < 40; i++) {
            long offset = random.nextInt(size);
            ranges.add(new long[] {offset, random.nextInt((int) (size - offset)) + 1});
        }
        for (long[] r : ranges) {
            ByteBuffer out = ByteBuffer.allocate((int) r[1]);
            f.ns.readObject(o, r[0], r[1], out::put);
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(data, (int) r[0], (int) (r[0] + r[1])),
                    out.array(),
                    r[0] + "+" + r[1]);
        }
    }

    /** Bodies of unknown length (64 KiB chunks here): inline, at chunk boundaries, past the first intent's 16 chunks. */
    @Test
    void bodiesOfUnknownLengthRoundTrip() {
        Bucket b = f.ns.createBucket(f.user, "to-end");
        for (int size : new int[] {0, 1, 4096, 4097, 65_536, 131_072, 131_073, 17 * 65_536 + 5}) {
            byte[] data = bytes(size + 1, size);
            ObjectInfo info = f.ns.putObjectToEnd(
                    b, "k" + size, 1L << 30, ObjectMetadata.EMPTY, NamespaceFixture.body(data), WriteCondition.NONE);
            assertEquals(size, info.sizeBytes());
            assertEquals(java.util.HexFormat.of().formatHex(md5(data)), info.etag(), "size " + size);
            assertArrayEquals(data, f.read(b, "k" + size), "size " + size);
        }
        // Over the limit: refused, nothing stored, and the chunks written so far go (no intent is left due).
        NamespaceException e = assertThrows(
                NamespaceException.class,
                () -> f.ns.putObjectToEnd(
                        b,
                        "big",
                        200_000,
                        ObjectMetadata.EMPTY,
                        NamespaceFixture.body(bytes(9, 300_000)),
                        WriteCondition.NONE));
        assertEquals(Reason.ENTITY_TOO_LARGE, e.reason());
        assertThrows(NamespaceException.class, () -> f.ns.openObject(b, "big", false));
        long before = f.ns.garbageCollector().recordsDone();
        f.nowMillis.addAndGet(f.ns.config().intentTtlMillis() + 1);
        while (f.ns.garbageCollector().pass() > 0) {}
        assertEquals(before, f.ns.garbageCollector().recordsDone(), "a refused write cleans up after itself");
    }

    private static byte[] md5(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shortBodyStoresNothing() {
        Bucket b = f.ns.createBucket(f.user, "short");
        for (int declared : new int[] {100, 200_000}) {
            NamespaceException e = assertThrows(
                    NamespaceException.class,
                    () -> f.ns.putObject(b, "x", declared, ObjectMetadata.EMPTY, NamespaceFixture.body(new byte[10])));
            assertEquals(Reason.INCOMPLETE_BODY, e.reason());
        }
        assertThrows(NamespaceException.class, () -> f.ns.openObject(b, "x", false));
        assertTrue(f.ns.listObjects(b, new ListRequest("", null, null, 1000))
                .objects()
                .isEmpty());
    }

    /**
     * Listing with and without a delimiter, paged at every size, must equal what a sorted list of the
     * full keys gives (DESIGN §3.4's rule for hierarchical buckets holds here too).
     */
    @Test
    void listingMatchesSortedKeysOnRandomTrees() {
        Random random = new Random(42);
        Bucket b = f.ns.createBucket(f.user, "tree");
        TreeSet<String> keys = new TreeSet<>();
        String[] parts = {"a", "b", "a.b", "a-", "ab", "z", "é"};
        while (keys.size() < 200) {
            StringBuilder k = new StringBuilder();
            int depth = 1 + random.nextInt(4);
            for (int d = 0; d < depth; d++) {
                if (d > 0) k.append('/');
                k.append(parts[random.nextInt(parts.length)]);
            }
            if (random.nextInt(10) == 0) k.append('/');
            keys.add(k.toString());
        }
        for (String k : keys) f.ns.putObject(b, k, 1, ObjectMetadata.EMPTY, NamespaceFixture.body(new byte[] {1}));
        for (String prefix : new String[] {"", "a", "a/", "a/b/", "é/", "zz"}) {
            for (String delimiter : new String[] {null, "/", "b"}) {
                List<String> expected = expected(keys, prefix, delimiter);
                for (int page : new int[] {1, 3, 1000}) assertEquals(expected, list(b, prefix, delimiter, page));
            }
        }
    }

    private static List<String> expected(TreeSet<String> keys, String prefix, String delimiter) {
        TreeSet<String> out = new TreeSet<>();
        for (String k : keys) {
            if (!k.startsWith(prefix)) continue;
            int i = delimiter == null ? -1 : k.indexOf(delimiter, prefix.length());
            out.add(i < 0 ? k : k.substring(0, i + delimiter.length()));
        }
        return new ArrayList<>(out);
    }

    private List<String> list(Bucket b, String prefix, String delimiter, int pageSize) {
        List<String> out = new ArrayList<>();
        String after = null;
        for (int i = 0; i < 10_000; i++) {
            ListPage page = f.ns.listObjects(b, new ListRequest(prefix, delimiter, after, pageSize));
            TreeSet<String> merged = new TreeSet<>(page.commonPrefixes());
            page.objects().forEach(o -> merged.add(o.key()));
            out.addAll(merged);
            if (!page.truncated()) return out;
            after = page.last();
        }
        throw new AssertionError("listing did not end");
    }

    @Test
    void overwriteAndDeleteSendDataToTheCollector() {
        Bucket b = f.ns.createBucket(f.user, "collect");
        f.ns.putObject(b, "k", 200_000, ObjectMetadata.EMPTY, NamespaceFixture.body(bytes(1, 200_000)));
        f.ns.putObject(b, "k", 150_000, ObjectMetadata.EMPTY, NamespaceFixture.body(bytes(2, 150_000)));
        f.ns.deleteObject(b, "k");
        f.nowMillis.addAndGet(1000);
        long deletedBefore = f.ns.garbageCollector().chunksDeleted();
        while (f.ns.garbageCollector().pass() > 0) {}
        long deleted = f.ns.garbageCollector().chunksDeleted() - deletedBefore;
        assertEquals(7, deleted, "both layouts collected: 4 chunks of 64 KiB for 200,000 B, then 3 for 150,000 B");
    }

    /** A write whose process died leaves an intent; once due, the collector deletes its chunks. */
    @Test
    void abandonedWriteIsCollectedAfterItsIntentComesDue() {
        Bucket b = f.ns.createBucket(f.user, "intent");
        byte[] data = bytes(3, 200_000);
        ByteBuffer src = ByteBuffer.wrap(data);
        BodySource dies = new BodySource() {
            @Override
            public int read(ByteBuffer output) {
                if (src.position() >= 150_000) throw new IllegalStateException("simulated death");
                int n = Math.min(output.remaining(), Math.min(src.remaining(), 150_000 - src.position()));
                output.put(src.slice(src.position(), n));
                src.position(src.position() + n);
                return n;
            }

            @Override
            public void verify(byte[] md5) {}
        };
        assertThrows(
                IllegalStateException.class, () -> f.ns.putObject(b, "k", data.length, ObjectMetadata.EMPTY, dies));
        assertThrows(NamespaceException.class, () -> f.ns.openObject(b, "k", false));
        long before = f.ns.garbageCollector().recordsDone();
        f.nowMillis.addAndGet(f.ns.config().intentTtlMillis() + 1);
        while (f.ns.garbageCollector().pass() > 0) {}
        assertEquals(before, f.ns.garbageCollector().recordsDone(), "a failed write cleans up after itself");
    }

    @Test
    void bucketRulesAndErrors() {
        assertEquals(
                Reason.INVALID_BUCKET_NAME,
                assertThrows(NamespaceException.class, () -> f.ns.createBucket(f.user, "Bad_Name"))
                        .reason());
        f.ns.createBucket(f.user, "dup");
        assertEquals(
                Reason.BUCKET_OWNED_BY_YOU,
                assertThrows(NamespaceException.class, () -> f.ns.createBucket(f.user, "dup"))
                        .reason());
        User other = f.ns.tenants()
                .createUser(f.ns.tenants().createTenant("other").name(), "bob", null, null, null, null, false);
        assertEquals(
                Reason.BUCKET_EXISTS,
                assertThrows(NamespaceException.class, () -> f.ns.createBucket(other, "dup"))
                        .reason());
        assertTrue(f.ns.listBuckets(other).isEmpty());
        Bucket b = f.ns.bucket("dup");
        f.ns.putObject(b, "x", 3, ObjectMetadata.EMPTY, NamespaceFixture.body(new byte[3]));
        assertEquals(
                Reason.BUCKET_NOT_EMPTY,
                assertThrows(NamespaceException.class, () -> f.ns.deleteBucket(b))
                        .reason());
        f.ns.deleteObject(b, "x");
        f.ns.deleteBucket(b);
        assertEquals(
                Reason.NO_SUCH_BUCKET,
                assertThrows(NamespaceException.class, () -> f.ns.bucket("dup")).reason());
        String longKey = "k".repeat(1025);
        assertEquals(
                Reason.KEY_TOO_LONG,
                assertThrows(
                                NamespaceException.class,
                                () -> f.ns.putObject(
                                        f.ns.createBucket(f.user, "keys"),
                                        longKey,
                                        1,
                                        ObjectMetadata.EMPTY,
                                        NamespaceFixture.body(new byte[1])))
                        .reason());
    }

    @Test
    void secretsAreSealedAtRest() {
        User u = f.ns.tenants()
                .createUser("root", "carol", "AKCAROL0000000000000", "carol-secret-123", null, null, false);
        byte[] stored = f.kv.get(io.seabed.namespace.schema.Keys.accessKey(u.accessKey()));
        String raw = new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(!raw.contains("carol-secret-123"), "secret stored in clear");
        assertEquals("carol-secret-123", f.ns.user("AKCAROL0000000000000").secretKey());
    }
}
