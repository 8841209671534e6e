package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chain.EmbeddedStorage;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FileType;
import io.seabed.namespace.fs.FsException;
import io.seabed.namespace.tenant.SecretSealer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 view of a hierarchical bucket (DESIGN §3.4) over real meta-kv and real chains, through {@link Namespace}.
 * Goals: keys are paths with PathConflict and refused non-paths; parents appear with a PUT and implicit ones go
 * with their last child; the same bytes through S3 and the file system; ListObjects in exact S3 order and paging,
 * checked against a sorted list of full keys on random trees.
 */
class HierarchicalS3Test {
    @TempDir
    Path dir;

    final AtomicLong nowMillis = new AtomicLong(1_700_000_000_000L);
    final InstantSource clock = () -> Instant.ofEpochMilli(nowMillis.get());
    RaftMetaKv kv;
    EmbeddedStorage storage;
    Namespace ns;
    Bucket bucket;

    @BeforeEach
    void open() throws Exception {
        kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")), clock);
        storage = EmbeddedStorage.open(dir.resolve("targets"), 3, 2, ChunkEngineConfig.DEFAULTS, kv);
        NamespaceConfig config =
                new NamespaceConfig(4096, 64 * 1024, 8, 1L << 40, 100, 10_000, 1024, 2048, 1000, 60_000, 0, 1000);
        ns = new Namespace(kv, storage.client(), new SecretSealer(new byte[32]), config, clock);
        User user = ns.tenants()
                .ensureRoot("AKTEST0000000000000", "secret-secret-secret")
                .user();
        bucket = ns.createBucket(user, "tree", null, Bucket.Mode.HIERARCHICAL);
    }

    @AfterEach
    void close() {
        ns.close();
        storage.close();
        kv.close();
    }

    ObjectInfo put(String key, byte[] data) {
        return ns.putObject(
                bucket,
                key,
                data.length,
                new ObjectMetadata(Map.of("content-type", "text/plain"), Map.of("k", "v")),
                NamespaceFixture.body(data),
                WriteCondition.NONE);
    }

    byte[] get(String key) {
        var o = ns.openObject(bucket, key, true);
        ByteBuffer out = ByteBuffer.allocate((int) o.info().sizeBytes());
        ns.readObject(o, 0, o.info().sizeBytes(), out::put);
        return out.array();
    }

