package io.seabed.nfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.nfs.client.NfsClient;
import io.seabed.nfs.client.XdrWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NFS front under what clients and networks do to it: gateways restarting and running side by side, garbage
 * on the wire, oversized records, too many connections, more calls than workers, renames racing listings.
 */
class NfsRobustnessTest {
    @TempDir
    Path dir;

    NfsFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new NfsFixture(dir);
        fx.bucket(7, "b", ExportOptions.parse("rw,no_root_squash"));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void handlesOutliveTheGatewayAndWorkOnAnother() throws Exception {
        NfsServer first = fx.start();
        byte[] file;
        byte[] verifier;
        try (NfsClient c = fx.client()) {
            byte[] root = c.mount("/b");
            byte[] d = c.mkdir(root, "d");
            file = c.create(d, "f");
            verifier = c.write(file, 0, "kept".getBytes(), NfsClient.FILE_SYNC).verifier();
        }
        // A second gateway with the same key serves the same handles at once.
        try (NfsServer second = NfsServer.start(
                        NfsConfig.defaults("127.0.0.1", 0), fx.fileSystems, fx.exportTable, NfsFixture.KEY);
                NfsClient c = new NfsClient("127.0.0.1", second.port())) {
            assertEquals(4, c.getattr(file).size());
            assertNotEquals(
                    ByteBuffer.wrap(verifier), ByteBuffer.wrap(c.commit(file)), "each gateway has its own verifier");
        }
        first.close();
        fx.start();
        try (NfsClient c = fx.client()) {
            assertEquals("kept", new String(c.read(file, 0, 10).bytes(), StandardCharsets.UTF_8));
            byte[] after = c.write(file, 4, "!".getBytes(), NfsClient.UNSTABLE).verifier();
            assertFalse(java.util.Arrays.equals(verifier, after), "the write verifier changes on restart");
            assertArrayEquals(after, c.commit(file));
        }
    }

    @Test
    void unstableWritesGatheredAtCloseAreWritten() throws Exception {
        fx.start();
        byte[] file;
        byte[] data = new byte[3 * NfsConfig.IO_BYTES + 17];
        new Random(3).nextBytes(data);
        try (NfsClient c = fx.client()) {
            file = c.create(c.mount("/b"), "f");
            for (int at = 0; at < data.length; at += NfsConfig.IO_BYTES) {
                int n = Math.min(NfsConfig.IO_BYTES, data.length - at);
                c.write(file, at, ByteBuffer.wrap(data, at, n), NfsClient.UNSTABLE);
            }
        }
        fx.server.close();
        fx.start();
        try (NfsClient c = fx.client()) {
            ByteBuffer back = ByteBuffer.allocate(data.length);
            while (back.hasRemaining()) if (c.read(file, back.position(), back) < 0) break;
            assertArrayEquals(data, back.array());
        }
    }

    @Test
    void writesBehindAreSeenByReadsAndAttributesAndCompleteAtCommit() throws Exception {
        fx.start();
        int mib = NfsConfig.IO_BYTES;
        byte[] data = new byte[72 * mib + 3];
        new Random(9).nextBytes(data);
        try (NfsClient c = fx.client()) {
            byte[] file = c.create(c.mount("/b"), "big");
            for (int at = 0; at < data.length; at += mib) {
                int n = Math.min(mib, data.length - at);
                c.write(file, at, ByteBuffer.wrap(data, at, n), NfsClient.UNSTABLE);
                // While earlier bytes are written behind, the size and any byte read are already the new ones.
                assertEquals(at + n, c.getattr(file).size());
                if (at % (20 * mib) == 0)
                    assertArrayEquals(
                            java.util.Arrays.copyOfRange(data, at, at + n),
                            c.read(file, at, n).bytes());
            }
            c.commit(file);
            assertEquals(0, fx.server.serverFaults());
        }
        // Committed: a new gateway (nothing gathered) reads every byte.
        fx.server.close();
        fx.start();
        try (NfsClient c = fx.client()) {
            byte[] file = c.lookup(c.mount("/b"), "big");
            ByteBuffer back = ByteBuffer.allocate(data.length);
            while (back.hasRemaining()) if (c.read(file, back.position(), back) < 0) break;
            assertArrayEquals(data, back.array());
        }
    }

