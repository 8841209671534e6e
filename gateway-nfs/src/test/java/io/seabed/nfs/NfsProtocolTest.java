package io.seabed.nfs;

import static io.seabed.nfs.Nfs3.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.nfs.client.NfsClient;
import io.seabed.nfs.client.NfsClient.Cred;
import io.seabed.nfs.client.NfsClient.NfsStatus;
import io.seabed.nfs.client.NfsClient.RpcRefused;
import io.seabed.nfs.client.NfsClient.Sattr;
import io.seabed.nfs.client.XdrWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every NFSv3 procedure and MOUNT call through a real socket, with the statuses RFC 1813 gives for its errors:
 * names, handles, permissions, exports, the reply cache, listings that change under their cookies.
 */
class NfsProtocolTest {
    @TempDir
    Path dir;

    NfsFixture fx;
    NfsClient c;
    byte[] root;

    static final ExportOptions OPEN = ExportOptions.parse("rw,no_root_squash");

    @BeforeEach
    void start() throws Exception {
        fx = new NfsFixture(dir);
        fx.bucket(7, "b", OPEN);
        fx.start();
        c = fx.client();
        root = c.mount("/b");
    }

    @AfterEach
    void stop() throws Exception {
        if (c != null) c.close();
        fx.close();
    }

    static void assertStatus(int status, Executable call) {
        assertStatus(status, call, "");
    }

