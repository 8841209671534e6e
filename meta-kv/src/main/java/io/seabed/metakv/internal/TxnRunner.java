package io.seabed.metakv.internal;

import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.TxnFunction;
import java.nio.ByteBuffer;
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
        long deadline = System.nanoTime() + commitTimeoutNanos;
        int conflicts = 0;
        int tooOld = 0;
        for (int attempt = 1; attempt <= retriesMax; attempt++) {
            long readVersion = stateMachine.appliedSequence();
            Snapshot snapshot = store.snapshot();
            T result;
            PreparedTxn prepared = null;
            ReadOptions options = store.readOptions(snapshot);
            try {
                TxnAttempt txn = new TxnAttempt(store, options, readVersion);
                result = fn.apply(txn);
                if (txn.hasWrites()) prepared = txn.prepare();
            } finally {
                store.giveBack(options);
                store.release(snapshot);
            }
            if (prepared == null) return result;
            byte decision = node.submit(prepared, deadline).get(0);
            switch (decision) {
                case Entry.COMMIT -> {
                    return result;
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
            backoff(attempt);
        }
        throw new MetaKvException(
                Reason.CONFLICT,
                "transaction not committed after retriesMax=" + retriesMax + " attempts (conflicts=" + conflicts
                        + ", tooOld=" + tooOld + ")");
    }

    /** Commits blind ops (no reads, so no conflict); returns their results in op order. */
    long[] blind(java.util.function.Consumer<io.seabed.metakv.Txn> ops) {
        TxnAttempt txn = new TxnAttempt(store, null, 0);
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
