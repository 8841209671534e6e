package io.seabed.bench;

import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seabed bench rpc}: the data-plane RPC over loopback (ECHO calls, pipelined), beside the same
 * pipelined echo over plain blocking sockets with no framing, CRC or event loop, measured in the same run.
 */
@Command(
        name = "rpc",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "ECHO calls through the data-plane RPC (in-process server, loopback TCP) from CONNECTIONS x DEPTH"
                    + " pipelined slots, then the same pipelined echo over plain sockets; reports calls/s,"
                    + " MiB/s each way, latency, and the ratio. Progress goes to stderr each second."
        })
final class RpcCommand implements Callable<Integer> {
    @Option(
            names = "--size",
            paramLabel = "BYTES",
            defaultValue = "4KiB",
            converter = S3Command.SizeConverter.class,
            description = "Payload of each call (default: ${DEFAULT-VALUE}).")
    long sizeBytes;

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "2",
            description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
            names = "--depth",
            paramLabel = "N",
            defaultValue = "16",
            description = "Calls in flight per connection (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(
            names = "--duration",
            paramLabel = "TIME",
            defaultValue = "10s",
            converter = S3Command.DurationConverter.class,
            description = "Measured time of each of the two runs (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--warmup",
            paramLabel = "TIME",
            defaultValue = "3s",
            converter = S3Command.DurationConverter.class,
            description = "Unmeasured load before each run (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    private static final long TIMEOUT_MILLIS = 30_000;

    @Override
    public Integer call() throws Exception {
        if (sizeBytes < 0
                || sizeBytes > (64L << 20)
                || connections < 1
                || connections > 64
                || depth < 1
                || depth > 1024) {
            System.err.println("rpc: --size must be in [0, 64MiB], --connections in [1, 64], --depth in [1, 1024]");
            return S3Command.EXIT_BAD_ARGUMENTS;
        }
        int size = (int) sizeBytes;
        System.out.printf(
                "rpc bench: %s payloads, %d connections x %d in flight, %s measured after %s warm-up%n",
                ByteSize.format(size), connections, depth, DurationText.format(duration), DurationText.format(warmup));
        Result rpc = rpcRun(size);
        System.out.println("seabed rpc ECHO:   " + rpc.text(size));
        Result raw = socketRun(size);
        System.out.println("plain socket echo: " + raw.text(size));
        System.out.printf("ratio rpc / plain socket: %.2fx calls/s%n", rpc.perSecond() / raw.perSecond());
        return 0;
    }

    private record Result(long calls, long errors, double seconds, Histogram micros) {
        double perSecond() {
            return calls / seconds;
        }

        String text(int size) {
            return String.format(
                    "%,.0f calls/s, %.1f MiB/s each way, %d errors; latency ms p50=%.3f p99=%.3f p999=%.3f max=%.3f",
                    perSecond(),
                    perSecond() * size / (1 << 20),
                    errors,
                    micros.getValueAtPercentile(50) / 1000.0,
                    micros.getValueAtPercentile(99) / 1000.0,
                    micros.getValueAtPercentile(99.9) / 1000.0,
                    micros.getMaxValue() / 1000.0);
        }
    }

    /** Counts and latencies of one phase, recorded from any thread. */
    private static final class Phase {
        final AtomicBoolean measuring = new AtomicBoolean();
        final AtomicBoolean stopping = new AtomicBoolean();
        final AtomicLong calls = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final Recorder latency = new Recorder(3_600_000_000L, 3);

        void done(long startNanos, boolean ok) {
            if (!measuring.get()) return;
            if (ok) {
                calls.incrementAndGet();
                latency.recordValue(Math.max(0, (System.nanoTime() - startNanos) / 1000));
            } else {
                errors.incrementAndGet();
            }
        }

