package io.seabed.metakv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@link MetaKv#transactAsync} keeps {@link MetaKv#transact}'s guarantees without waiting: every future
 * completes with its own function's result, a conflicting first attempt is retried (no lost update), a function
 * that throws writes nothing and throws to the caller, and a read-only function completes at once.
 */
class AsyncTransactTest {
    @TempDir
    Path dir;

    @Test
    void concurrentAsyncIncrementsAreNotLostAndEachSeesItsOwnResult() throws Exception {
        // Many first attempts read the same value and conflict; their retries must still fit.
        int threads = 4;
        int perThread = 500;
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.contendedConfig(dir))) {
            byte[] key = TestKv.key("counter");
            List<CompletableFuture<Long>> all = new ArrayList<>();
            List<Thread> issuers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<CompletableFuture<Long>> mine = new ArrayList<>();
                Thread issuer = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        mine.add(kv.transactAsync(txn -> {
                            long next = TestKv.counterOf(txn.get(key)) + 1;
                            txn.put(key, TestKv.counter(next));
                            return next;
                        }));
                        // At most 32 outstanding per issuer, as a bounded client would.
                        if (mine.size() >= 32) mine.get(mine.size() - 32).join();
                    }
                    synchronized (all) {
                        all.addAll(mine);
                    }
                });
                issuers.add(issuer);
            }
            for (Thread issuer : issuers) issuer.join();
            Set<Long> results = new HashSet<>();
            for (CompletableFuture<Long> f : all) results.add(f.get(60, TimeUnit.SECONDS));
            // Serializable increments: each committed transaction saw a distinct value, 1..n.
            assertEquals(threads * perThread, results.size());
            assertTrue(results.contains(1L) && results.contains((long) threads * perThread));
            assertEquals(threads * perThread, TestKv.counterOf(kv.get(key)));
        }
    }

    @Test
    void aThrowingFunctionThrowsToTheCallerAndWritesNothing() throws Exception {
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            IllegalStateException thrown = new IllegalStateException("refused");
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> kv.transactAsync(txn -> {
                        txn.put(TestKv.key("never"), TestKv.key("x"));
                        throw thrown;
                    }));
            assertSame(thrown, e);
            assertNull(kv.get(TestKv.key("never")));
            // The store is still usable, and a write through the async path is visible once its future completes.
            kv.transactAsync(txn -> {
                        txn.put(TestKv.key("k"), TestKv.key("v"));
                        return null;
                    })
                    .get(30, TimeUnit.SECONDS);
            assertEquals("v", TestKv.str(kv.get(TestKv.key("k"))));
        }
    }

    @Test
    void aReadOnlyFunctionCompletesAtOnce() throws Exception {
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            kv.transact(txn -> {
                txn.put(TestKv.key("k"), TestKv.key("v"));
                return null;
            });
            CompletableFuture<String> f = kv.transactAsync(txn -> TestKv.str(txn.get(TestKv.key("k"))));
            assertTrue(f.isDone());
            assertEquals("v", f.get());
        }
    }
}
