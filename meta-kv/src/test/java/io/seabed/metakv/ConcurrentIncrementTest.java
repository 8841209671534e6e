package io.seabed.metakv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: no lost update under contention. 8 threads each increment one key 10,000 times, by
 * read-modify-write transactions (every conflict must be caught and retried) and by blind add.
 */
class ConcurrentIncrementTest {
    static final int THREADS = 8;
    static final int PER_THREAD = 10_000;

    @TempDir
    Path dir;

    @Test
    void transactIncrementsAreNotLost() throws Exception {
        // Retries: 8 contenders on one key commit one per log round, so a thread may lose many rounds.
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.contendedConfig(dir))) {
            byte[] key = TestKv.key("counter");
            long start = System.nanoTime();
            runThreads(() -> kv.transact(txn -> {
                txn.put(key, TestKv.counter(TestKv.counterOf(txn.get(key)) + 1));
                return null;
            }));
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "transact increments: %d in %d ms = %.0f/s%n",
                    THREADS * PER_THREAD, millis, THREADS * PER_THREAD * 1000.0 / millis);
            assertEquals(THREADS * PER_THREAD, TestKv.counterOf(kv.get(key)));
        }
    }

    @Test
    void blindAddsAreNotLost() throws Exception {
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            byte[] key = TestKv.key("counter");
            long start = System.nanoTime();
            runThreads(() -> kv.add(key, 1));
            // Group commit: concurrent writers share log entries (a blind add of a group sees the ones before it).
            long[] stats = kv.groupStats();
            System.out.printf("group commit: %d transactions in %d log entries%n", stats[1], stats[0]);
            assertTrue(stats[0] < stats[1], "no transactions shared a log entry");
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf(
                    "blind adds: %d in %d ms = %.0f/s%n",
                    THREADS * PER_THREAD, millis, THREADS * PER_THREAD * 1000.0 / millis);
            assertEquals(THREADS * PER_THREAD, TestKv.counterOf(kv.get(key)));
            assertEquals(THREADS * PER_THREAD + 5, kv.add(key, 5));
        }
    }

    private static void runThreads(Runnable op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < PER_THREAD; i++) op.run();
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
