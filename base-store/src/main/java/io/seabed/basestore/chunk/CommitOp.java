package io.seabed.basestore.chunk;

import io.seabed.basestore.ChunkId;
import java.util.concurrent.CompletableFuture;

/**
 * One write or delete waiting for its target's committer. A write's data is already in its block
 * (not yet forced). {@link #done} completes after the group holding it is durable, or fails with a
 * {@link io.seabed.basestore.StorageException}; it is completed by the committer thread, or by the
 * enqueuing thread if the engine closed before the committer saw it.
 */
final class CommitOp {
    final ChunkId id;
    /** The freshly allocated block of a write; null for a delete. */
    final BlockAddress address;

    final int lengthBytes;
    final int[] crcs;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    private CommitOp(ChunkId id, BlockAddress address, int lengthBytes, int[] crcs) {
        this.id = id;
        this.address = address;
        this.lengthBytes = lengthBytes;
        this.crcs = crcs;
    }

    static CommitOp write(ChunkId id, BlockAddress address, int lengthBytes, int[] crcs) {
        return new CommitOp(id, address, lengthBytes, crcs);
    }

    static CommitOp delete(ChunkId id) {
        return new CommitOp(id, null, 0, new int[0]);
    }

    boolean isWrite() {
        return address != null;
    }
}
