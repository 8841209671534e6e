package io.seabed.namespace.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.BaseStoreConfig;
import io.seabed.basestore.LocalBaseStoreClient;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import io.seabed.namespace.BodySource;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.ObjectMetadata;
import io.seabed.namespace.User;
import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.DirEntry;
import io.seabed.namespace.fs.DirPage;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FileType;
import io.seabed.namespace.fs.FsException;
import io.seabed.namespace.fs.FsException.Status;
import io.seabed.namespace.tenant.SecretSealer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flat bucket's read-only file-system view. Goals: directories come from key prefixes, names the tree cannot
 * show stay hidden, a directory wins over an object of the same name, listings page by cookie, ids resolve on a
 * fresh instance (another gateway), a vanished object is STALE and every change ROFS.
 */
class FlatFsTest {
    @TempDir
    Path dir;

    RaftMetaKv kv;
    LocalBaseStoreClient store;
    Namespace ns;
    Bucket bucket;

    @BeforeEach
    void open() {
        kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")));
        store = LocalBaseStoreClient.open(
                List.of(dir.resolve("t0"), dir.resolve("t1"), dir.resolve("t2")), BaseStoreConfig.DEFAULTS);
        ns = new Namespace(
                kv, store, new SecretSealer(new byte[32]), NamespaceConfig.defaults(), InstantSource.system());
        User user = ns.tenants()
                .ensureRoot("AKTEST0000000000000", "secret-secret-secret")
                .user();
        bucket = ns.createBucket(user, "flat");
    }

    @AfterEach
    void close() {
        ns.close();
        store.close();
        kv.close();
    }

    void put(String key, byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        ns.putObject(bucket, key, data.length, ObjectMetadata.EMPTY, new BodySource() {
            @Override
            public int read(ByteBuffer output) {
                if (!b.hasRemaining()) return -1;
                int n = Math.min(output.remaining(), b.remaining());
                output.put(b.slice(b.position(), n));
                b.position(b.position() + n);
                return n;
            }

            @Override
            public void verify(byte[] md5) {}
        });
    }

    static List<String> names(DirPage page) {
        List<String> out = new ArrayList<>();
        for (DirEntry e : page.entries()) out.add(e.name());
        return out;
    }

    @Test
    void directoriesComeFromPrefixes() {
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        put("a/b/c.bin", data);
        put("a/d.txt", "d".getBytes(StandardCharsets.UTF_8));
        put("a/b/", new byte[0]); // a directory marker: not a file of its own
        put("top", "t".getBytes(StandardCharsets.UTF_8));
        put("dup", "object".getBytes(StandardCharsets.UTF_8));
        put("dup/inner", "i".getBytes(StandardCharsets.UTF_8));
        put("x//y", new byte[1]);
        put("z/../w", new byte[1]);
        FileSystem fs = ns.fileSystem(bucket);
        long root = fs.rootIno();
        assertEquals(List.of(".", "..", "a", "dup", "top", "x", "z"), names(fs.readdir(root, 0, 100, true)));
        Attr a = fs.lookup(root, "a");
        assertEquals(FileType.DIRECTORY, a.type());
        assertEquals(List.of(".", "..", "b", "d.txt"), names(fs.readdir(a.ino(), 0, 100, false)));
        Attr b = fs.lookup(a.ino(), "b");
        assertEquals(List.of(".", "..", "c.bin"), names(fs.readdir(b.ino(), 0, 100, false)));
        Attr c = fs.lookup(b.ino(), "c.bin");
        assertEquals(data.length, c.size());
        ByteBuffer back = ByteBuffer.allocate(data.length + 10);
        assertEquals(data.length, fs.read(c.ino(), 0, back));
        assertArrayEquals(data, java.util.Arrays.copyOf(back.array(), data.length));
        assertEquals(FileType.DIRECTORY, fs.lookup(root, "dup").type()); // the directory wins
        assertEquals(List.of(".", ".."), names(fs.readdir(fs.lookup(root, "x").ino(), 0, 100, false)));
        assertEquals(a.ino(), fs.lookup(b.ino(), "..").ino());

        // Paging by cookie, one entry at a time.
        List<String> paged = new ArrayList<>();
        long cookie = 0;
        for (int pages = 0; ; pages++) {
            assertTrue(pages < 20, "paging does not end: " + paged);
            DirPage page = fs.readdir(root, cookie, 1, false);
            paged.addAll(names(page));
            if (page.eof()) break;
            cookie = page.entries().getLast().cookie();
        }
        assertEquals(List.of(".", "..", "a", "dup", "top", "x", "z"), paged);

        // Another gateway resolves the same ids (from the recorded paths).
        FlatFs other = new FlatFs(
                kv, bucket, new ObjectStore(kv, store, NamespaceConfig.defaults(), InstantSource.system()), fs::statfs);
        assertEquals(c, other.getattr(c.ino()));

        // Read-only, and STALE once the object is gone.
        FsException e = assertThrows(
                FsException.class, () -> fs.create(root, "n", FileSystem.CreateMode.GUARDED, 0644, 0, 0, null));
        assertEquals(Status.ROFS, e.status());
        e = assertThrows(FsException.class, () -> fs.write(c.ino(), 0, ByteBuffer.allocate(1)));
        assertEquals(Status.ROFS, e.status());
        e = assertThrows(FsException.class, () -> fs.lookup(root, "nothing"));
        assertEquals(Status.NOENT, e.status());
        ns.deleteObject(bucket, "a/b/c.bin");
        e = assertThrows(FsException.class, () -> fs.getattr(c.ino()));
        assertEquals(Status.STALE, e.status());
        assertNotEquals(c.generation(), a.generation());
        assertTrue(fs.readdir(b.ino(), 0, 100, false).eof());
    }
}