    static void assertStatus(int status, Executable call, String why) {
        NfsStatus e = assertThrows(NfsStatus.class, call, why);
        assertEquals(status, e.status, why + ": " + e.getMessage());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void mountCalls() throws Exception {
        fx.bucket(8, "hidden", null);
        assertEquals(List.of("/b"), c.exports());
        assertArrayEquals(root, c.mount("b"), "with or without the slash");
        assertStatus(MNT_NOENT, () -> c.mount("/hidden"));
        assertStatus(MNT_NOENT, () -> c.mount("/nope"));
        assertStatus(MNT_NOENT, () -> c.mount("/b/sub"));
        byte[] sub = c.mkdir(root, "sub");
        byte[] deeper = c.mkdir(sub, "deeper");
        c.create(deeper, "file");
        assertArrayEquals(sub, c.mount("/b/sub"), "a directory below the bucket");
        assertArrayEquals(deeper, c.mount("/b/sub/./deeper/"));
        assertStatus(MNT_NOTDIR, () -> c.mount("/b/sub/deeper/file"));
        assertStatus(MNT_NOENT, () -> c.mount("/b/sub/../sub"));
        assertStatus(MNT_NOENT, () -> c.mount("/"));
        assertEquals(List.of("127.0.0.1 /b", "127.0.0.1 /b/sub", "127.0.0.1 /b/sub/deeper"), c.dump());
        c.umnt("/b");
        assertEquals(List.of("127.0.0.1 /b/sub", "127.0.0.1 /b/sub/deeper"), c.dump());
        c.mount("/b");
        c.umntAll();
        assertEquals(List.of(), c.dump());
        c.ping();
    }

    @Test
    void namesAndAttributes() throws Exception {
        NfsClient.Attr r = c.getattr(root);
        assertEquals(REG + 1, r.type());
        assertEquals(7, r.fsid());

        byte[] f = c.create(root, "f.txt", NfsClient.GUARDED, 0640, null);
        NfsClient.Attr a = c.getattr(f);
        assertEquals(REG, a.type());
        assertEquals(0640, a.mode() & 07777);
        assertEquals(0, a.size());
        assertArrayEquals(f, c.lookup(root, "f.txt"));
        assertArrayEquals(root, c.lookup(root, "."));
        assertArrayEquals(root, c.lookup(root, ".."));
        assertStatus(ERR_EXIST, () -> c.create(root, "f.txt"));
        assertArrayEquals(f, c.create(root, "f.txt", NfsClient.UNCHECKED, 0600, null), "UNCHECKED keeps the file");

        byte[] v = bytes("verifier");
        byte[] x = c.create(root, "x", NfsClient.EXCLUSIVE, 0, v);
        assertArrayEquals(x, c.create(root, "x", NfsClient.EXCLUSIVE, 0, v), "a retried EXCLUSIVE create");
        assertStatus(ERR_EXIST, () -> c.create(root, "x", NfsClient.EXCLUSIVE, 0, bytes("another!")));

        byte[] d = c.mkdir(root, "d");
        assertArrayEquals(root, c.lookup(d, ".."));
        assertStatus(ERR_EXIST, () -> c.mkdir(root, "d"));
        assertStatus(ERR_NOENT, () -> c.lookup(root, "missing"));
        assertStatus(ERR_NOTDIR, () -> c.lookup(f, "y"));
        assertStatus(ERR_NOTDIR, () -> c.mkdir(f, "y"));
        assertStatus(ERR_ISDIR, () -> c.create(root, "d", NfsClient.UNCHECKED, 0644, null));
        assertStatus(ERR_NAMETOOLONG, () -> c.lookup(root, "n".repeat(256)));
        assertStatus(ERR_NAMETOOLONG, () -> c.create(root, "n".repeat(256)));
        c.create(root, "n".repeat(255));
        assertStatus(ERR_INVAL, () -> c.lookup(root, new byte[] {'a', (byte) 0xFF, 'b'}));
        assertStatus(ERR_INVAL, () -> c.create(root, new byte[] {(byte) 0xC3}, NfsClient.GUARDED, 0644, null));
        assertStatus(ERR_INVAL, () -> c.create(root, "a/b"));
        assertStatus(ERR_INVAL, () -> c.create(root, ""));
        assertStatus(ERR_NOTSUPP, () -> c.mknodFifo(root, "fifo"));
        assertStatus(ERR_NOENT, () -> c.lookup(root, "fifo"));

        byte[] s = c.symlink(root, "link", "d/target");
        assertEquals("d/target", c.readlink(s));
        assertEquals(5, c.getattr(s).type());
        assertStatus(ERR_INVAL, () -> c.readlink(f));

        NfsClient.Attr linked = c.link(f, d, "hard");
        assertEquals(2, linked.nlink());
        assertArrayEquals(f, c.lookup(d, "hard"));
        assertStatus(ERR_ISDIR, () -> c.link(d, root, "dirlink"));
        assertStatus(ERR_EXIST, () -> c.link(f, root, "x"));
    }

    @Test
    void setattr() throws Exception {
        byte[] f = c.create(root, "f");
        c.write(f, 0, bytes("hello world"), NfsClient.FILE_SYNC);
        NfsClient.Attr a = c.setattr(f, Sattr.size(5), null);
        assertEquals(5, a.size());
        assertEquals("hello", new String(c.read(f, 0, 100).bytes(), StandardCharsets.UTF_8));
        a = c.setattr(f, Sattr.mode(0600), null);
        assertEquals(0600, a.mode() & 07777);
        long ctime = c.getattr(f).ctimeNanos();
        assertStatus(ERR_NOT_SYNC, () -> c.setattr(f, Sattr.mode(0644), ctime - 1));
        c.setattr(f, Sattr.mode(0644), ctime);
        long t = 1_600_000_000_123_456_789L;
        a = c.setattr(f, new Sattr(null, null, null, null, t, t), null);
        assertEquals(t, a.mtimeNanos());
        assertEquals(t, a.atimeNanos());
        a = c.setattr(f, new Sattr(null, 1000, 100, null, null, null), null);
        assertEquals(1000, a.uid());
        assertEquals(100, a.gid());
        byte[] d = c.mkdir(root, "d");
        assertStatus(ERR_ISDIR, () -> c.setattr(d, Sattr.size(0), null));

        // Not the owner: no chmod, chown or explicit times; the owner may chmod and set times.
        c.as(Cred.sys(2000, 200));
        assertStatus(ERR_PERM, () -> c.setattr(f, Sattr.mode(0777), null));
        assertStatus(ERR_PERM, () -> c.setattr(f, new Sattr(null, 2000, null, null, null, null), null));
        assertStatus(ERR_PERM, () -> c.setattr(f, new Sattr(null, null, null, null, t, null), null));
        assertStatus(ERR_ACCES, () -> c.setattr(f, Sattr.size(0), null));
        c.as(Cred.sys(1000, 100));
        assertEquals(0700, c.setattr(f, Sattr.mode(0700), null).mode() & 07777);
        assertStatus(ERR_PERM, () -> c.setattr(f, new Sattr(null, 0, null, null, null, null), null));
        assertStatus(ERR_PERM, () -> c.setattr(f, new Sattr(null, null, 300, null, null, null), null));
        assertEquals(
                300,
                c.as(Cred.sys(1000, 100, 300))
                        .setattr(f, new Sattr(null, null, 300, null, null, null), null)
                        .gid());
    }

    @Test
    void removeRmdirRename() throws Exception {
        byte[] d = c.mkdir(root, "d");
        byte[] f = c.create(d, "f");
        assertStatus(ERR_ISDIR, () -> c.remove(root, "d"));
        assertStatus(ERR_NOTEMPTY, () -> c.rmdir(root, "d"));
        assertStatus(ERR_NOTDIR, () -> c.rmdir(d, "f"));
        assertStatus(ERR_NOENT, () -> c.remove(root, "nothing"));

        c.rename(d, "f", d, "g");
        assertStatus(ERR_NOENT, () -> c.lookup(d, "f"));
        assertArrayEquals(f, c.lookup(d, "g"), "a renamed file keeps its handle");
        byte[] e = c.mkdir(root, "e");
        c.rename(d, "g", e, "h");
        assertArrayEquals(f, c.lookup(e, "h"));
        byte[] sub = c.mkdir(d, "sub");
        assertStatus(ERR_INVAL, () -> c.rename(root, "d", sub, "loop"));
        assertStatus(ERR_INVAL, () -> c.rename(root, "d", d, "self"));
        c.rename(root, "d", e, "moved");
        assertArrayEquals(d, c.lookup(e, "moved"));
        assertArrayEquals(e, c.lookup(d, ".."), "the moved directory's parent");
        assertStatus(ERR_ISDIR, () -> c.rename(e, "h", e, "moved"));
        assertStatus(ERR_NOTDIR, () -> c.rename(e, "moved", e, "h"));

        c.remove(e, "h");
        assertStatus(ERR_STALE, () -> c.getattr(f));
        assertStatus(ERR_STALE, () -> c.read(f, 0, 10));
        c.rmdir(d, "sub");
        assertStatus(ERR_STALE, () -> c.getattr(sub));
        assertStatus(ERR_STALE, () -> c.create(sub, "x"));
    }

    @Test
    void handlesAreCheckedAndSigned() throws Exception {
        byte[] f = c.create(root, "f");
        byte[] forged = f.clone();
        forged[10] ^= 1; // another inode id, MAC unchanged
        assertStatus(ERR_BADHANDLE, () -> c.getattr(forged));
        byte[] badMac = f.clone();
        badMac[badMac.length - 1] ^= 1;
        assertStatus(ERR_BADHANDLE, () -> c.getattr(badMac));
        assertStatus(ERR_BADHANDLE, () -> c.getattr(new byte[0]));
        assertStatus(ERR_BADHANDLE, () -> c.getattr(new byte[40]));
        byte[] version = f.clone();
        version[0] = 9;
        assertStatus(ERR_BADHANDLE, () -> c.getattr(version));

        // A handle signed with another key is not ours.
        Handles other = new Handles("another key of at least 16 bytes".getBytes());
        assertStatus(ERR_BADHANDLE, () -> c.getattr(other.make(7, 1, 0)));
        // Ours, for a bucket that is gone or not exported: STALE.
        Handles ours = new Handles(NfsFixture.KEY);
        assertStatus(ERR_STALE, () -> c.getattr(ours.make(99, 1, 0)));
        fx.bucket(8, "private", null);
        assertStatus(ERR_STALE, () -> c.getattr(ours.make(8, io.seabed.namespace.fs.HierarchicalFs.ROOT, 0)));
        // The right inode with another generation: it was reused, STALE.
        Handles.Handle h = ours.parse(f);
        assertStatus(ERR_STALE, () -> c.getattr(ours.make(h.bucket(), h.ino(), h.generation() + 1)));
    }

    @Test
    void permissionsAndSquash() throws Exception {
        byte[] open = c.mkdir(root, "open", 0777);
        byte[] closed = c.mkdir(root, "closed", 0700);
        c.as(Cred.sys(1000, 100));
        byte[] mine = c.create(open, "mine");
        assertEquals(1000, c.getattr(mine).uid());
        assertEquals(100, c.getattr(mine).gid());
        assertStatus(ERR_ACCES, () -> c.create(root, "x"), "root's directory is 0755");
        assertStatus(ERR_ACCES, () -> c.lookup(closed, "x"), "no search permission");
        assertStatus(ERR_ACCES, () -> c.mkdir(root, "x"));
        assertStatus(ERR_ACCES, () -> c.remove(root, "open"));
        c.setattr(mine, Sattr.mode(0600), null);
        c.as(Cred.sys(2000, 100));
        assertStatus(ERR_ACCES, () -> c.read(mine, 0, 10));
        assertStatus(ERR_ACCES, () -> c.write(mine, 0, bytes("x"), NfsClient.FILE_SYNC));
        assertEquals(0, c.access(mine, 0x3F));
        c.as(Cred.sys(1000, 100));
        assertEquals(ACCESS_READ | ACCESS_MODIFY | ACCESS_EXTEND, c.access(mine, 0x3F));
        assertEquals(ACCESS_READ | ACCESS_LOOKUP, c.access(root, 0x3F));
        c.as(Cred.sys(0, 0));
        assertEquals(0x1F, c.access(root, 0x3F));

        // Squashing: root becomes nobody under root_squash; everyone under all_squash.
        fx.exports.put("b", ExportOptions.parse("rw,root_squash"));
        assertStatus(ERR_ACCES, () -> c.create(root, "as-root"));
        byte[] squashed = c.create(open, "squashed");
        assertEquals(ExportOptions.NOBODY, c.getattr(squashed).uid());
        fx.exports.put("b", ExportOptions.parse("rw,all_squash,anonuid=5000,anongid=50"));
        c.as(Cred.sys(1000, 100));
        assertEquals(5000, c.getattr(c.create(open, "all")).uid());

        // AUTH_NONE is refused unless the export allows it, and then it is the anonymous identity.
        c.as(Cred.none());
        RpcRefused refused = assertThrows(RpcRefused.class, () -> c.getattr(root));
        assertTrue(refused.denied);
        assertEquals(1, refused.stat, "AUTH_ERROR");
        assertEquals(5, refused.authStat, "AUTH_TOOWEAK");
        fx.exports.put("b", ExportOptions.parse("rw,auth_none,anonuid=6000,anongid=60"));
        assertEquals(6000, c.getattr(c.create(open, "anon")).uid());
    }

    @Test
    void exportsDecide() throws Exception {
        byte[] f = c.create(root, "f");
        fx.exports.put("b", ExportOptions.parse("ro,no_root_squash"));
        assertStatus(ERR_ROFS, () -> c.create(root, "g"));
        assertStatus(ERR_ROFS, () -> c.mkdir(root, "g"));
        assertStatus(ERR_ROFS, () -> c.write(f, 0, bytes("x"), NfsClient.UNSTABLE));
        assertStatus(ERR_ROFS, () -> c.setattr(f, Sattr.size(0), null));
        assertStatus(ERR_ROFS, () -> c.remove(root, "f"));
        assertStatus(ERR_ROFS, () -> c.rename(root, "f", root, "g"));
        assertStatus(ERR_ROFS, () -> c.symlink(root, "s", "f"));
        assertStatus(ERR_ROFS, () -> c.link(f, root, "l"));
        assertStatus(ERR_ROFS, () -> c.mknodFifo(root, "p"));
        assertEquals(ACCESS_READ | ACCESS_LOOKUP, c.access(root, 0x3F));
        c.getattr(f);
        c.read(f, 0, 1);

        fx.exports.put("b", ExportOptions.parse("rw,clients=10.0.0.0/8"));
        assertStatus(ERR_ACCES, () -> c.getattr(f));
        assertStatus(MNT_ACCES, () -> c.mount("/b"));
        fx.exports.put("b", ExportOptions.parse("rw,clients=10.0.0.0/8;127.0.0.0/8"));
        c.getattr(f);
        fx.exports.remove("b");
        assertStatus(ERR_STALE, () -> c.getattr(f));
        assertStatus(MNT_NOENT, () -> c.mount("/b"));
    }

    @Test
    void readWriteCommit() throws Exception {
        byte[] f = c.create(root, "data");
        byte[] one = new byte[NfsConfig.IO_BYTES];
        new java.util.Random(1).nextBytes(one);
        NfsClient.Written w = c.write(f, 0, one, NfsClient.UNSTABLE);
        assertEquals(one.length, w.count());
        assertEquals(NfsClient.UNSTABLE, w.committed());
        assertEquals(one.length, w.after().size(), "gathered bytes count in the size");
        assertEquals(one.length, c.getattr(f).size());
        NfsClient.Written w2 = c.write(f, one.length, one, NfsClient.UNSTABLE);
        assertArrayEquals(w.verifier(), w2.verifier());
        // A sparse write past the end, stable.
        NfsClient.Written w3 = c.write(f, 5L * one.length, bytes("tail"), NfsClient.FILE_SYNC);
        assertEquals(NfsClient.FILE_SYNC, w3.committed());
        assertArrayEquals(w.verifier(), c.commit(f));
        assertEquals(5L * one.length + 4, c.getattr(f).size());

        NfsClient.Data d = c.read(f, 0, one.length);
        assertArrayEquals(one, d.bytes());
        assertFalse(d.eof());
        assertArrayEquals(one, c.read(f, one.length, one.length).bytes());
        assertArrayEquals(new byte[100], c.read(f, 3L * one.length, 100).bytes(), "a hole reads as zeros");
        NfsClient.Data end = c.read(f, 5L * one.length, 100);
        assertEquals("tail", new String(end.bytes(), StandardCharsets.UTF_8));
        assertTrue(end.eof());
        NfsClient.Data past = c.read(f, 10L * one.length, 100);
        assertEquals(0, past.bytes().length);
        assertTrue(past.eof());
        assertEquals(NfsConfig.IO_BYTES, c.read(f, 0, 8 * NfsConfig.IO_BYTES).bytes().length, "reads capped at rtmax");

        // Overwrite in place, unstable, then read without COMMIT: the read sees the gathered bytes.
        c.write(f, 2, bytes("XY"), NfsClient.UNSTABLE);
        byte[] head = c.read(f, 0, 4).bytes();
        assertEquals('X', head[2]);
        assertEquals('Y', head[3]);
        assertEquals(one[0], head[0]);

        byte[] d2 = c.mkdir(root, "dir");
        assertStatus(ERR_ISDIR, () -> c.read(d2, 0, 1));
        assertStatus(ERR_ISDIR, () -> c.write(d2, 0, bytes("x"), NfsClient.FILE_SYNC));
        byte[] s = c.symlink(root, "s", "data");
        assertStatus(ERR_INVAL, () -> c.read(s, 0, 1));
        assertStatus(ERR_FBIG, () -> c.write(f, Long.MAX_VALUE - 2, bytes("xyz"), NfsClient.FILE_SYNC));

        // A WRITE whose count does not match its data.
        XdrWriter x = new XdrWriter()
                .opaque(f)
                .u64(0)
                .u32(10)
                .u32(NfsClient.FILE_SYNC)
                .opaque(bytes("abc"));
        assertEquals(
                ERR_INVAL,
                c.call(NfsClient.NFS_PROGRAM, WRITE, x.toByteArray()).body().u32());
    }

    @Test
    void fileSystemInfo() throws Exception {
        long[] st = c.fsstat(root);
        assertEquals(1L << 40, st[0]);
        assertEquals(1L << 39, st[1]);
        NfsClient.FsInfo info = c.fsinfo(root);
        assertEquals(NfsConfig.IO_BYTES, info.rtmax());
        assertEquals(NfsConfig.IO_BYTES, info.wtmax());
        assertTrue(info.maxFileSize() > 1L << 40);
        assertEquals(0x1B, info.properties());
        int[] pc = c.pathconf(root);
        assertEquals(255, pc[1]);
    }

    @Test
    void readdirPagesAndCookies() throws Exception {
        byte[] d = c.mkdir(root, "d");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String n = "file-" + i + "-" + "x".repeat(i % 40);
            c.create(d, n);
            names.add(n);
        }
        // Small pages: every entry once, "." and ".." included by READDIR.
        List<String> seen = new ArrayList<>();
        long cookie = 0;
        byte[] verf = new byte[8];
        int pages = 0;
        while (true) {
            NfsClient.DirPage page = c.readdir(d, cookie, verf, 1024);
            seen.addAll(page.names());
            pages++;
            if (page.eof()) break;
            cookie = page.lastCookie(cookie);
            verf = page.verifier();
        }
        assertTrue(pages > 10, pages + " pages");
        assertTrue(seen.contains(".") && seen.contains(".."));
        seen.remove(".");
        seen.remove("..");
        assertEquals(names, new HashSet<>(seen));
        assertEquals(seen.size(), new HashSet<>(seen).size(), "no entry twice");

        // READDIRPLUS: attributes and handles that work.
        List<NfsClient.Entry> plus = c.list(d, 4096);
        for (NfsClient.Entry e : plus) {
            if (e.name().equals(".") || e.name().equals("..")) continue;
            assertNotNull(e.attr());
            assertEquals(e.fileId(), c.getattr(e.handle()).fileId());
        }

        // A listing resumed while the directory changes: entries present throughout are seen exactly once.
        NfsClient.DirPage first = c.readdirplus(d, 0, new byte[8], 2048, 2048);
        List<String> resumed = new ArrayList<>(first.names());
        for (int i = 0; i < 50; i++) c.remove(d, "file-" + (299 - i) + "-" + "x".repeat((299 - i) % 40));
        for (int i = 0; i < 50; i++) c.create(d, "new-" + i);
        cookie = first.lastCookie(0);
        verf = first.verifier();
        while (true) {
            NfsClient.DirPage page = c.readdirplus(d, cookie, verf, 2048, 2048);
            resumed.addAll(page.names());
            if (page.eof()) break;
            cookie = page.lastCookie(cookie);
            verf = page.verifier();
        }
        for (int i = 0; i < 250; i++) {
            String n = "file-" + i + "-" + "x".repeat(i % 40);
            assertEquals(1, resumed.stream().filter(n::equals).count(), n);
        }

        // Too small for one entry; a cookie from nowhere; a directory expected.
        assertStatus(ERR_TOOSMALL, () -> c.readdir(d, 0, new byte[8], 10));
        assertStatus(ERR_BAD_COOKIE, () -> c.readdir(d, 1L << 62, new byte[8], 4096));
        byte[] f = c.create(root, "plain");
        assertStatus(ERR_NOTDIR, () -> c.readdir(f, 0, new byte[8], 4096));
    }

