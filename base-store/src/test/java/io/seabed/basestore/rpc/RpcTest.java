package io.seabed.basestore.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the data-plane RPC keeps its promises over real sockets: pipelined calls each get their own reply;
 * errors arrive with their codes; deadlines fail calls without breaking the connection; damaged payloads are
 * refused (CRC32C) in both directions; a connection's in-flight bytes stay bounded on both sides; file
 * payloads arrive byte-exact; malformed frames close only their own connection.
 */
class RpcTest {
    private static final long TIMEOUT = 10_000;

    @TempDir
    Path dir;

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static RpcException.Code codeOf(CompletableFuture<?> f) {
        try {
            f.get(TIMEOUT, TimeUnit.MILLISECONDS);
            return fail("expected an RpcException");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RpcException r) return r.code();
            throw new AssertionError("not an RpcException", e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A handler that answers only when the test completes the future it queued in {@code held}. */
    private static RpcServer.Handler holding(ConcurrentLinkedQueue<CompletableFuture<RpcServer.Reply>> held) {
        return call -> {
            CompletableFuture<RpcServer.Reply> f = new CompletableFuture<>();
            held.add(f);
            return f;
        };
    }

    @Test
    void echoReturnsHeaderAndPayloadExactly() throws Exception {
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of());
                RpcClient client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
            client.call(RpcMethod.PING, new byte[0], RpcPayload.NONE, TIMEOUT)
                    .get()
                    .close();
            byte[] header = random(1, 100);
            byte[] payload = random(2, 3 << 20);
            try (RpcClient.Result r = client.call(RpcMethod.ECHO, header, RpcPayload.of(payload), TIMEOUT)
                    .get()) {
                assertArrayEquals(header, r.header());
                assertArrayEquals(payload, ByteBufUtil.getBytes(r.payload()));
            }
        }
    }

