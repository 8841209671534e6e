package io.seabed.namespace.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chain.EmbeddedStorage;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import io.seabed.namespace.fs.FileSystem.CreateMode;
import io.seabed.namespace.fs.FsException.Status;
import io.seabed.namespace.gc.GarbageCollector;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hierarchical bucket over real meta-kv and real chains (three targets, chain length 2). Goals: every operation
 * keeps POSIX meaning and answers the precise status; rename is atomic for concurrent lookups and listings;
 * listings resume from cookies while the directory changes; file data is written in place, sparse, truncated and
 * released after the last link.
 */
class HierarchicalFsTest {
    @TempDir
    Path dir;

    RaftMetaKv kv;
    EmbeddedStorage storage;
    HierarchicalFs fs;
    static final long ROOT = HierarchicalFs.ROOT;

    @BeforeEach
    void open() throws Exception {
        kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")));
        storage = EmbeddedStorage.open(dir.resolve("targets"), 3, 2, ChunkEngineConfig.DEFAULTS, kv);
        kv.transact(txn -> {
            HierarchicalFs.createRoot(txn, 7, 0, 0, 1);
            return null;
        });
        fs = new HierarchicalFs(
                kv,
                storage.client(),
                7,
                "b",
                InstantSource.system(),
                () -> new FsStat(1L << 40, 1L << 39, 1L << 30, 1L << 29));
    }

    @AfterEach
    void close() {
        storage.close();
        kv.close();
    }

    static void assertStatus(Status status, Executable call) {
        FsException e = assertThrows(FsException.class, call);
        assertEquals(status, e.status(), e.getMessage());
    }

    @Test
    void namesAndAttributes() {
        Attr a = fs.mkdir(ROOT, "a", 0750, 1000, 100);
        assertEquals(FileType.DIRECTORY, a.type());
        assertEquals(2, a.nlink());
        assertEquals(3, fs.getattr(ROOT).nlink());
        Attr f = fs.create(a.ino(), "f.txt", CreateMode.GUARDED, 0640, 1000, 100, null);
        assertEquals(FileType.FILE, f.type());
        assertEquals(0, f.size());
        assertEquals(f.ino(), fs.lookup(a.ino(), "f.txt").ino());
        assertEquals(a.ino(), fs.lookup(a.ino(), ".").ino());
        assertEquals(ROOT, fs.lookup(a.ino(), "..").ino());
        assertEquals(ROOT, fs.lookup(ROOT, "..").ino());
        assertStatus(Status.EXIST, () -> fs.create(a.ino(), "f.txt", CreateMode.GUARDED, 0640, 0, 0, null));
        assertEquals(
                f.ino(),
                fs.create(a.ino(), "f.txt", CreateMode.UNCHECKED, 0640, 0, 0, null)
                        .ino());
        byte[] verf = {1, 2, 3, 4, 5, 6, 7, 8};
        Attr x = fs.create(a.ino(), "x", CreateMode.EXCLUSIVE, 0600, 0, 0, verf);
        assertEquals(
                x.ino(),
                fs.create(a.ino(), "x", CreateMode.EXCLUSIVE, 0600, 0, 0, verf).ino());
        assertStatus(Status.EXIST, () -> fs.create(a.ino(), "x", CreateMode.EXCLUSIVE, 0600, 0, 0, new byte[8]));
        assertStatus(Status.ISDIR, () -> fs.create(ROOT, "a", CreateMode.UNCHECKED, 0600, 0, 0, null));
        assertStatus(Status.NOENT, () -> fs.lookup(a.ino(), "missing"));
        assertStatus(Status.NOTDIR, () -> fs.lookup(f.ino(), "y"));
        assertStatus(Status.NOTDIR, () -> fs.mkdir(f.ino(), "y", 0755, 0, 0));
        assertStatus(Status.INVAL, () -> fs.mkdir(ROOT, "a/b", 0755, 0, 0));
        assertStatus(Status.INVAL, () -> fs.mkdir(ROOT, "..", 0755, 0, 0));
        assertStatus(Status.INVAL, () -> fs.mkdir(ROOT, "\ud800", 0755, 0, 0));
        assertStatus(Status.NAMETOOLONG, () -> fs.mkdir(ROOT, "n".repeat(256), 0755, 0, 0));
        fs.mkdir(ROOT, "é".repeat(127), 0755, 0, 0); // 254 bytes
        assertStatus(Status.STALE, () -> fs.getattr(999_998));
        assertStatus(Status.STALE, () -> fs.getattr(999_999));

        Attr s = fs.symlink(a.ino(), "link", "../a/f.txt", 0777, 1000, 100);
        assertEquals(FileType.SYMLINK, s.type());
        assertEquals("../a/f.txt".length(), s.size());
        assertEquals("../a/f.txt", fs.readlink(s.ino()));
        assertStatus(Status.INVAL, () -> fs.readlink(f.ino()));

        Attr changed = fs.setattr(f.ino(), new SetAttr(0600, 5, 6, null, null, 123_000_000_000L), null);
        assertEquals(0600, changed.mode());
        assertEquals(5, changed.uid());
        assertEquals(123_000_000_000L, changed.mtimeNanos());
        assertStatus(Status.NOT_SYNC, () -> fs.setattr(f.ino(), new SetAttr(0644, null, null, null, null, null), 42L));
        fs.setattr(f.ino(), new SetAttr(0644, null, null, null, null, null), changed.ctimeNanos());
        assertStatus(Status.ISDIR, () -> fs.setattr(a.ino(), new SetAttr(null, null, null, 0L, null, null), null));

        Attr hard = fs.link(f.ino(), ROOT, "hard");
        assertEquals(2, hard.nlink());
        assertStatus(Status.ISDIR, () -> fs.link(a.ino(), ROOT, "dirlink"));
        assertStatus(Status.EXIST, () -> fs.link(f.ino(), ROOT, "a"));
        fs.remove(a.ino(), "f.txt");
        assertEquals(1, fs.getattr(f.ino()).nlink());
        assertStatus(Status.NOENT, () -> fs.remove(a.ino(), "f.txt"));
        assertStatus(Status.ISDIR, () -> fs.remove(ROOT, "a"));
        assertStatus(Status.NOTEMPTY, () -> fs.rmdir(ROOT, "a"));
        assertStatus(Status.NOTDIR, () -> fs.rmdir(ROOT, "hard"));
        fs.remove(ROOT, "hard");
        assertStatus(Status.STALE, () -> fs.getattr(f.ino()));
        fs.remove(a.ino(), "x");
        fs.remove(a.ino(), "link");
        fs.rmdir(ROOT, "a");
        assertStatus(Status.STALE, () -> fs.getattr(a.ino()));
        assertEquals(3, fs.getattr(ROOT).nlink()); // the é directory
    }