    @Test
    void retransmissionsAreAnsweredFromTheReplyCache() throws Exception {
        c.create(root, "victim");
        int xid = c.newXid();
        byte[] args = new XdrWriter().opaque(root).string("victim").toByteArray();
        assertEquals(OK, c.call(NfsClient.NFS_PROGRAM, REMOVE, xid, args).body().u32());
        assertEquals(OK, c.call(NfsClient.NFS_PROGRAM, REMOVE, xid, args).body().u32(), "the retransmission");
        assertEquals(
                ERR_NOENT, c.call(NfsClient.NFS_PROGRAM, REMOVE, args).body().u32(), "a new call");

        // CREATE GUARDED retried: the same handle, not EXIST.
        int cx = c.newXid();
        XdrWriter create = new XdrWriter().opaque(root).string("made").u32(NfsClient.GUARDED);
        create.bool(true).u32(0644).bool(false).bool(false).bool(false).u32(0).u32(0);
        NfsClient.Reply r1 = c.call(NfsClient.NFS_PROGRAM, CREATE, cx, create.toByteArray());
        NfsClient.Reply r2 = c.call(NfsClient.NFS_PROGRAM, CREATE, cx, create.toByteArray());
        assertEquals(OK, r1.body().u32());
        assertEquals(OK, r2.body().u32());

        // RENAME retried.
        int rx = c.newXid();
        byte[] rename = new XdrWriter()
                .opaque(root)
                .string("made")
                .opaque(root)
                .string("renamed")
                .toByteArray();
        assertEquals(
                OK, c.call(NfsClient.NFS_PROGRAM, RENAME, rx, rename).body().u32());
        assertEquals(
                OK, c.call(NfsClient.NFS_PROGRAM, RENAME, rx, rename).body().u32());
        c.lookup(root, "renamed");
    }

