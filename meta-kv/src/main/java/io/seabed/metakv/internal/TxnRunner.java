package io.seabed.metakv.internal;

import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.TxnFunction;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.rocksdb.ReadOptions;
import org.rocksdb.Snapshot;

/**
 * Runs transactions: attempt at the applied sequence, submit the batch, retry the whole function on
 * CONFLICT or TOO_OLD (bounded by {@code retriesMax} and by one deadline of {@code commitTimeoutMillis}
 * for the whole call). A rejected batch is answered after the log entry that carries the rejection
 * is applied, so by then the conflicting write is visible and the retry starts from it.
 *
 * <p>Thread safety: any thread; each call uses its own attempt.
 */
final class TxnRunner {
    private final KvStore store;
    private final KvStateMachine stateMachine;
    private final RaftNode node;
    private final int retriesMax;
    private final long commitTimeoutNanos;

    TxnRunner(KvStore store, KvStateMachine stateMachine, RaftNode node, int retriesMax, long commitTimeoutMillis) {
        this.store = store;
        this.stateMachine = stateMachine;
        this.node = node;
        this.retriesMax = retriesMax;
        this.commitTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(commitTimeoutMillis);
    }

    <T> T transact(TxnFunction<T> fn) {
        return transact(fn, System.nanoTime() + commitTimeoutNanos, 1);
    }

    /** The attempts from {@code firstAttempt} on, all within {@code deadline}. */
    private <T> T transact(TxnFunction<T> fn, long deadline, int firstAttempt) {
        int conflicts = 0;
        int tooOld = 0;
        for (int attempt = firstAttempt; attempt <= retriesMax; attempt++) {
            if (attempt > 1) backoff(attempt - 1);
            Attempt<T> a = attempt(fn);
            if (a.prepared == null) return a.result;
            byte decision = node.submit(a.prepared, deadline).get(0);
            switch (decision) {
                case Entry.COMMIT -> {
                    return a.result;
                }
                case Entry.CONFLICT -> conflicts++;
                case Entry.TOO_OLD -> tooOld++;
                case Entry.UNAVAILABLE -> throw new MetaKvException(Reason.UNAVAILABLE, "resolver not started");
                default -> throw new IllegalStateException("decision=" + decision);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new MetaKvException(
                        Reason.TIMEOUT,
                        "transaction not committed after " + attempt + " attempts (conflicts=" + conflicts + ", tooOld="
                                + tooOld + ") within its deadline");
            }
        }
        throw new MetaKvException(
                Reason.CONFLICT,
                "transaction not committed after retriesMax=" + retriesMax + " attempts (conflicts=" + conflicts
                        + ", tooOld=" + tooOld + ")");
    }

    /**
     * As {@link #transact}, without waiting for the log: the first attempt runs on the calling thread (its reads
     * are local RocksDB reads), then the returned future completes on a Raft thread when the commit is applied,
     * or with {@link MetaKvException} TIMEOUT after the commit timeout (see {@link RaftNode#submitAsync}). A conflicting first attempt continues as
     * {@link #transact} (same deadline, same attempt budget) on a virtual thread of its own, so {@code fn} never runs on a Raft thread.
     */
    <T> CompletableFuture<T> transactAsync(TxnFunction<T> fn) {
        long deadline = System.nanoTime() + commitTimeoutNanos;
        Attempt<T> a = attempt(fn);
        if (a.prepared == null) return CompletableFuture.completedFuture(a.result);
        return node.submitAsync(a.prepared, deadline)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RaftNode.translate(e, "commit")))
                .thenCompose(reply -> {
                    byte decision = reply.get(0);
                    return switch (decision) {
                        case Entry.COMMIT -> CompletableFuture.completedFuture(a.result);
                        case Entry.CONFLICT, Entry.TOO_OLD ->
                            CompletableFuture.supplyAsync(() -> transact(fn, deadline, 2), RETRIES);
                        case Entry.UNAVAILABLE ->
                            CompletableFuture.failedFuture(
                                    new MetaKvException(Reason.UNAVAILABLE, "resolver not started"));
                        default -> CompletableFuture.failedFuture(new IllegalStateException("decision=" + decision));
                    };
                });
    }

    /** Where an asynchronous transaction whose first attempt conflicted runs its retries. */
    private static final Executor RETRIES =
            command -> Thread.ofVirtual().name("meta-kv-retry").start(command);

    /** One run of {@code fn} at the applied sequence: its result and its prepared writes (null: none). */
    private record Attempt<T>(T result, PreparedTxn prepared) {}

    private <T> Attempt<T> attempt(TxnFunction<T> fn) {
        long readVersion = stateMachine.appliedSequence();
        Snapshot snapshot = store.snapshot();
        ReadOptions options = store.readOptions(snapshot);
        try {
            TxnAttempt txn = new TxnAttempt(new LocalView(store, options), readVersion);
            T result = fn.apply(txn);
            return new Attempt<>(result, txn.hasWrites() ? txn.prepare() : null);
        } finally {
            store.giveBack(options);
            store.release(snapshot);
        }
    }

    /** Commits blind ops (no reads, so no conflict); returns their results in op order. */
    long[] blind(java.util.function.Consumer<io.seabed.metakv.Txn> ops) {
        TxnAttempt txn = new TxnAttempt(null, 0);
        ops.accept(txn);
        ByteBuffer reply = node.submit(txn.prepare(), System.nanoTime() + commitTimeoutNanos);
        byte decision = reply.get(0);
        if (decision != Entry.COMMIT) {
            throw new MetaKvException(Reason.UNAVAILABLE, "blind batch refused: decision=" + decision);
        }
        long[] results = new long[reply.getInt(1)];
        for (int i = 0; i < results.length; i++) results[i] = reply.getLong(5 + 8 * i);
        return results;
    }

    private static void backoff(int attempt) {
        // Randomness only spreads retries in time; it decides nothing, so it is not injected.
        long maxMicros = Math.min(attempt, 20) * 50L;
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(maxMicros + 1) * 1000);
    }
}