    @Test
    void renameMovesAndReplacesAtomically() {
        Attr a = fs.mkdir(ROOT, "a", 0755, 0, 0);
        Attr b = fs.mkdir(a.ino(), "b", 0755, 0, 0);
        Attr c = fs.mkdir(ROOT, "c", 0755, 0, 0);
        Attr f = fs.create(b.ino(), "f", CreateMode.GUARDED, 0644, 0, 0, null);
        Attr g = fs.create(ROOT, "g", CreateMode.GUARDED, 0644, 0, 0, null);
        assertStatus(Status.INVAL, () -> fs.rename(ROOT, "a", b.ino(), "a2"));
        assertStatus(Status.INVAL, () -> fs.rename(ROOT, "a", a.ino(), "self"));
        assertStatus(Status.NOENT, () -> fs.rename(ROOT, "zz", ROOT, "yy"));
        assertStatus(Status.ISDIR, () -> fs.rename(ROOT, "g", ROOT, "c"));
        assertStatus(Status.NOTDIR, () -> fs.rename(ROOT, "c", ROOT, "g"));
        fs.rename(a.ino(), "b", c.ino(), "b2");
        assertEquals(b.ino(), fs.lookup(c.ino(), "b2").ino());
        assertEquals(c.ino(), fs.lookup(b.ino(), "..").ino());
        assertEquals(2, fs.getattr(a.ino()).nlink());
        assertEquals(3, fs.getattr(c.ino()).nlink());
        assertStatus(Status.NOENT, () -> fs.lookup(a.ino(), "b"));
        // A file replaces a file: the old one is gone.
        fs.rename(b.ino(), "f", ROOT, "g");
        assertEquals(f.ino(), fs.lookup(ROOT, "g").ino());
        assertStatus(Status.STALE, () -> fs.getattr(g.ino()));
        // A directory replaces an empty directory, not a full one.
        fs.mkdir(ROOT, "empty", 0755, 0, 0);
        fs.rename(ROOT, "a", ROOT, "empty");
        assertEquals(a.ino(), fs.lookup(ROOT, "empty").ino());
        assertStatus(Status.NOTEMPTY, () -> fs.rename(ROOT, "empty", ROOT, "c"));
        // Two links of one inode: nothing happens.
        fs.link(f.ino(), ROOT, "g2");
        fs.rename(ROOT, "g", ROOT, "g2");
        assertEquals(f.ino(), fs.lookup(ROOT, "g").ino());
        assertEquals(2, fs.getattr(f.ino()).nlink());
    }

