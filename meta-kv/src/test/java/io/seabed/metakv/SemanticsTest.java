package io.seabed.metakv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Goal: the contract of the smaller operations: idempotency, blind ops, limits, TOO_OLD. */
class SemanticsTest {
    @TempDir
    Path dir;

    @Test
    void transactOnceReplaysStoredResultAndExpires() {
        AtomicLong now = new AtomicLong(1_000_000);
        InstantSource clock = () -> Instant.ofEpochMilli(now.get());
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir), clock)) {
            RequestId id = new RequestId(1, 2, 3);
            AtomicInteger runs = new AtomicInteger();
            TxnFunction<byte[]> fn = txn -> {
                runs.incrementAndGet();
                txn.add(TestKv.key("n"), 1);
                return TestKv.key("first");
            };
            assertEquals("first", TestKv.str(kv.transactOnce(id, 60_000, fn)));
            assertEquals("first", TestKv.str(kv.transactOnce(id, 60_000, txn -> TestKv.key("second"))));
            assertEquals(1, runs.get());
            assertEquals(1, TestKv.counterOf(kv.get(TestKv.key("n"))));
            assertNull(kv.transactOnce(new RequestId(1, 2, 4), 1_000, txn -> {
                txn.put(TestKv.key("z"), TestKv.key("z"));
                return null;
            }));
            assertNull(kv.transactOnce(new RequestId(1, 2, 4), 1_000, txn -> TestKv.key("not run")));
            now.addAndGet(30_000);
            assertEquals(1, kv.expiryCleaner().runOnce(), "only the 1 s record expired");
            assertEquals("first", TestKv.str(kv.transactOnce(id, 60_000, fn)));
            assertEquals(
                    "again", TestKv.str(kv.transactOnce(new RequestId(1, 2, 4), 1_000, txn -> TestKv.key("again"))));
        }
    }

    @Test
    void blindOps() {
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            byte[] k = TestKv.key("k");
            assertTrue(kv.putIfAbsent(k, TestKv.key("a")));
            assertFalse(kv.putIfAbsent(k, TestKv.key("b")));
            assertEquals("a", TestKv.str(kv.get(k)));
            byte[] m = TestKv.key("m");
            assertEquals(-5, kv.max(m, -5), "max of missing is the value");
            assertEquals(7, kv.max(m, 7));
            assertEquals(7, kv.max(m, 3));
            assertEquals(7, TestKv.counterOf(kv.get(m)));
            assertEquals(-2, kv.add(TestKv.key("c"), -2));
            long inTxn = kv.transact(txn -> {
                txn.add(m, 3);
                txn.max(m, 5);
                return TestKv.counterOf(txn.get(m));
            });
            assertEquals(10, inTxn);
            assertEquals(10, TestKv.counterOf(kv.get(m)));
        }
    }

    @Test
    void invalidArguments() {
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            byte[] big = new byte[MetaKv.KEY_BYTES_MAX + 1];
            invalid(() -> kv.get(new byte[0]));
            invalid(() -> kv.get(big));
            invalid(() -> kv.transact(txn -> {
                txn.put(big, new byte[1]);
                return null;
            }));
            invalid(() -> kv.putIfAbsent(TestKv.key("v"), new byte[MetaKv.VALUE_BYTES_MAX + 1]));
            invalid(() -> kv.scan(new byte[0], null, 0, false));
            invalid(() -> kv.transact(txn -> {
                txn.deleteRange(TestKv.key("b"), TestKv.key("a"));
                return null;
            }));
            invalid(() -> kv.transactOnce(new RequestId(0, 0, 0), 0, txn -> null));
            kv.transact(txn -> {
                txn.put(new byte[MetaKv.KEY_BYTES_MAX], new byte[MetaKv.VALUE_BYTES_MAX]);
                return null;
            });
            assertEquals(MetaKv.VALUE_BYTES_MAX, kv.get(new byte[MetaKv.KEY_BYTES_MAX]).length);
            assertEquals(0, kv.scan(new byte[0], null, 10, false).size() - 1, "nothing from the failed ones");
        }
    }

    private static void runSlow(RaftMetaKv kv, AtomicInteger attempts, CountDownLatch read, CountDownLatch flooded) {
        kv.transact(txn -> {
            txn.get(TestKv.key("unrelated"));
            if (attempts.incrementAndGet() == 1) {
                read.countDown();
                try {
                    flooded.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            txn.put(TestKv.key("slow"), TestKv.key("done"));
            return null;
        });
    }

    private static void invalid(Executable e) {
        MetaKvException x = assertThrows(MetaKvException.class, e);
        assertEquals(MetaKvException.Reason.INVALID_ARGUMENT, x.reason(), x.getMessage());
    }

    /**
     * TOO_OLD: a txn reads, then waits while others write more keys than the resolver's window holds;
     * its first commit is TOO_OLD, it is retried and commits.
     */
    @Test
    void tooOldIsRetried() throws Exception {
        MetaKvConfig c = TestKv.config(dir);
        MetaKvConfig config = new MetaKvConfig(
                dir, c.raftHost(), 0, c.commitTimeoutMillis(), c.retriesMax(), 1024, c.snapshotEveryEntries());
        try (RaftMetaKv kv = RaftMetaKv.open(config)) {
            CountDownLatch read = new CountDownLatch(1);
            CountDownLatch flooded = new CountDownLatch(1);
            AtomicInteger attempts = new AtomicInteger();
            Thread.Builder threads = Thread.ofPlatform().name("slow-txn");
            CompletableFuture<Void> slow = new CompletableFuture<>();
            threads.start(() -> {
                try {
                    runSlow(kv, attempts, read, flooded);
                    slow.complete(null);
                } catch (Throwable t) {
                    slow.completeExceptionally(t);
                }
            });
            read.await(20, TimeUnit.SECONDS);
            for (int b = 0; b < 30; b++) {
                int base = b * 50;
                kv.transact(txn -> {
                    for (int i = 0; i < 50; i++) txn.put(TestKv.key("flood" + (base + i)), new byte[] {1});
                    return null;
                });
            }
            flooded.countDown();
            slow.get(30, TimeUnit.SECONDS);
            assertEquals(2, attempts.get());
            assertArrayEquals(TestKv.key("done"), kv.get(TestKv.key("slow")));
        }
    }
}
