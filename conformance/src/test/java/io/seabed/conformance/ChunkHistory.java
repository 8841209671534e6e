package io.seabed.conformance;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.chain.ChainClient;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A recorded history of concurrent whole-chunk writes and reads on a few chunks of chosen chains, and its
 * check: linearizability per chunk, using the chunk versions the chain assigns as the witness order.
 *
 * <p>Every write replaces a chunk with content that names it: writer id and sequence number in the first 16
 * bytes, then bytes derived from them, of a length derived from them. Each operation records when it was
 * invoked and when it completed, the version it returned, and for reads which write's content came back.
 * {@link #check} then demands, per chunk:
 *
 * <ul>
 *   <li>every read returns exactly the content of some write invoked before the read completed;
 *   <li>a version names one write: two observations of the same version carry the same write, and a write
 *       observed at a version other than the one its writer was told was applied twice;
 *   <li>a write acknowledged before another write was invoked has the smaller version;
 *   <li>no read returns a version older than one acknowledged or read before the read was invoked;
 *   <li>after the load, a read returns at least the newest acknowledged version.
 * </ul>
 *
 * Writes that failed (retries exhausted) have an unknown outcome: their content may be read, and is then
 * held to the same rules.
 */
final class ChunkHistory {
    private static final int HEADER_BYTES = 16;
    private static final int[] SIZES = {4_096, 65_536, 200_000, 1_048_576};
    private static final int READ_BUFFER_BYTES = 1_048_576;

    /**
     * One operation. {@code writer}/{@code seq} name the write done (W) or the content read (R); a failed read
     * has 0/0, a read whose bytes are no write's content -1/-1.
     */
    record Op(
            boolean write,
            int chunk,
            long writer,
            long seq,
            long invokeNanos,
            long completeNanos,
            boolean ok,
            long version,
            String error) {}

    private final ChainClient client;
    private final int[] chains;
    private final int chunksPerChain;
    private final long idBase;
    private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param chains the chains the chunks live on ({@code chunksPerChain} each)
     * @param idBase distinguishes this history's chunk ids from other data
     */
    ChunkHistory(ChainClient client, int[] chains, int chunksPerChain, long idBase) {
        this.client = client;
        this.chains = chains.clone();
        this.chunksPerChain = chunksPerChain;
        this.idBase = idBase;
    }

    int chunks() {
        return chains.length * chunksPerChain;
    }

    private int chainOf(int chunk) {
        return chains[chunk / chunksPerChain];
    }

    private ChunkId idOf(int chunk) {
        return new ChunkId(idBase, chunk);
    }

    static int sizeOf(long writer, long seq) {
        return SIZES[(int) Math.floorMod(writer * 31 + seq, SIZES.length)];
    }

    static byte[] content(long writer, long seq) {
        byte[] b = new byte[sizeOf(writer, seq)];
        ByteBuffer.wrap(b).putLong(writer).putLong(seq);
        SplittableRandom r = new SplittableRandom(writer * 1_000_003 + seq);
        for (int i = HEADER_BYTES; i < b.length; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < b.length; j++) b[i + j] = (byte) (v >>> (8 * j));
        }
        return b;
    }

    /** Writes every chunk once (writer 0), so reads find something from the start. */
    void seed() {
        for (int c = 0; c < chunks(); c++) write(0, c, c + 1);
    }

    /** Starts {@code writers} writer threads and {@code readers} reader threads over all chunks. */
    void start(int writers, int readers) {
        for (int w = 1; w <= writers; w++) {
            long writer = w;
            threads.add(Thread.ofPlatform().name("history-writer-" + w).start(() -> {
                SplittableRandom random = new SplittableRandom(writer);
                long seq = 0;
                while (!stop.get()) write(writer, random.nextInt(chunks()), ++seq);
            }));
        }
        for (int r = 1; r <= readers; r++) {
            long reader = r;
            threads.add(Thread.ofPlatform().name("history-reader-" + r).start(() -> {
                SplittableRandom random = new SplittableRandom(1_000 + reader);
                while (!stop.get()) read(random.nextInt(chunks()));
            }));
        }
    }

    /** Stops the load and waits for operations in flight. */
    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) t.join(120_000);
        for (Thread t : threads) if (t.isAlive()) throw new AssertionError(t.getName() + " still running");
    }

    private void write(long writer, int chunk, long seq) {
        byte[] data = content(writer, seq);
        long invoke = System.nanoTime();
        try {
            long version = client.update(chainOf(chunk), idOf(chunk), UpdateKind.REPLACE, 0, ByteBuffer.wrap(data));
            ops.add(new Op(true, chunk, writer, seq, invoke, System.nanoTime(), true, version, null));
        } catch (RuntimeException e) {
            ops.add(new Op(true, chunk, writer, seq, invoke, System.nanoTime(), false, 0, e.toString()));
        }
    }

    /** Reads one chunk whole and records it; returns the op. */
    Op read(int chunk) {
        ByteBuffer out = ByteBuffer.allocate(READ_BUFFER_BYTES);
        long invoke = System.nanoTime();
        Op op;
        try {
            long version = client.read(chainOf(chunk), idOf(chunk), 0, out);
            long complete = System.nanoTime();
            out.flip();
            op = identify(chunk, out, invoke, complete, version);
        } catch (RuntimeException e) {
            op = new Op(false, chunk, 0, 0, invoke, System.nanoTime(), false, 0, e.toString());
        }
        ops.add(op);
        return op;
    }

    private static Op identify(int chunk, ByteBuffer got, long invoke, long complete, long version) {
        if (got.remaining() < HEADER_BYTES)
            return new Op(false, chunk, -1, -1, invoke, complete, true, version, got.remaining() + " B read");
        long writer = got.getLong(0);
        long seq = got.getLong(8);
        byte[] bytes = new byte[got.remaining()];
        got.get(bytes);
        if (writer < 0 || seq < 0 || !Arrays.equals(bytes, content(writer, seq)))
            return new Op(
                    false,
                    chunk,
                    -1,
                    -1,
                    invoke,
                    complete,
                    false,
                    version,
                    "content is no write's: " + bytes.length + " B claiming writer " + writer + " seq " + seq);
        return new Op(false, chunk, writer, seq, invoke, complete, true, version, null);
    }

    List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    long count(boolean write, boolean ok) {
        return ops().stream().filter(o -> o.write() == write && o.ok() == ok).count();
    }

    /** Failed operations, for the test's own demands (an error-free run). */
    List<Op> failures() {
        return ops().stream().filter(o -> !o.ok()).toList();
    }

    /**
     * Checks the recorded history and a final read of every chunk (call after {@link #stop}, with the cluster
     * serving); returns the violations found, at most {@code max}.
     */
    List<String> check(int max) {
        List<String> violations = new ArrayList<>();
        List<Op> all = new ArrayList<>(ops());
        for (int c = 0; c < chunks(); c++) all.add(read(c));
        Map<Integer, List<Op>> byChunk = new HashMap<>();
        for (Op op : all)
            byChunk.computeIfAbsent(op.chunk(), k -> new ArrayList<>()).add(op);
        for (int c = 0; c < chunks() && violations.size() < max; c++) {
            List<Op> chunkOps = byChunk.getOrDefault(c, List.of());
            checkChunk(c, chunkOps, chunkOps.getLast(), violations);
        }
        return violations.size() > max ? violations.subList(0, max) : violations;
    }

    private static String key(long writer, long seq) {
        return writer + "/" + seq;
    }

    private static void checkChunk(int chunk, List<Op> ops, Op finalRead, List<String> out) {
        Map<String, Op> writes = new HashMap<>();
        for (Op op : ops) if (op.write()) writes.put(key(op.writer(), op.seq()), op);
        Map<Long, String> writeAtVersion = new HashMap<>();
        long ackedMax = 0;
        for (Op w : writes.values()) {
            if (!w.ok()) continue;
            ackedMax = Math.max(ackedMax, w.version());
            String before = writeAtVersion.putIfAbsent(w.version(), key(w.writer(), w.seq()));
            if (before != null)
                out.add("chunk " + chunk + ": writes " + before + " and " + key(w.writer(), w.seq())
                        + " both acknowledged at version " + w.version());
        }
        List<Op> reads = ops.stream().filter(o -> !o.write()).toList();
        for (Op r : reads) {
            if (!r.ok()) {
                if (r.writer() == -1) out.add("chunk " + chunk + ": read at version " + r.version() + ": " + r.error());
                continue;
            }
            String k = key(r.writer(), r.seq());
            Op w = writes.get(k);
            if (w == null && r.writer() != 0) {
                out.add("chunk " + chunk + ": read at version " + r.version() + " returned write " + k
                        + ", never issued to this chunk");
                continue;
            }
            if (w != null && w.invokeNanos() > r.completeNanos())
                out.add("chunk " + chunk + ": read returned write " + k + " before it was issued");
            if (w != null && w.ok() && w.version() != r.version())
                out.add("chunk " + chunk + ": write " + k + " acknowledged at version " + w.version()
                        + " but read at version " + r.version() + " (applied twice?)");
            String at = writeAtVersion.putIfAbsent(r.version(), k);
            if (at != null && !at.equals(k))
                out.add("chunk " + chunk + ": version " + r.version() + " is write " + at + " and write " + k);
        }
        checkRealTime(chunk, ops, out);
        if (finalRead.ok() && finalRead.version() < ackedMax)
            out.add("chunk " + chunk + ": final read at version " + finalRead.version()
                    + " older than the acknowledged " + ackedMax);
        if (!finalRead.ok()) out.add("chunk " + chunk + ": final read failed: " + finalRead.error());
    }

    /**
     * Sweeps operations by time: each read (and each write, by its invocation) must not go below the highest
     * version completed before it was invoked.
     */
    private static void checkRealTime(int chunk, List<Op> ops, List<String> out) {
        List<Op> done = ops.stream()
                .filter(Op::ok)
                .sorted(Comparator.comparingLong(Op::completeNanos))
                .toList();
        List<Op> started = ops.stream()
                .filter(Op::ok)
                .sorted(Comparator.comparingLong(Op::invokeNanos))
                .toList();
        int next = 0;
        long highest = 0;
        Op highestOp = null;
        for (Op op : started) {
            while (next < done.size() && done.get(next).completeNanos() < op.invokeNanos()) {
                Op d = done.get(next++);
                if (d.version() > highest) {
                    highest = d.version();
                    highestOp = d;
                }
            }
            boolean stale = op.write() ? op.version() <= highest : op.version() < highest;
            if (stale && out.size() < 1_000)
                out.add("chunk " + chunk + ": " + (op.write() ? "write " : "read ") + key(op.writer(), op.seq())
                        + " at version " + op.version() + " after " + (highestOp.write() ? "write " : "read ")
                        + key(highestOp.writer(), highestOp.seq()) + " completed at version " + highest);
        }
    }
}