    @Test
    void readdirResumesFromCookiesWhileTheDirectoryChanges() {
        Attr d = fs.mkdir(ROOT, "d", 0755, 0, 0);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String n = "file-" + i;
            fs.create(d.ino(), n, CreateMode.GUARDED, 0644, 0, 0, null);
            names.add(n);
        }
        Set<String> seen = new HashSet<>();
        long cookie = 0;
        int pages = 0;
        boolean eof = false;
        Random random = new Random(7);
        Set<String> removed = new HashSet<>();
        Set<String> added = new HashSet<>();
        while (!eof) {
            DirPage page = fs.readdir(d.ino(), cookie, 37, pages % 2 == 0);
            for (DirEntry e : page.entries()) {
                assertTrue(seen.add(e.name()), "listed twice: " + e.name());
                if (pages % 2 == 0) assertTrue(e.attr() != null || removed.contains(e.name()), e.name());
                cookie = e.cookie();
            }
            eof = page.eof();
            pages++;
            // Between pages: remove one name listed or not, add a new one.
            String victim = "file-" + random.nextInt(300);
            if (!removed.contains(victim)) {
                fs.remove(d.ino(), victim);
                removed.add(victim);
            }
            String fresh = "new-" + pages;
            fs.create(d.ino(), fresh, CreateMode.GUARDED, 0644, 0, 0, null);
            added.add(fresh);
        }
        assertTrue(seen.contains(".") && seen.contains(".."));
        // Every name present throughout was listed exactly once; names removed or added meanwhile may or may not be.
        for (String n : names) if (!removed.contains(n)) assertTrue(seen.contains(n), "missed " + n);
        for (String n : seen) assertTrue(n.equals(".") || n.equals("..") || names.contains(n) || added.contains(n), n);
        assertTrue(pages > 8, "pages=" + pages);
        assertEquals(d.ino(), fs.cookieVerifier(d.ino()));
    }

    @Test
    void renameIsAtomicForConcurrentReaders() throws Exception {
        Attr x = fs.mkdir(ROOT, "x", 0755, 0, 0);
        Attr y = fs.mkdir(ROOT, "y", 0755, 0, 0);
        Attr f = fs.create(x.ino(), "f", CreateMode.GUARDED, 0644, 0, 0, null);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Integer> mover = pool.submit(() -> {
                int moves = 0;
                while (!stop.get()) {
                    boolean inX = moves % 2 == 0;
                    fs.rename(inX ? x.ino() : y.ino(), "f", inX ? y.ino() : x.ino(), "f");
                    moves++;
                }
                return moves;
            });
            Future<Integer> looker = pool.submit(() -> {
                int checks = 0;
                while (!stop.get()) {
                    // Each listing is one transaction: it shows the file whole (its own inode) or not at all, and
                    // the inode is never left without its link while it moves.
                    int found = 0;
                    for (long dirIno : new long[] {x.ino(), y.ino()}) {
                        for (DirEntry e : fs.readdir(dirIno, 0, 100, false).entries())
                            if (e.name().equals("f")) {
                                assertEquals(f.ino(), e.ino());
                                found++;
                            }
                    }
                    assertTrue(found <= 2);
                    assertEquals(1, fs.getattr(f.ino()).nlink());
                    try {
                        assertEquals(f.ino(), fs.lookup(x.ino(), "f").ino());
                    } catch (FsException e) {
                        assertEquals(Status.NOENT, e.status());
                    }
                    checks++;
                }
                return checks;
            });
            Thread.sleep(1500);
            stop.set(true);
            assertTrue(mover.get() > 10, "moves");
            assertTrue(looker.get() > 10, "checks");
        } finally {
            pool.shutdownNow();
        }
        // Exactly one name left, and the counts agree.
        int names = fs.readdir(x.ino(), 0, 100, false).entries().size()
                + fs.readdir(y.ino(), 0, 100, false).entries().size();
        assertEquals(2 + 2 + 1, names);
        assertEquals(1, fs.getattr(f.ino()).nlink());
    }

    @Test
    void concurrentCreatesInOneDirectoryAllLand() throws Exception {
        Attr d = fs.mkdir(ROOT, "many", 0755, 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int me = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    if (i % 10 == 0) fs.mkdir(d.ino(), "d" + me + "-" + i, 0755, 0, 0);
                    else fs.create(d.ino(), "f" + me + "-" + i, CreateMode.GUARDED, 0644, 0, 0, null);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        pool.shutdown();
        int count = 0;
        long cookie = 0;
        while (true) {
            DirPage page = fs.readdir(d.ino(), cookie, 500, false);
            count += page.entries().size();
            if (page.eof()) break;
            cookie = page.entries().getLast().cookie();
        }
        assertEquals(800 + 2, count);
        assertEquals(2 + 80, fs.getattr(d.ino()).nlink());
    }

    @Test
    void dataIsWrittenInPlaceSparseTruncatedAndReleased() throws Exception {
        Attr f = fs.create(ROOT, "data", CreateMode.GUARDED, 0644, 0, 0, null);
        byte[] first = new byte[100_000];
        new Random(1).nextBytes(first);
        fs.write(f.ino(), 0, ByteBuffer.wrap(first));
        assertEquals(100_000, fs.getattr(f.ino()).size());
        byte[] back = new byte[100_000];
        assertEquals(100_000, fs.read(f.ino(), 0, ByteBuffer.wrap(back)));
        assertArrayEquals(first, back);
        // Overwrite in the middle.
        fs.write(f.ino(), 5_000, ByteBuffer.wrap(new byte[] {9, 9, 9}));
        ByteBuffer three = ByteBuffer.allocate(5);
        fs.read(f.ino(), 4_999, three);
        assertArrayEquals(new byte[] {first[4999], 9, 9, 9, first[5003]}, three.array());
        // A write across a chunk boundary, far away: a hole before it reads as zeros.
        long far = 3L * HierarchicalFs.CHUNK_BYTES - 10;
        byte[] across = new byte[20];
        java.util.Arrays.fill(across, (byte) 7);
        Attr after = fs.write(f.ino(), far, ByteBuffer.wrap(across));
        assertEquals(far + 20, after.size());
        ByteBuffer hole = ByteBuffer.allocate(1000);
        assertEquals(1000, fs.read(f.ino(), HierarchicalFs.CHUNK_BYTES + 5, hole));
        assertArrayEquals(new byte[1000], hole.array());
        ByteBuffer tail = ByteBuffer.allocate(100);
        assertEquals(20, fs.read(f.ino(), far, tail));
        for (int i = 0; i < 20; i++) assertEquals(7, tail.get(i));
        assertEquals(0, fs.read(f.ino(), far + 20, ByteBuffer.allocate(10)));
        // Truncate down, then extend: the cut bytes are gone.
        fs.setattr(f.ino(), new SetAttr(null, null, null, 50_000L, null, null), null);
        assertEquals(50_000, fs.getattr(f.ino()).size());
        fs.setattr(f.ino(), new SetAttr(null, null, null, 200_000L, null, null), null);
        ByteBuffer cut = ByteBuffer.allocate(150_000);
        assertEquals(150_000, fs.read(f.ino(), 50_000, cut));
        assertArrayEquals(new byte[150_000], cut.array());
        ByteBuffer kept = ByteBuffer.allocate(50_000);
        fs.read(f.ino(), 0, kept);
        byte[] expected = java.util.Arrays.copyOf(first, 50_000);
        expected[5000] = expected[5001] = expected[5002] = 9;
        assertArrayEquals(expected, kept.array());
        assertStatus(Status.FBIG, () -> fs.write(f.ino(), FileSystem.FILE_BYTES_MAX, ByteBuffer.wrap(new byte[1])));
        assertStatus(Status.ISDIR, () -> fs.read(ROOT, 0, ByteBuffer.allocate(1)));
        // The last link goes: the collector removes the chunks and the chunk map.
        fs.write(f.ino(), 2L * HierarchicalFs.CHUNK_BYTES, ByteBuffer.wrap(new byte[10]));
        fs.remove(ROOT, "data");
        assertStatus(Status.STALE, () -> fs.getattr(f.ino()));
        try (GarbageCollector gc = new GarbageCollector(kv, storage.client(), InstantSource.system(), 60_000)) {
            assertEquals(1, gc.pass());
            assertEquals(2, gc.chunksDeleted());
        }
        assertTrue(kv.scan(FsKeys.inode(7, f.ino()), FsKeys.inodeEnd(7, f.ino()), 10, false)
                .isEmpty());
    }

    @Test
    void statfsComesFromTheSupplier() {
        FsStat s = fs.statfs();
        assertEquals(1L << 40, s.totalBytes());
        assertFalse(s.freeBytes() > s.totalBytes());
    }
}