    @Test
    void pipelinedCallsEachGetTheirOwnReply() throws Exception {
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of());
                RpcClient client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
            int n = 2_000;
            List<CompletableFuture<RpcClient.Result>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++)
                calls.add(
                        client.call(RpcMethod.ECHO, ("h" + i).getBytes(), RpcPayload.of(random(i, i % 700)), TIMEOUT));
            for (int i = 0; i < n; i++) {
                try (RpcClient.Result r = calls.get(i).get(TIMEOUT, TimeUnit.MILLISECONDS)) {
                    assertEquals("h" + i, new String(r.header()));
                    assertArrayEquals(random(i, i % 700), ByteBufUtil.getBytes(r.payload()));
                }
            }
            assertEquals(0, client.inFlight());
        }
    }

    @Test
    void callsFromManyThreadsAtOnceNeverInterleaveTheirFrames() throws Exception {
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of());
                RpcClient client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
            int threads = 8;
            int perThread = 300;
            List<Thread> callers = new ArrayList<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                callers.add(Thread.ofPlatform().start(() -> {
                    List<CompletableFuture<RpcClient.Result>> mine = new ArrayList<>();
                    for (int i = base; i < base + perThread; i++)
                        mine.add(client.call(
                                RpcMethod.ECHO, ("h" + i).getBytes(), RpcPayload.of(random(i, 1 + i % 3000)), TIMEOUT));
                    for (int i = 0; i < perThread; i++) {
                        int n = base + i;
                        try (RpcClient.Result r = mine.get(i).get(TIMEOUT, TimeUnit.MILLISECONDS)) {
                            assertEquals("h" + n, new String(r.header()));
                            assertArrayEquals(random(n, 1 + n % 3000), ByteBufUtil.getBytes(r.payload()));
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread t : callers) t.join();
            assertTrue(failures.isEmpty(), () -> failures.size() + " failed, first: " + failures.peek());
        }
    }

    @Test
    void handlerErrorsArriveWithTheirCodes() throws Exception {
        RpcServer.Handler refusing = call -> {
            if (call.header().length == 0) throw new IllegalStateException("secret detail");
            return CompletableFuture.failedFuture(new RpcException(RpcException.Code.INVALID_ARGUMENT, "bad offset"));
        };
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of(RpcMethod.ECHO, refusing));
                RpcClient client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
            var invalid = client.call(RpcMethod.ECHO, new byte[] {1}, RpcPayload.NONE, TIMEOUT);
            assertEquals(RpcException.Code.INVALID_ARGUMENT, codeOf(invalid));
            var internal = client.call(RpcMethod.ECHO, new byte[0], RpcPayload.NONE, TIMEOUT);
            assertEquals(RpcException.Code.INTERNAL, codeOf(internal));
            try {
                internal.join();
            } catch (CompletionException e) {
                assertTrue(
                        !e.getCause().getMessage().contains("secret detail"),
                        e.getCause().getMessage());
            }
            client.call(RpcMethod.PING, new byte[0], RpcPayload.NONE, TIMEOUT)
                    .get()
                    .close();
        }
    }

    @Test
    void aCallPastItsDeadlineFailsAndTheConnectionStaysUsable() throws Exception {
        ConcurrentLinkedQueue<CompletableFuture<RpcServer.Reply>> held = new ConcurrentLinkedQueue<>();
        RpcServer.Handler never = holding(held);
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of(RpcMethod.ECHO, never));
                RpcClient client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
            long start = System.nanoTime();
            var late = client.call(RpcMethod.ECHO, new byte[0], RpcPayload.of(new byte[10]), 200);
            assertEquals(RpcException.Code.DEADLINE_EXCEEDED, codeOf(late));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 190 && millis < 5_000, "failed after " + millis + " ms");
            assertEquals(0, client.inFlight());
            // The reply that comes after the deadline is dropped; the connection still serves calls.
            held.forEach(f -> f.complete(RpcServer.Reply.EMPTY));
            client.call(RpcMethod.PING, new byte[0], RpcPayload.NONE, TIMEOUT)
                    .get()
                    .close();
        }
    }

    @Test
    void serverStopsReadingWhileItsInFlightBytesAreAtTheLimit() throws Exception {
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ConcurrentLinkedQueue<CompletableFuture<RpcServer.Reply>> held = new ConcurrentLinkedQueue<>();
        RpcServer.Handler hold = call -> {
            most.accumulateAndGet(holding.incrementAndGet(), Math::max);
            CompletableFuture<RpcServer.Reply> f = new CompletableFuture<>();
            held.add(f);
            return f;
        };
        RpcServer.Config limited = new RpcServer.Config("127.0.0.1", 0, 1, 1 << 20, 64 * 1024, 16, 30_000);
        try (RpcServer server = RpcServer.start(limited, Map.of(RpcMethod.ECHO, hold));
                RpcClient client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
            int n = 64;
            List<CompletableFuture<RpcClient.Result>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++)
                calls.add(client.call(RpcMethod.ECHO, new byte[0], RpcPayload.of(new byte[16 * 1024]), TIMEOUT));
            Thread.sleep(300);
            // 64 KiB of 16 KiB frames: the frame that crosses the limit is taken, then reading stops.
            assertTrue(most.get() <= 5, "handlers holding at once: " + most.get());
            int answered = 0;
            while (answered < n) {
                CompletableFuture<RpcServer.Reply> f = held.poll();
                if (f == null) {
                    Thread.sleep(5);
                    continue;
                }
                holding.decrementAndGet();
                f.complete(RpcServer.Reply.EMPTY);
                answered++;
            }
            for (var c : calls) c.get(TIMEOUT, TimeUnit.MILLISECONDS).close();
            assertTrue(most.get() <= 5, "handlers holding at once: " + most.get());
        }
    }

    @Test
    void clientRefusesCallsBeyondItsInFlightBytes() throws Exception {
        ConcurrentLinkedQueue<CompletableFuture<RpcServer.Reply>> held = new ConcurrentLinkedQueue<>();
        RpcServer.Handler hold = holding(held);
        RpcClient.Config small = new RpcClient.Config(1, 1 << 20, 100_000, 5_000);
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of(RpcMethod.ECHO, hold));
                RpcClient client = RpcClient.connect("127.0.0.1", server.port(), small)) {
            var first = client.call(RpcMethod.ECHO, new byte[0], RpcPayload.of(new byte[60_000]), TIMEOUT);
            var second = client.call(RpcMethod.ECHO, new byte[0], RpcPayload.of(new byte[60_000]), TIMEOUT);
            assertEquals(RpcException.Code.BUSY, codeOf(second));
            while (held.isEmpty()) Thread.sleep(5);
            held.poll().complete(RpcServer.Reply.EMPTY);
            first.get(TIMEOUT, TimeUnit.MILLISECONDS).close();
            var third = client.call(RpcMethod.ECHO, new byte[0], RpcPayload.of(new byte[60_000]), TIMEOUT);
            while (held.isEmpty()) Thread.sleep(5);
            held.poll().complete(RpcServer.Reply.EMPTY);
            third.get(TIMEOUT, TimeUnit.MILLISECONDS).close();
        }
    }

    @Test
    void fileRangesAreSentExactlyAndCheckedByCrc() throws Exception {
        Path file = dir.resolve("blocks");
        byte[] content = random(7, 5 << 20);
        Files.write(file, content);
        int offset = 12_345;
        int length = 4 << 20;
        CRC32C crc = new CRC32C();
        crc.update(content, offset, length);
        int rightCrc = (int) crc.getValue();
        AtomicInteger sends = new AtomicInteger();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            RpcServer.Handler read = call -> {
                int claimed = call.header()[0] == 1 ? rightCrc : rightCrc ^ 1;
                return CompletableFuture.completedFuture(new RpcServer.Reply(
                        new byte[0],
                        new RpcPayload.FileRange(channel, offset, length, claimed, sends::incrementAndGet)));
            };
            try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of(RpcMethod.ECHO, read));
                    RpcClient client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
                try (RpcClient.Result r = client.call(RpcMethod.ECHO, new byte[] {1}, RpcPayload.NONE, TIMEOUT)
                        .get()) {
                    byte[] expected = new byte[length];
                    System.arraycopy(content, offset, expected, 0, length);
                    assertArrayEquals(expected, ByteBufUtil.getBytes(r.payload()));
                }
                var damaged = client.call(RpcMethod.ECHO, new byte[] {0}, RpcPayload.NONE, TIMEOUT);
                assertEquals(RpcException.Code.CORRUPT, codeOf(damaged));
                // The file channel is the block store's: a send does not close it, and tells its owner when it
                // is done with it, once per send.
                assertTrue(channel.isOpen());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sends.get() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
                assertEquals(2, sends.get());
                client.call(RpcMethod.PING, new byte[0], RpcPayload.NONE, TIMEOUT)
                        .get()
                        .close();
            }
        }
    }

    /** A request frame as bytes, with the CRC field given (not computed). */
    private static byte[] rawRequest(int method, long id, int timeoutMillis, byte[] payload, int crc) {
        ByteBuffer b = ByteBuffer.allocate(Frame.PREFIX_BYTES + payload.length);
        b.putInt(Frame.PREFIX_BYTES - 4 + payload.length)
                .put((byte) Frame.KIND_REQUEST)
                .put((byte) Frame.FLAG_CRC)
                .putShort((short) method)
                .putLong(id)
                .putInt(timeoutMillis)
                .putInt(0)
                .putInt(crc)
                .put(payload);
        return b.array();
    }

    private static int crcOf(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    /** Reads one frame from {@code in}: {kind, errorCode or -1}. */
    private static int[] readReply(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int length = d.readInt();
        byte[] rest = new byte[length];
        d.readFully(rest);
        ByteBuffer b = ByteBuffer.wrap(rest);
        int kind = b.get();
        b.position(Frame.PREFIX_BYTES - 4);
        int code = kind == Frame.KIND_ERROR ? b.getShort() : -1;
        return new int[] {kind, code};
    }

    @Test
    void unknownMethodsDamagedPayloadsAndMissingTimeoutsAreRefusedOnTheWire() throws Exception {
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of());
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] payload = random(3, 1000);
            out.write(rawRequest(999, 1, 1000, payload, crcOf(payload)));
            assertArrayEquals(
                    new int[] {Frame.KIND_ERROR, RpcException.Code.UNKNOWN_METHOD.wire()},
                    readReply(s.getInputStream()));
            out.write(rawRequest(RpcMethod.ECHO.id(), 2, 1000, payload, crcOf(payload) ^ 0x10));
            assertArrayEquals(
                    new int[] {Frame.KIND_ERROR, RpcException.Code.CORRUPT.wire()}, readReply(s.getInputStream()));
            out.write(rawRequest(RpcMethod.ECHO.id(), 3, 0, payload, crcOf(payload)));
            assertArrayEquals(
                    new int[] {Frame.KIND_ERROR, RpcException.Code.INVALID_ARGUMENT.wire()},
                    readReply(s.getInputStream()));
            out.write(rawRequest(RpcMethod.ECHO.id(), 4, 1000, payload, crcOf(payload)));
            assertArrayEquals(new int[] {Frame.KIND_REPLY, -1}, readReply(s.getInputStream()));
        }
    }

    @Test
    void malformedFramesCloseOnlyTheirOwnConnection() throws Exception {
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of());
                RpcClient good = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults())) {
            // A length beyond the frame limit: the server closes the connection.
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
                assertEquals(-1, s.getInputStream().read());
            }
            // Random and truncated input on many connections: none of it disturbs the good client.
            Random random = new Random(42);
            for (int i = 0; i < 200; i++) {
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(2_000);
                    byte[] junk = new byte[random.nextInt(200)];
                    random.nextBytes(junk);
                    if (i % 2 == 0 && junk.length >= 4) {
                        // A plausible length, then garbage: the header or the frame is cut short or inconsistent.
                        ByteBuffer.wrap(junk).putInt(random.nextInt(300));
                    }
                    s.getOutputStream().write(junk);
                    s.shutdownOutput();
                    try {
                        while (s.getInputStream().read() >= 0) {
                            // Whatever the server answers (an error reply at most) until it closes.
                        }
                    } catch (EOFException | java.net.SocketException e) {
                        // Closed by the server: expected.
                    }
                }
                if (i % 50 == 0)
                    good.call(RpcMethod.PING, new byte[0], RpcPayload.NONE, TIMEOUT)
                            .get()
                            .close();
            }
            byte[] payload = random(9, 10_000);
            try (RpcClient.Result r = good.call(RpcMethod.ECHO, new byte[0], RpcPayload.of(payload), TIMEOUT)
                    .get()) {
                assertArrayEquals(payload, ByteBufUtil.getBytes(r.payload()));
            }
        }
    }

    @Test
    void aStalledFrameClosesItsConnectionAndAnIdleOneStaysOpen() throws Exception {
        RpcServer.Config quick = new RpcServer.Config("127.0.0.1", 0, 1, 1 << 20, 1 << 20, 16, 300);
        try (RpcServer server = RpcServer.start(quick, Map.of());
                RpcClient idle = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults());
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            byte[] payload = random(5, 1000);
            byte[] frame = rawRequest(RpcMethod.ECHO.id(), 1, 1000, payload, crcOf(payload));
            // Half a frame, then nothing: the server gives up on it.
            s.getOutputStream().write(frame, 0, frame.length / 2);
            long start = System.nanoTime();
            assertEquals(-1, s.getInputStream().read());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 250 && millis < 5_000, "closed after " + millis + " ms");
            // A connection idle between frames for longer than that is still served.
            Thread.sleep(700);
            idle.call(RpcMethod.PING, new byte[0], RpcPayload.NONE, TIMEOUT)
                    .get()
                    .close();
        }
    }

    @Test
    void callsOnAClosedConnectionFailClosed() throws Exception {
        RpcClient client;
        CompletableFuture<RpcClient.Result> pendingAtClose;
        ConcurrentLinkedQueue<CompletableFuture<RpcServer.Reply>> held = new ConcurrentLinkedQueue<>();
        RpcServer.Handler hold = holding(held);
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of(RpcMethod.ECHO, hold))) {
            client = RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults());
            pendingAtClose = client.call(
                    RpcMethod.ECHO,
                    new byte[0],
                    RpcPayload.of(Unpooled.buffer(0).array()),
                    TIMEOUT);
            while (held.isEmpty()) Thread.sleep(5);
        }
        assertEquals(RpcException.Code.CLOSED, codeOf(pendingAtClose));
        assertEquals(
                RpcException.Code.CLOSED, codeOf(client.call(RpcMethod.PING, new byte[0], RpcPayload.NONE, TIMEOUT)));
        client.close();
    }
}
