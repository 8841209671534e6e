package io.seabed.basestore.chain;

import io.seabed.basestore.ChunkId;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Per-chunk locks that never block a thread: {@link #acquire} returns a future completed when the caller
 * holds the chunk, and the holder calls {@link #release}. Waiters are served in arrival order. At most
 * {@code waitersMax} may wait per chunk; beyond that acquire returns null (the caller answers BUSY).
 *
 * <p>Thread safety: all methods from any thread. A waiter's future completes on the releasing thread.
 */
final class ChunkLocks {
    private final int waitersMax;
    private final Map<ChunkId, ArrayDeque<CompletableFuture<Void>>> held = new HashMap<>();

    ChunkLocks(int waitersMax) {
        this.waitersMax = waitersMax;
    }

    /** A future completed once the caller holds {@code id}, or null when too many wait for it. */
    CompletableFuture<Void> acquire(ChunkId id) {
        synchronized (held) {
            ArrayDeque<CompletableFuture<Void>> waiters = held.get(id);
            if (waiters == null) {
                held.put(id, new ArrayDeque<>(2));
                return CompletableFuture.completedFuture(null);
            }
            if (waiters.size() >= waitersMax) return null;
            CompletableFuture<Void> turn = new CompletableFuture<>();
            waiters.add(turn);
            return turn;
        }
    }

    /** Hands {@code id} to the next waiter, or frees it. */
    void release(ChunkId id) {
        CompletableFuture<Void> next;
        synchronized (held) {
            ArrayDeque<CompletableFuture<Void>> waiters = held.get(id);
            if (waiters == null) throw new IllegalStateException("chunk " + id + " released but not held");
            next = waiters.poll();
            if (next == null) held.remove(id);
        }
        if (next != null) next.complete(null);
    }

    /** Chunks held now; for tests and metrics. */
    int heldCount() {
        synchronized (held) {
            return held.size();
        }
    }
}