    @Test
    void readAheadNeverAnswersBytesAWriteReplaced() throws Exception {
        fx.start();
        int mib = NfsConfig.IO_BYTES;
        byte[] data = new byte[20 * mib + 11];
        new Random(12).nextBytes(data);
        try (NfsClient c = fx.client()) {
            byte[] file = c.create(c.mount("/b"), "seq");
            for (int at = 0; at < data.length; at += mib)
                c.write(file, at, ByteBuffer.wrap(data, at, Math.min(mib, data.length - at)), NfsClient.FILE_SYNC);
            long ino = new Handles(NfsFixture.KEY).parse(file).ino();
            for (int round = 0; round < 3; round++) {
                byte[] back = new byte[data.length];
                for (int at = 0; at < data.length; at += mib) {
                    byte[] got = c.read(file, at, mib).bytes();
                    System.arraycopy(got, 0, back, at, got.length);
                    // Mid-read, the bytes ahead change: through this gateway (stable, then unstable) and
                    // through the file system directly, as another gateway would.
                    if (at == 4 * mib) {
                        byte[] patch = ("round " + round + " stable").getBytes();
                        System.arraycopy(patch, 0, data, 6 * mib + 5, patch.length);
                        c.write(file, 6 * mib + 5, patch, NfsClient.FILE_SYNC);
                    }
                    if (at == 8 * mib) {
                        byte[] patch = ("round " + round + " unstable").getBytes();
                        System.arraycopy(patch, 0, data, 10 * mib + 7, patch.length);
                        c.write(file, 10 * mib + 7, patch, NfsClient.UNSTABLE);
                    }
                    if (at == 12 * mib) {
                        byte[] patch = ("round " + round + " elsewhere").getBytes();
                        System.arraycopy(patch, 0, data, 14 * mib + 9, patch.length);
                        fx.byId.get(7L).write(ino, 14 * mib + 9, ByteBuffer.wrap(patch));
                    }
                }
                assertArrayEquals(data, back, "round " + round);
            }
        }
    }

    /** A tree's names, types, sizes and contents, to show garbage changed nothing. */
    private static String snapshot(NfsClient c, byte[] dir, String path) throws IOException {
        StringBuilder out = new StringBuilder();
        for (NfsClient.Entry e : c.list(dir, 8192)) {
            if (e.name().equals(".") || e.name().equals("..")) continue;
            out.append(path)
                    .append('/')
                    .append(e.name())
                    .append(' ')
                    .append(e.attr().type())
                    .append(' ');
            out.append(e.attr().size()).append(' ').append(e.attr().mode()).append('\n');
            if (e.attr().type() == 2) out.append(snapshot(c, e.handle(), path + "/" + e.name()));
            else if (e.attr().type() == 1)
                out.append(java.util.HexFormat.of()
                                .formatHex(c.read(e.handle(), 0, 1 << 16).bytes()))
                        .append('\n');
        }
        return out.toString();
    }

    private static byte[] call(int xid, int program, int procedure, byte[] args) {
        XdrWriter x = new XdrWriter().u32(xid).u32(0).u32(2).u32(program).u32(3).u32(procedure);
        x.u32(1)
                .opaque(new XdrWriter()
                        .u32(0)
                        .string("fuzz")
                        .u32(0)
                        .u32(0)
                        .u32(0)
                        .toByteArray());
        x.u32(0).u32(0);
        x.fixed(args);
        return x.toByteArray();
    }

    private static byte[] record(byte[] body) {
        return ByteBuffer.allocate(body.length + 4)
                .putInt(0x80000000 | body.length)
                .put(body)
                .array();
    }