    @Test
    void portmapperAnswersForNfsAndMountOnly() throws Exception {
        fx.server.close();
        fx.start(NfsConfig.defaults("127.0.0.1", 0).withPortmap(0));
        int nfsPort = fx.server.port();
        try (NfsClient pm = new NfsClient("127.0.0.1", fx.server.portmapPort())) {
            java.util.function.IntBinaryOperator getport = (program, version) -> {
                try {
                    byte[] args = new XdrWriter()
                            .u32(program)
                            .u32(version)
                            .u32(6)
                            .u32(0)
                            .toByteArray();
                    return pm.call(100000, 2, 3, pm.newXid(), args).body().u32();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            assertEquals(nfsPort, getport.applyAsInt(100003, 3));
            assertEquals(nfsPort, getport.applyAsInt(100005, 3));
            assertEquals(0, getport.applyAsInt(100003, 4), "NFSv4 is not served");
            assertEquals(0, getport.applyAsInt(100021, 4), "nor NLM");
            byte[] udp = new XdrWriter().u32(100003).u32(3).u32(17).u32(0).toByteArray();
            assertEquals(0, pm.call(100000, 2, 3, pm.newXid(), udp).body().u32(), "nor UDP");
            // SET is refused: nobody can redirect another client's mounts.
            byte[] set = new XdrWriter().u32(100003).u32(3).u32(6).u32(1).toByteArray();
            assertFalse(pm.call(100000, 2, 1, pm.newXid(), set).body().bool());
            assertEquals(nfsPort, getport.applyAsInt(100003, 3));
            io.seabed.nfs.client.XdrReader dump =
                    pm.call(100000, 2, 4, pm.newXid(), new byte[0]).body();
            int mappings = 0;
            while (dump.bool()) {
                dump.u32();
                dump.u32();
                assertEquals(6, dump.u32());
                assertEquals(nfsPort, dump.u32());
                mappings++;
            }
            assertEquals(2, mappings);
        }
        // Over UDP on the same port (rpcinfo, showmount and mount.nfs ask there).
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            udp.setSoTimeout(10_000);
            XdrWriter call =
                    new XdrWriter().u32(77).u32(0).u32(2).u32(100000).u32(2).u32(3);
            call.u32(0).u32(0).u32(0).u32(0); // AUTH_NONE credential and verifier
            call.u32(100005).u32(3).u32(6).u32(0);
            byte[] out = call.toByteArray();
            udp.send(new java.net.DatagramPacket(
                    out, out.length, java.net.InetAddress.getLoopbackAddress(), fx.server.portmapPort()));
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[512], 512);
            udp.receive(in);
            java.nio.ByteBuffer reply = java.nio.ByteBuffer.wrap(in.getData(), 0, in.getLength());
            assertEquals(77, reply.getInt());
            assertEquals(1, reply.getInt(), "a reply");
            assertEquals(0, reply.getInt(), "accepted");
            reply.getInt(); // verifier flavor
            int verifierBytes = reply.getInt();
            reply.position(reply.position() + verifierBytes);
            assertEquals(0, reply.getInt(), "SUCCESS");
            assertEquals(nfsPort, reply.getInt(), java.util.HexFormat.of().formatHex(in.getData(), 0, in.getLength()));
        }
        // Then the NFS port as usual.
        c.close();
        c = fx.client();
        c.getattr(c.mount("/b"));
    }

