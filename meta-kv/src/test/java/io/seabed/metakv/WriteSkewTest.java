package io.seabed.metakv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: serializability refuses write skew. Invariant: x + y >= 1 (both start at 1). Each txn reads
 * both and sets one to 0 if the sum is 2. Latches make both read before either commits; the second
 * to commit must be retried, see the first's write, and leave its own key alone.
 */
class WriteSkewTest {
    @TempDir
    Path dir;

    @Test
    void secondCommitterIsRetriedAndSeesTheFirst() throws Exception {
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            byte[] x = TestKv.key("x");
            byte[] y = TestKv.key("y");
            kv.transact(txn -> {
                txn.put(x, TestKv.counter(1));
                txn.put(y, TestKv.counter(1));
                return null;
            });
            CountDownLatch bothRead = new CountDownLatch(2);
            CountDownLatch firstCommitted = new CountDownLatch(1);
            AtomicInteger attemptsA = new AtomicInteger();
            AtomicInteger attemptsB = new AtomicInteger();
            // Own threads: the common pool may have a single worker on a 2-core machine.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CompletableFuture<Void> a = CompletableFuture.runAsync(
                    () -> {
                        kv.transact(txn -> clearIfBoth(txn, x, y, x, attemptsA, bothRead, null));
                        firstCommitted.countDown();
                    },
                    pool);
            CompletableFuture<Void> b = CompletableFuture.runAsync(
                    () -> kv.transact(txn -> clearIfBoth(txn, x, y, y, attemptsB, bothRead, firstCommitted)), pool);
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
            pool.shutdown();
            long sum = TestKv.counterOf(kv.get(x)) + TestKv.counterOf(kv.get(y));
            assertEquals(1, sum, "invariant x + y >= 1 and exactly one cleared");
            assertEquals(0, TestKv.counterOf(kv.get(x)));
            assertEquals(1, attemptsA.get());
            assertEquals(2, attemptsB.get(), "second committer retried once");
        }
    }

    private static Object clearIfBoth(
            Txn txn,
            byte[] x,
            byte[] y,
            byte[] mine,
            AtomicInteger attempts,
            CountDownLatch bothRead,
            CountDownLatch waitFor) {
        int attempt = attempts.incrementAndGet();
        long sum = TestKv.counterOf(txn.get(x)) + TestKv.counterOf(txn.get(y));
        if (attempt == 1) {
            bothRead.countDown();
            await(bothRead);
            if (waitFor != null) await(waitFor);
        }
        if (sum == 2) txn.put(mine, TestKv.counter(0));
        else assertTrue(sum == 1, "sum=" + sum);
        return null;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) throw new AssertionError("latch timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