    @Test
    void garbageNeverCrashesTheGatewayOrChangesData() throws Exception {
        fx.start();
        byte[] root;
        byte[] file;
        String before;
        List<byte[]> valid = new ArrayList<>();
        try (NfsClient c = fx.client()) {
            root = c.mount("/b");
            byte[] d = c.mkdir(root, "d");
            file = c.create(d, "f");
            c.write(file, 0, "precious".getBytes(), NfsClient.FILE_SYNC);
            c.symlink(root, "s", "d/f");
            before = snapshot(c, root, "");
            // Calls that would change things, were their handles not forged below.
            valid.add(call(1, 100003, 12, new XdrWriter().opaque(d).string("f").toByteArray()));
            valid.add(call(
                    1,
                    100003,
                    7,
                    new XdrWriter()
                            .opaque(file)
                            .u64(0)
                            .u32(3)
                            .u32(2)
                            .opaque("bad".getBytes())
                            .toByteArray()));
            valid.add(call(
                    1,
                    100003,
                    2,
                    new XdrWriter()
                            .opaque(file)
                            .bool(false)
                            .bool(false)
                            .bool(false)
                            .bool(true)
                            .u64(0)
                            .u32(0)
                            .u32(0)
                            .bool(false)
                            .toByteArray()));
            valid.add(call(
                    1,
                    100003,
                    14,
                    new XdrWriter()
                            .opaque(d)
                            .string("f")
                            .opaque(root)
                            .string("g")
                            .toByteArray()));
            valid.add(
                    call(1, 100003, 13, new XdrWriter().opaque(root).string("d").toByteArray()));
        }
        Random random = new Random(20261203);
        int sent = 0;
        for (int round = 0; round < 60; round++) {
            try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 50; i++) {
                    byte[] frame =
                            switch (random.nextInt(5)) {
                                // Random bytes in a record.
                                case 0 -> {
                                    byte[] b = new byte[random.nextInt(300)];
                                    random.nextBytes(b);
                                    yield record(b);
                                }
                                // A well-formed header, a random procedure, random arguments.
                                case 1 -> {
                                    byte[] args = new byte[random.nextInt(200)];
                                    random.nextBytes(args);
                                    int program = random.nextBoolean() ? 100003 : 100005;
                                    yield record(call(random.nextInt(), program, random.nextInt(24), args));
                                }
                                // A changing call whose handle is forged: one of its handle's bytes flipped.
                                case 2 -> {
                                    byte[] b = valid.get(random.nextInt(valid.size()))
                                            .clone();
                                    int handleAt = 24 + 32 + 8 + 4; // header, credential, verifier, the handle's length
                                    b[handleAt + random.nextInt(41)] ^= (byte) (1 << random.nextInt(8));
                                    yield record(b);
                                }
                                // A changing call cut short: its arguments do not decode.
                                case 3 -> {
                                    byte[] b = valid.get(random.nextInt(valid.size()));
                                    yield record(java.util.Arrays.copyOf(b, 40 + random.nextInt(b.length - 100)));
                                }
                                // Raw bytes with no record marking at all.
                                default -> {
                                    byte[] b = new byte[random.nextInt(64)];
                                    random.nextBytes(b);
                                    yield b;
                                }
                            };
                    try {
                        out.write(frame);
                        sent++;
                    } catch (IOException e) {
                        break; // the gateway closed this connection: fine
                    }
                }
                // Leave a frame half-sent, then hang up.
                try {
                    out.write(new byte[] {(byte) 0x80, 0, 1, 0, 1, 2});
                } catch (IOException ignored) {
                    // already closed by the gateway
                }
            }
        }
        assertTrue(sent > 500, sent + " frames");
        try (NfsClient c = fx.client()) {
            c.ping();
            assertEquals(before, snapshot(c, root, ""));
            assertEquals("precious", new String(c.read(file, 0, 100).bytes(), StandardCharsets.UTF_8));
        }
        assertEquals(0, fx.server.serverFaults(), "no procedure failed unexpectedly");
    }

    @Test
    void oversizedRecordsAndTooManyConnectionsAreClosed() throws Exception {
        NfsConfig small =
                new NfsConfig("127.0.0.1", 0, 4, 64, NfsConfig.IO_BYTES + 64 * 1024, 3, 32 << 20, 64L << 20, -1);
        fx.start(small);
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.getOutputStream().write(new byte[] {(byte) 0x84, 0, 0, 0}); // a 64 MiB record announced
            s.setSoTimeout(10_000);
            assertEquals(-1, s.getInputStream().read(), "closed");
        }
        // Fragments adding up past the limit are refused too.
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] fragment = new byte[512 * 1024];
            try {
                for (int i = 0; i < 4; i++) {
                    out.write(ByteBuffer.allocate(4).putInt(fragment.length).array());
                    out.write(fragment);
                }
            } catch (IOException closed) {
                // the gateway closed the connection while we wrote
            }
            assertEquals(-1, readQuietly(s.getInputStream()));
        }
        assertTrue(fx.server.refusedConnections() >= 2);

        List<NfsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                NfsClient c = fx.client();
                c.ping();
                open.add(c);
            }
            try (Socket extra = new Socket("127.0.0.1", fx.server.port())) {
                extra.setSoTimeout(10_000);
                assertEquals(-1, readQuietly(extra.getInputStream()), "a fourth connection is closed at accept");
            }
            open.getFirst().close();
            open.removeFirst();
            Thread.sleep(200);
            try (NfsClient again = fx.client()) {
                again.ping();
            }
        } finally {
            for (NfsClient c : open) c.close();
        }
    }

    private static int readQuietly(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            return -1; // reset
        }
    }

    @Test
    void callsBeyondTheQueueAreDroppedNotQueuedWithoutBound() throws Exception {
        NfsConfig tiny =
                new NfsConfig("127.0.0.1", 0, 1, 1, NfsConfig.IO_BYTES + 64 * 1024, 16, 32 << 20, 64L << 20, -1);
        fx.start(tiny);
        byte[] root;
        try (NfsClient c = fx.client()) {
            root = c.mount("/b");
        }
        int calls = 400;
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            ByteBuffer all = ByteBuffer.allocate(calls * 200);
            for (int i = 0; i < calls; i++)
                all.put(record(call(i, 100003, 1, new XdrWriter().opaque(root).toByteArray())));
            s.getOutputStream().write(all.array(), 0, all.position());
            s.setSoTimeout(3000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            int replies = 0;
            try {
                while (true) {
                    int n = in.readInt() & 0x7FFFFFFF;
                    in.readFully(new byte[n]);
                    replies++;
                }
            } catch (SocketTimeoutException done) {
                // no more replies
            }
            assertEquals(calls, replies + fx.server.droppedCalls(), replies + " replies");
            assertTrue(fx.server.droppedCalls() > 0, "with one worker and a queue of one, some calls are dropped");
        }
        try (NfsClient c = fx.client()) {
            c.getattr(root);
        }
    }

    @Test
    void renameIsAtomicForListingsAndLookups() throws Exception {
        fx.start();
        byte[] root;
        byte[] file;
        try (NfsClient c = fx.client()) {
            root = c.mount("/b");
            byte[] d = c.mkdir(root, "d");
            for (int i = 0; i < 20; i++) c.create(d, "other-" + i);
            file = c.create(d, "x");
        }
        byte[] d;
        try (NfsClient c = fx.client()) {
            d = c.lookup(root, "d");
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Integer> renamer = pool.submit(() -> {
                int n = 0;
                try (NfsClient c = fx.client()) {
                    while (!stop.get() && n < 400) {
                        c.rename(d, n % 2 == 0 ? "x" : "y", d, n % 2 == 0 ? "y" : "x");
                        n++;
                    }
                }
                return n;
            });
            Future<Integer> lister = pool.submit(() -> {
                int n = 0;
                try (NfsClient c = fx.client()) {
                    while (!renamer.isDone()) {
                        List<String> names = c.readdirplus(d, 0, new byte[8], 64 * 1024, 64 * 1024)
                                .names();
                        boolean x = names.contains("x");
                        boolean y = names.contains("y");
                        if (x == y) throw new AssertionError("listing with x=" + x + " and y=" + y);
                        assertEquals(23, names.size());
                        n++;
                    }
                }
                return n;
            });
            Future<Integer> looker = pool.submit(() -> {
                int n = 0;
                try (NfsClient c = fx.client()) {
                    while (!renamer.isDone()) {
                        for (String name : List.of("x", "y")) {
                            try {
                                assertArrayEquals(file, c.lookup(d, name), "the renamed file, never another");
                            } catch (NfsClient.NfsStatus e) {
                                assertEquals(Nfs3.ERR_NOENT, e.status);
                            }
                        }
                        n++;
                    }
                }
                return n;
            });
            assertEquals(400, renamer.get());
            assertTrue(lister.get() > 10, lister.get() + " listings");
            assertTrue(looker.get() > 10, looker.get() + " lookups");
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    @Test
    void exportOptionsParse() {
        ExportOptions o = ExportOptions.parse(
                "ro all_squash,anonuid=10 anongid=20,clients=10.0.0.0/8;192.168.1.7 clients=::1/128");
        assertTrue(o.readOnly());
        assertEquals(ExportOptions.Squash.ALL, o.squash());
        assertEquals(10, o.anonUid());
        assertEquals(20, o.anonGid());
        assertEquals(3, o.clients().size());
        assertEquals(ExportOptions.DEFAULTS, ExportOptions.parse(""));
        for (String bad : List.of(
                "rw=1", "anonuid=-1", "anonuid=x", "clients=", "clients=10.0.0.0/33", "sync", "clients=nothost"))
            assertThrows(IllegalArgumentException.class, () -> ExportOptions.parse(bad), bad);
    }
}