    @Test
    void rpcLevelErrors() throws Exception {
        // Unknown procedure, program, version; arguments that do not decode.
        RpcRefused e = assertThrows(RpcRefused.class, () -> c.call(NfsClient.NFS_PROGRAM, 22, new byte[0]));
        assertEquals(3, e.stat, "PROC_UNAVAIL");
        e = assertThrows(RpcRefused.class, () -> c.call(100_099, 0, new byte[0]));
        assertEquals(1, e.stat, "PROG_UNAVAIL");
        e = assertThrows(RpcRefused.class, () -> c.call(NfsClient.NFS_PROGRAM, GETATTR, new byte[] {0, 0, 0, 5}));
        assertEquals(4, e.stat, "GARBAGE_ARGS: a handle longer than the call");
        e = assertThrows(
                RpcRefused.class,
                () -> c.call(
                        NfsClient.NFS_PROGRAM, GETATTR, new XdrWriter().u32(65).toByteArray()));
        assertEquals(4, e.stat, "a handle over 64 bytes");
        e = assertThrows(
                RpcRefused.class,
                () -> c.call(
                        NfsClient.NFS_PROGRAM,
                        REMOVE,
                        new XdrWriter().opaque(root).toByteArray()));
        assertEquals(4, e.stat, "REMOVE without a name");
        // The connection still serves.
        c.getattr(root);
    }
}
