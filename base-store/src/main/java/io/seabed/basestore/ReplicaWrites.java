package io.seabed.basestore;

import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.chunk.Futures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one chunk's replicas: picks the top serving targets by rendezvous score, copies replicas
 * 2..n on the write pool while the caller copies the first, waits until every replica is durable,
 * and re-places a failed replica on the next serving target (at most {@code writeRetriesMax} per
 * chunk). When it gives up, the replicas already written are deleted before the error is thrown.
 *
 * <p>Thread safety: stateless per call apart from counters; called concurrently by callers of
 * {@link LocalBaseStoreClient#writeChunk}.
 */
final class ReplicaWrites {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaWrites.class);

    private final Target[] targets;
    private final int[] targetIds;
    private final int replicas;
    private final int retriesMax;
    private final ExecutorService pool;
    final LongAdder retries = new LongAdder();

    ReplicaWrites(Target[] targets, int replicas, int retriesMax, ExecutorService pool) {
        this.targets = targets;
        this.targetIds = new int[targets.length];
        for (int i = 0; i < targets.length; i++) targetIds[i] = targets[i].id;
        this.replicas = replicas;
        this.retriesMax = retriesMax;
        this.pool = pool;
    }

    ChunkRef write(ChunkId id, ByteBuffer data) {
        int[] order = new int[targets.length];
        Rendezvous.rank(id, targetIds, order);
        Target[] chosen = new Target[replicas];
        int cursor = 0;
        int count = 0;
        for (; cursor < order.length && count < replicas; cursor++) {
            Target target = targets[order[cursor]];
            if (target.serving()) chosen[count++] = target;
        }
        if (count < replicas)
            throw new StorageException(
                    Reason.NOT_ENOUGH_TARGETS,
                    "chunk " + id + ": serving targets=" + count + " (of " + targets.length + ") < replicas="
                            + replicas);
        List<CompletableFuture<Void>> futures = new ArrayList<>(replicas);
        futures.add(null);
        for (int i = 1; i < replicas; i++) futures.add(submit(chosen[i], id, data));
        futures.set(0, start(chosen[0], id, data));
        int retriesLeft = retriesMax;
        for (int i = 0; i < replicas; i++) {
            while (true) {
                StorageException failure = failureOf(futures.get(i), id, chosen[i]);
                if (failure == null) break;
                Target replacement = retryable(failure) && retriesLeft > 0 ? nextServing(order, cursor, chosen) : null;
                if (replacement == null) throw abandon(id, chosen, futures, i, failure, retriesLeft);
                LOG.warn(
                        "chunk {}: replica on {} failed ({}); writing it on {}",
                        id,
                        chosen[i],
                        failure.reason(),
                        replacement);
                retriesLeft--;
                retries.increment();
                chosen[i] = replacement;
                futures.set(i, start(replacement, id, data));
            }
        }
        int[] ids = new int[replicas];
        for (int i = 0; i < replicas; i++) ids[i] = chosen[i].id;
        return new ChunkRef(id, data.remaining(), ids);
    }

    private CompletableFuture<Void> submit(Target target, ChunkId id, ByteBuffer data) {
        try {
            return CompletableFuture.supplyAsync(() -> start(target, id, data), pool)
                    .thenCompose(f -> f);
        } catch (RejectedExecutionException e) {
            // The pool is saturated: the caller copies this replica itself (bounded either way).
            return start(target, id, data);
        }
    }

    private static CompletableFuture<Void> start(Target target, ChunkId id, ByteBuffer data) {
        try {
            return target.engine().writeAsync(id, data);
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static StorageException failureOf(CompletableFuture<Void> future, ChunkId id, Target target) {
        try {
            Futures.await(future, "replica of chunk " + id + " on " + target);
            return null;
        } catch (StorageException e) {
            return e;
        }
    }

    private static boolean retryable(StorageException failure) {
        if (Thread.currentThread().isInterrupted()) return false;
        return failure.reason() == Reason.IO_ERROR || failure.reason() == Reason.TARGET_OFFLINE;
    }

    private Target nextServing(int[] order, int cursor, Target[] chosen) {
        for (int k = cursor; k < order.length; k++) {
            Target candidate = targets[order[k]];
            if (!candidate.serving()) continue;
            boolean used = false;
            for (Target c : chosen) used |= c == candidate;
            if (!used) return candidate;
        }
        return null;
    }

    /**
     * Gives up on the chunk: waits for the other replicas, deletes those that were written (so no
     * orphan stays behind) and returns the error to throw.
     */
    private StorageException abandon(
            ChunkId id,
            Target[] chosen,
            List<CompletableFuture<Void>> futures,
            int failed,
            StorageException failure,
            int retriesLeft) {
        Reason reason =
                retryable(failure) ? (retriesLeft > 0 ? Reason.NOT_ENOUGH_TARGETS : Reason.IO_ERROR) : failure.reason();
        StorageException error = new StorageException(
                reason,
                "chunk " + id + ": replica on " + chosen[failed] + " failed and no retry is left (retriesMax="
                        + retriesMax + ", retriesLeft=" + retriesLeft + ")",
                failure);
        for (int j = 0; j < futures.size(); j++) {
            if (j == failed || failureOf(futures.get(j), id, chosen[j]) != null) continue;
            try {
                Futures.await(chosen[j].engine().deleteAsync(id), "cleanup of chunk " + id + " on " + chosen[j]);
            } catch (StorageException e) {
                error.addSuppressed(e);
            }
        }
        LOG.warn("chunk {} not written: {}", id, error.getMessage());
        return error;
    }
}
