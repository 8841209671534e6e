package io.seabed.basestore;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chunk.ChunkData;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.chunk.TargetIo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: show what group commit buys for small durable writes. Method: 4 KiB chunks for a fixed
 * time at 1 and 64 concurrent writers, on one engine and through the client (3 targets, 3 replicas,
 * all on this machine's one disk); prints writes/s and fsyncs (block file forces + metadata syncs)
 * per write. Asserts only that 64 writers batch (fewer fsyncs than writes); the numbers go to the log.
 */
class WriteThroughputTest {
    private static final int CHUNK_BYTES = 4 << 10;
    private static final long RUN_MILLIS = 1_500;

    @TempDir
    Path root;

    @Test
    void engineAndClientSmallDurableWrites() throws Exception {
        ChunkEngineConfig engineConfig = ChunkEngineConfig.DEFAULTS.withBlockFileBytes(256L << 20, 16L << 20);
        try (ChunkEngine engine = ChunkEngine.open(root.resolve("engine"), 0, engineConfig, TargetIo.FILE_CHANNEL)) {
            for (int writers : new int[] {1, 64}) {
                long[] before = fsyncsAndWrites(List.of(engine.stats()));
                long writes = run(writers, (id, data) -> engine.write(id, data));
                long[] after = fsyncsAndWrites(List.of(engine.stats()));
                report("engine (1 target)", writers, writes, after[0] - before[0], after[1] - before[1]);
                if (writers == 64) assertTrue(after[0] - before[0] < after[1] - before[1], "group commit must batch");
            }
        }
        List<Path> dirs = List.of(root.resolve("t0"), root.resolve("t1"), root.resolve("t2"));
        try (LocalBaseStoreClient client =
                LocalBaseStoreClient.open(dirs, BaseStoreConfig.DEFAULTS.withEngine(engineConfig))) {
            for (int writers : new int[] {1, 64}) {
                long[] before = fsyncsAndWrites(client.stats().targets());
                long writes = run(writers, (id, data) -> client.writeChunk(id, data));
                long[] after = fsyncsAndWrites(client.stats().targets());
                report("client (3 targets, 3 replicas)", writers, writes, after[0] - before[0], writes);
            }
        }
    }

    private static long[] fsyncsAndWrites(List<TargetStats> stats) {
        long fsyncs = 0;
        long writes = 0;
        for (TargetStats s : stats) {
            fsyncs += s.fileForces() + s.metadataSyncs();
            writes += s.writes();
        }
        return new long[] {fsyncs, writes};
    }

    private static long run(int writers, BiConsumer<ChunkId, ByteBuffer> write) throws InterruptedException {
        LongAdder done = new LongAdder();
        long deadline = System.nanoTime() + RUN_MILLIS * 1_000_000;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            long writer = w + writers * 1000L;
            threads.add(Thread.ofPlatform().start(() -> {
                ByteBuffer data = ByteBuffer.allocateDirect(CHUNK_BYTES).put(ChunkData.bytes(writer, CHUNK_BYTES));
                for (long i = 0; System.nanoTime() < deadline; i++) {
                    write.accept(new ChunkId(writer, i), data.clear());
                    done.increment();
                }
            }));
        }
        for (Thread t : threads) t.join();
        return done.sum();
    }

    private static void report(String what, int writers, long writes, long fsyncs, long replicaWrites) {
        System.out.printf(
                "THROUGHPUT %s, %d writers: %d x 4 KiB durable writes in %d ms = %.0f writes/s, fsyncs per write %.3f%n",
                what, writers, writes, RUN_MILLIS, writes * 1000.0 / RUN_MILLIS, (double) fsyncs / writes);
    }
}