    static void assertReason(Reason reason, org.junit.jupiter.api.function.Executable call) {
        NamespaceException e = assertThrows(NamespaceException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
    }

    static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    @Test
    void keysArePaths() throws Exception {
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        ObjectInfo info = put("a/b/c.bin", data);
        assertEquals(md5(data), info.etag());
        assertArrayEquals(data, get("a/b/c.bin"));
        ObjectInfo head = ns.openObject(bucket, "a/b/c.bin", false).info();
        assertEquals(md5(data), head.etag());
        assertEquals("text/plain", head.systemMetadata().get("content-type"));
        assertEquals("v", head.userMetadata().get("k"));

        // The parents are implicit directories: the tree has them, S3 has no key for them.
        FileSystem fs = ns.fileSystem(bucket);
        Attr a = fs.lookup(fs.rootIno(), "a");
        assertEquals(FileType.DIRECTORY, a.type());
        assertEquals(
                data.length, fs.lookup(fs.lookup(a.ino(), "b").ino(), "c.bin").size());
        assertReason(Reason.NO_SUCH_KEY, () -> ns.openObject(bucket, "a/", false));
        assertReason(Reason.NO_SUCH_KEY, () -> ns.openObject(bucket, "a", false));

        // Clashes and non-paths change nothing.
        assertReason(Reason.PATH_CONFLICT, () -> put("a/b", new byte[1]));
        assertReason(Reason.PATH_CONFLICT, () -> put("a/b/c.bin/d", new byte[1]));
        assertReason(Reason.PATH_CONFLICT, () -> put("a/b/c.bin/", new byte[0]));
        for (String bad : List.of("/x", "a//x", "a/./x", "a/../x", "..", "x/.", "a/x//"))
            assertReason(Reason.INVALID_ARGUMENT, () -> put(bad, new byte[1]));
        assertReason(Reason.INVALID_ARGUMENT, () -> put("d/", new byte[1]));
        assertReason(Reason.KEY_TOO_LONG, () -> put("a/" + "n".repeat(256), new byte[1]));
        assertArrayEquals(data, get("a/b/c.bin"));
        assertEquals(List.of("a/b/c.bin"), keys(ns.listObjects(bucket, new ListRequest("", null, null, 1000))));

        // "d/" with no body makes an explicit directory: a key of its own.
        ObjectInfo marker = put("a/", new byte[0]);
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", marker.etag());
        assertEquals(0, ns.openObject(bucket, "a/", false).info().sizeBytes());
        assertEquals(List.of("a/", "a/b/c.bin"), keys(ns.listObjects(bucket, new ListRequest("", null, null, 1000))));

        // An overwrite replaces the file (a new inode), and the old bytes are gone from the view.
        ObjectInfo again = put("a/b/c.bin", "new".getBytes(StandardCharsets.UTF_8));
        assertEquals(md5("new".getBytes(StandardCharsets.UTF_8)), again.etag());
        assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), get("a/b/c.bin"));
    }

    @Test
    void deletesRemoveImplicitParentsButNeverRecurse() {
        put("x/y/z/f1", new byte[] {1});
        put("x/y/z/f2", new byte[] {2});
        put("x/keep/", new byte[0]);
        ns.deleteObject(bucket, "x/y/z/"); // not empty: nothing happens
        ns.deleteObject(bucket, "x/y/"); // not empty: nothing happens
        ns.deleteObject(bucket, "x/y"); // a directory named without '/': nothing
        ns.deleteObject(bucket, "no/such/key");
        assertEquals(
                List.of("x/keep/", "x/y/z/f1", "x/y/z/f2"),
                keys(ns.listObjects(bucket, new ListRequest("", null, null, 1000))));
        ns.deleteObject(bucket, "x/y/z/f1");
        ns.deleteObject(bucket, "x/y/z/f2");
        // z and y were implicit and went with their last child; x stays for the explicit x/keep/.
        FileSystem fs = ns.fileSystem(bucket);
        long x = fs.lookup(fs.rootIno(), "x").ino();
        FsException gone = assertThrows(FsException.class, () -> fs.lookup(x, "y"));
        assertEquals(FsException.Status.NOENT, gone.status());
        assertEquals(List.of("x/keep/"), keys(ns.listObjects(bucket, new ListRequest("", null, null, 1000))));
        ns.deleteObject(bucket, "x/keep/");
        assertThrows(FsException.class, () -> fs.lookup(fs.rootIno(), "x"));
        assertTrue(ns.listObjects(bucket, new ListRequest("", null, null, 1000))
                .objects()
                .isEmpty());
    }

    @Test
    void sameBytesThroughBothFronts() throws Exception {
        FileSystem fs = ns.fileSystem(bucket);
        Attr d = fs.mkdir(fs.rootIno(), "docs", 0755, 1000, 1000);
        Attr f = fs.create(d.ino(), "note.txt", FileSystem.CreateMode.GUARDED, 0644, 1000, 1000, null);
        byte[] text = "written over NFS".getBytes(StandardCharsets.UTF_8);
        fs.write(f.ino(), 0, ByteBuffer.wrap(text));
        fs.symlink(d.ino(), "link", "note.txt", 0777, 1000, 1000);

        // An explicit directory (made by MKDIR) is a key; the symlink is not an S3 object.
        ListPage page = ns.listObjects(bucket, new ListRequest("", null, null, 1000));
        assertEquals(List.of("docs/", "docs/note.txt"), keys(page));
        ObjectInfo viaS3 = ns.openObject(bucket, "docs/note.txt", false).info();
        assertEquals(text.length, viaS3.sizeBytes());
        assertTrue(viaS3.etag().endsWith("-1"), viaS3.etag()); // not an MD5: the bytes came through the file system
        assertArrayEquals(text, get("docs/note.txt"));
        assertReason(Reason.NO_SUCH_KEY, () -> ns.openObject(bucket, "docs/link", false));

        // An S3 PUT replaces the file: the file system sees the new bytes under the name, the old inode is gone.
        byte[] s3 = "written over S3".getBytes(StandardCharsets.UTF_8);
        put("docs/note.txt", s3);
        Attr now = fs.lookup(d.ino(), "note.txt");
        assertNotEquals(f.ino(), now.ino());
        ByteBuffer back = ByteBuffer.allocate(64);
        fs.read(now.ino(), 0, back);
        assertArrayEquals(s3, Arrays.copyOf(back.array(), back.position()));
        FsException stale = assertThrows(FsException.class, () -> fs.getattr(f.ino()));
        assertEquals(FsException.Status.STALE, stale.status());

        // A write through the file system drops the S3 head: the ETag is no longer the MD5 of other bytes.
        assertEquals(
                md5(s3), ns.openObject(bucket, "docs/note.txt", false).info().etag());
        fs.write(now.ino(), 0, ByteBuffer.wrap("W".getBytes(StandardCharsets.UTF_8)));
        ObjectInfo after = ns.openObject(bucket, "docs/note.txt", false).info();
        assertNotEquals(md5(s3), after.etag());
        assertEquals("Writ", new String(get("docs/note.txt"), 0, 4, StandardCharsets.UTF_8));
    }

    @Test
    void copiesBetweenModes() throws Exception {
        byte[] data = new byte[200_000];
        new Random(3).nextBytes(data);
        put("src/data.bin", data);
        Bucket flat = ns.createBucket(ns.tenants().userByAccessKey("AKTEST0000000000000"), "flat");
        var input = ns.openObject(bucket, "src/data.bin", true);
        ObjectInfo toTree = ns.copyObject(input, bucket, "dst/copy.bin", null, WriteCondition.NONE);
        assertEquals(md5(data), toTree.etag());
        assertArrayEquals(data, get("dst/copy.bin"));
        assertEquals(
                "text/plain",
                ns.openObject(bucket, "dst/copy.bin", false)
                        .info()
                        .systemMetadata()
                        .get("content-type"));
        ObjectInfo toFlat = ns.copyObject(input, flat, "copy.bin", null, WriteCondition.NONE);
        assertEquals(md5(data), toFlat.etag());
        var back = ns.openObject(flat, "copy.bin", true);
        ObjectInfo fromFlat = ns.copyObject(back, bucket, "from-flat/x", null, WriteCondition.NONE);
        assertEquals(md5(data), fromFlat.etag());
        assertArrayEquals(data, get("from-flat/x"));
        assertReason(
                Reason.PATH_CONFLICT, () -> ns.copyObject(back, bucket, "src/data.bin/x", null, WriteCondition.NONE));
    }

    @Test
    void multipartUploadsBecomeFiles() throws Exception {
        byte[] one = new byte[150];
        byte[] two = new byte[70_000];
        new Random(4).nextBytes(one);
        new Random(5).nextBytes(two);
        User user = ns.tenants().userByAccessKey("AKTEST0000000000000");
        assertReason(Reason.INVALID_ARGUMENT, () -> ns.createUpload(bucket, "a//b", ObjectMetadata.EMPTY, user));
        String id = ns.createUpload(
                bucket, "up/loaded.bin", new ObjectMetadata(Map.of("content-type", "x/y"), Map.of()), user);
        PartInfo p1 = ns.uploadPart(bucket, "up/loaded.bin", id, 1, one.length, NamespaceFixture.body(one));
        PartInfo p2 = ns.uploadPart(bucket, "up/loaded.bin", id, 2, two.length, NamespaceFixture.body(two));
        ObjectInfo done = ns.completeUpload(
                bucket, "up/loaded.bin", id, List.of(new UploadPart(1, p1.etag()), new UploadPart(2, p2.etag())));
        assertTrue(done.etag().endsWith("-2"), done.etag());
        byte[] whole = new byte[one.length + two.length];
        System.arraycopy(one, 0, whole, 0, one.length);
        System.arraycopy(two, 0, whole, one.length, two.length);
        assertArrayEquals(whole, get("up/loaded.bin"));
        ObjectInfo head = ns.openObject(bucket, "up/loaded.bin", false).info();
        assertEquals(done.etag(), head.etag());
        assertEquals("x/y", head.systemMetadata().get("content-type"));
        assertReason(Reason.NO_SUCH_UPLOAD, () -> ns.upload(bucket, "up/loaded.bin", id));
        FileSystem fs = ns.fileSystem(bucket);
        assertEquals(
                whole.length,
                fs.lookup(fs.lookup(fs.rootIno(), "up").ino(), "loaded.bin").size());

        // A clash found at completion leaves the upload to retry elsewhere or abort.
        String id2 = ns.createUpload(bucket, "up/loaded.bin/x", ObjectMetadata.EMPTY, user);
        PartInfo q = ns.uploadPart(bucket, "up/loaded.bin/x", id2, 1, one.length, NamespaceFixture.body(one));
        assertReason(
                Reason.PATH_CONFLICT,
                () -> ns.completeUpload(bucket, "up/loaded.bin/x", id2, List.of(new UploadPart(1, q.etag()))));
        ns.abortUpload(bucket, "up/loaded.bin/x", id2);
    }

    @Test
    void failedBodyLeavesNothing() {
        BodySource failing = new BodySource() {
            int calls;

            @Override
            public int read(ByteBuffer output) {
                if (calls++ > 0) throw new NamespaceException(Reason.INCOMPLETE_BODY, "client went away");
                output.put(new byte[Math.min(output.remaining(), 1000)]);
                return 1000;
            }

            @Override
            public void verify(byte[] md5) {}
        };
        assertReason(
                Reason.INCOMPLETE_BODY,
                () -> ns.putObject(bucket, "p/q", 10_000, ObjectMetadata.EMPTY, failing, WriteCondition.NONE));
        assertTrue(ns.listObjects(bucket, new ListRequest("", null, null, 1000))
                .objects()
                .isEmpty());
        FileSystem fs = ns.fileSystem(bucket);
        assertThrows(FsException.class, () -> fs.lookup(fs.rootIno(), "p"));
    }

    @Test
    void conditionalPuts() {
        put("c/f", new byte[] {1});
        assertReason(
                Reason.PRECONDITION_FAILED,
                () -> ns.putObject(
                        bucket,
                        "c/f",
                        1,
                        ObjectMetadata.EMPTY,
                        NamespaceFixture.body(new byte[] {2}),
                        new WriteCondition("*", null)));
        assertArrayEquals(new byte[] {1}, get("c/f"));
        assertReason(
                Reason.NO_SUCH_KEY,
                () -> ns.putObject(
                        bucket,
                        "c/g",
                        1,
                        ObjectMetadata.EMPTY,
                        NamespaceFixture.body(new byte[] {2}),
                        new WriteCondition(null, "*")));
    }

    // ---- listing against a sorted list of full keys ----

    static final String[] PIECES = {"a", "b", "-", ".", "0", "!", "~", "é", "ab", "a-"};

    static String randomName(Random random) {
        while (true) {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) s.append(PIECES[random.nextInt(PIECES.length)]);
            String name = s.toString();
            if (!name.equals(".") && !name.equals("..")) return name;
        }
    }

    static String randomKey(Random random) {
        int depth = 1 + random.nextInt(3);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (i > 0) s.append('/');
            s.append(randomName(random));
        }
        if (random.nextInt(6) == 0) s.append('/');
        return s.toString();
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a PUT of {@code key} clashes with the keys of {@code model} (DESIGN §3.4). */
    static boolean clashes(TreeSet<String> model, String key) {
        boolean directory = key.endsWith("/");
        String path = directory ? key.substring(0, key.length() - 1) : key;
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1))
            if (model.contains(path.substring(0, i))) return true;
        if (directory) return model.contains(path);
        for (String k : model) if (k.startsWith(path + "/")) return true;
        return false;
    }

    /** ListObjects over a sorted list of full keys, as a flat bucket answers it. */
    static List<String> modelList(
            TreeSet<String> model, String prefix, String delimiter, String after, int maxKeys, boolean[] truncated) {
        List<String> out = new ArrayList<>();
        boolean skipUnder = delimiter != null
                && after != null
                && after.endsWith("/")
                && after.startsWith(prefix)
                && after.indexOf('/', prefix.length()) == after.length() - 1;
        truncated[0] = false;
        for (String k : model) {
            if (!k.startsWith(prefix)) continue;
            if (after != null && compareUtf8(k, after) <= 0) continue;
            if (skipUnder && k.startsWith(after)) continue;
            String item = k;
            if (delimiter != null) {
                int i = k.indexOf('/', prefix.length());
                if (i >= 0) item = k.substring(0, i + 1);
            }
            if (!out.isEmpty() && out.getLast().equals(item)) continue;
            if (out.size() == maxKeys) {
                truncated[0] = true;
                break;
            }
            out.add(item);
        }
        return out;
    }

    static List<String> keys(ListPage page) {
        List<String> out = new ArrayList<>();
        for (ObjectInfo o : page.objects()) out.add(o.key());
        return out;
    }

    /** The page's keys and common prefixes merged in S3 order. */
    static List<String> items(ListPage page) {
        List<String> out = new ArrayList<>(keys(page));
        out.addAll(page.commonPrefixes());
        out.sort(HierarchicalS3Test::compareUtf8);
        return out;
    }

    @Test
    void listingsMatchSortedKeysOnRandomTrees() {
        for (int seed = 1; seed <= 4; seed++) {
            Random random = new Random(seed);
            TreeSet<String> model = new TreeSet<>(HierarchicalS3Test::compareUtf8);
            for (String k : new ArrayList<>(model)) ns.deleteObject(bucket, k);
            for (int i = 0; i < 90; i++) {
                String key = randomKey(random);
                boolean clash = clashes(model, key);
                try {
                    put(key, key.endsWith("/") ? new byte[0] : key.getBytes(StandardCharsets.UTF_8));
                    assertFalse(clash, "PUT " + key + " should clash (seed " + seed + ")");
                    model.add(key);
                } catch (NamespaceException e) {
                    assertTrue(clash, "PUT " + key + ": " + e.getMessage() + " (seed " + seed + ")");
                    assertEquals(Reason.PATH_CONFLICT, e.reason());
                }
                if (random.nextInt(5) == 0 && !model.isEmpty()) {
                    String victim = new ArrayList<>(model).get(random.nextInt(model.size()));
                    ns.deleteObject(bucket, victim);
                    boolean nonEmptyDir = victim.endsWith("/")
                            && model.stream().anyMatch(k -> !k.equals(victim) && k.startsWith(victim));
                    if (!nonEmptyDir) model.remove(victim);
                }
            }
            List<String> prefixes = new ArrayList<>(List.of("", "a", "a/", "a-", "ab/", "é", "a/b", "~"));
            for (String k : model) prefixes.add(k.substring(0, random.nextInt(k.length() + 1)));
            for (String prefix : prefixes) {
                for (String delimiter : new String[] {null, "/"}) {
                    int maxKeys = 1 + random.nextInt(4);
                    checkPaging(model, prefix, delimiter, maxKeys, seed);
                    String startAfter = randomKey(random);
                    boolean[] truncated = new boolean[1];
                    List<String> want = modelList(model, prefix, delimiter, startAfter, 1000, truncated);
                    ListPage got = ns.listObjects(bucket, new ListRequest(prefix, delimiter, startAfter, 1000));
                    assertEquals(
                            want,
                            items(got),
                            "prefix=" + prefix + " delimiter=" + delimiter + " after=" + startAfter + " seed=" + seed);
                }
            }
            for (String k : new ArrayList<>(model.descendingSet())) ns.deleteObject(bucket, k);
            assertTrue(items(ns.listObjects(bucket, new ListRequest("", null, null, 1000)))
                    .isEmpty());
        }
    }

    private void checkPaging(TreeSet<String> model, String prefix, String delimiter, int maxKeys, int seed) {
        String after = null;
        List<String> all = new ArrayList<>();
        for (int pages = 0; ; pages++) {
            assertTrue(pages < 1000, "paging does not end");
            boolean[] truncated = new boolean[1];
            List<String> want = modelList(model, prefix, delimiter, after, maxKeys, truncated);
            ListPage got = ns.listObjects(bucket, new ListRequest(prefix, delimiter, after, maxKeys));
            String what = "prefix=" + prefix + " delimiter=" + delimiter + " after=" + after + " max=" + maxKeys
                    + " seed=" + seed;
            assertEquals(want, items(got), what);
            assertEquals(truncated[0], got.truncated(), what);
            all.addAll(want);
            if (!got.truncated()) break;
            after = got.last();
        }
        boolean[] ignored = new boolean[1];
        assertEquals(modelList(model, prefix, delimiter, null, Integer.MAX_VALUE, ignored), all);
    }
}
