package io.seabed.basestore.chunk;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.UpdateTag;
import java.util.concurrent.CompletableFuture;

/**
 * One metadata change waiting for its target's committer. A write's or stage's data is already in
 * its block (not yet forced). {@link #done} completes after the group holding it is durable, or
 * fails with a {@link StorageException}; it is completed by the committer thread, or by the
 * enqueuing thread if the engine closed before the committer saw it.
 */
final class CommitOp {
    enum Kind {
        /** The block becomes the committed version at once (single replica, chain tail, sync). */
        WRITE,
        /** The block becomes the pending version (CRAQ: not readable until committed). */
        STAGE,
        /** The pending version {@link #chunkVersion} becomes the committed one. */
        COMMIT,
        /** Both versions go. */
        DELETE,
        /** The pending version goes. */
        DROP_PENDING
    }

    final Kind kind;
    final ChunkId id;
    /** The freshly allocated block of a write or stage; null otherwise. */
    final BlockAddress address;

    final int lengthBytes;
    final int[] crcs;
    final long chunkVersion;
    final int chainId;
    final UpdateTag tag;
    /**
     * The recent tags a WRITE's version goes on top of (a sync brings its sender's); null: those of the
     * committed row at commit time.
     */
    final RecentTags baseTags;

    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Set by the committer when this op alone is refused (a commit of a version not pending). */
    StorageException refusal;

    private CommitOp(
            Kind kind,
            ChunkId id,
            BlockAddress address,
            int lengthBytes,
            int[] crcs,
            long chunkVersion,
            int chainId,
            UpdateTag tag,
            RecentTags baseTags) {
        this.kind = kind;
        this.id = id;
        this.address = address;
        this.lengthBytes = lengthBytes;
        this.crcs = crcs;
        this.chunkVersion = chunkVersion;
        this.chainId = chainId;
        this.tag = tag;
        this.baseTags = baseTags;
    }

    /**
     * A new block: the committed version at once ({@code commit}, WRITE) or the pending one (STAGE).
     * {@code baseTags}: see {@link #baseTags}; only for a WRITE.
     */
    static CommitOp block(
            boolean commit,
            ChunkId id,
            BlockAddress address,
            int lengthBytes,
            int[] crcs,
            long chunkVersion,
            int chainId,
            UpdateTag tag,
            RecentTags baseTags) {
        if (!commit && baseTags != null) throw new IllegalArgumentException("a staged version takes no recent tags");
        return new CommitOp(
                commit ? Kind.WRITE : Kind.STAGE, id, address, lengthBytes, crcs, chunkVersion, chainId, tag, baseTags);
    }

    static CommitOp commit(ChunkId id, long chunkVersion) {
        return new CommitOp(Kind.COMMIT, id, null, 0, new int[0], chunkVersion, 0, UpdateTag.NONE, null);
    }

    static CommitOp dropPending(ChunkId id) {
        return new CommitOp(Kind.DROP_PENDING, id, null, 0, new int[0], 0, 0, UpdateTag.NONE, null);
    }

    static CommitOp delete(ChunkId id) {
        return new CommitOp(Kind.DELETE, id, null, 0, new int[0], 0, 0, UpdateTag.NONE, null);
    }

    boolean hasBlock() {
        return address != null;
    }
}