        /** Warm-up, then the measured time with a progress line a second; returns what was measured. */
        Result run(String name, Duration warmup, Duration duration) throws InterruptedException {
            Thread.sleep(warmup.toMillis());
            latency.reset();
            measuring.set(true);
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long last = 0;
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                long now = calls.get();
                System.err.printf("%s: %.0fs %,d calls/s%n", name, (System.nanoTime() - start) / 1e9, now - last);
                last = now;
            }
            measuring.set(false);
            double seconds = (System.nanoTime() - start) / 1e9;
            stopping.set(true);
            return new Result(calls.get(), errors.get(), seconds, latency.getIntervalHistogram());
        }
    }

    private Result rpcRun(int size) throws Exception {
        Phase phase = new Phase();
        byte[] payload = new byte[size];
        try (RpcServer server = RpcServer.start(RpcServer.Config.loopback(), Map.of())) {
            List<RpcClient> clients = new ArrayList<>();
            try {
                for (int c = 0; c < connections; c++)
                    clients.add(RpcClient.connect("127.0.0.1", server.port(), RpcClient.Config.defaults()));
                Semaphore finished = new Semaphore(0);
                for (RpcClient client : clients) for (int d = 0; d < depth; d++) next(client, payload, phase, finished);
                Result r = phase.run("rpc", warmup, duration);
                finished.acquire(connections * depth);
                return r;
            } finally {
                for (RpcClient c : clients) c.close();
            }
        }
    }

    /** One slot: a call, and on its reply the next, until the phase stops. */
    private static void next(RpcClient client, byte[] payload, Phase phase, Semaphore finished) {
        if (phase.stopping.get()) {
            finished.release();
            return;
        }
        long start = System.nanoTime();
        client.call(RpcMethod.ECHO, new byte[0], RpcPayload.of(payload), TIMEOUT_MILLIS)
                .whenComplete((result, error) -> {
                    if (result != null) result.close();
                    phase.done(start, error == null);
                    next(client, payload, phase, finished);
                });
    }

    /**
     * The same echo over plain blocking sockets: per connection, a writer sends fixed-size messages while at
     * most DEPTH are unanswered, a reader takes the echoes, and the server echoes bytes back as they come.
     */
    private Result socketRun(int size) throws Exception {
        Phase phase = new Phase();
        List<Thread> threads = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 64, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().name("echo-accept").start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket s = listener.accept();
                        s.setTcpNoDelay(true);
                        synchronized (sockets) {
                            sockets.add(s);
                        }
                        Thread.ofPlatform().daemon().name("echo-server").start(() -> pump(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            threads.add(acceptor);
            for (int c = 0; c < connections; c++) {
                Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), listener.getLocalPort());
                s.setTcpNoDelay(true);
                synchronized (sockets) {
                    sockets.add(s);
                }
                Semaphore slots = new Semaphore(depth);
                java.util.concurrent.ConcurrentLinkedQueue<Long> sent =
                        new java.util.concurrent.ConcurrentLinkedQueue<>();
                byte[] message = new byte[Math.max(size, 1)];
                threads.add(Thread.ofPlatform().daemon().name("echo-writer").start(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        while (!phase.stopping.get()) {
                            slots.acquire();
                            sent.add(System.nanoTime());
                            out.write(message);
                        }
                    } catch (IOException | InterruptedException e) {
                        // The run ended and the socket closed.
                    }
                }));
                threads.add(Thread.ofPlatform().daemon().name("echo-reader").start(() -> {
                    try {
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        byte[] echo = new byte[message.length];
                        while (!phase.stopping.get()) {
                            in.readFully(echo);
                            Long start = sent.poll();
                            phase.done(start == null ? System.nanoTime() : start, true);
                            slots.release();
                        }
                    } catch (IOException e) {
                        // The run ended and the socket closed.
                    }
                }));
            }
            return phase.run("plain socket", warmup, duration);
        } finally {
            synchronized (sockets) {
                for (Socket s : sockets) s.close();
            }
            for (Thread t : threads) t.join(5_000);
        }
    }

    private static void pump(Socket s) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) out.write(buf, 0, n);
        } catch (IOException e) {
            // The client closed the connection at the end of the run.
        }
    }
}
