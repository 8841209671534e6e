package io.seabed.basestore.chunk;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The single committer of one target: takes every pending write and delete from the bounded queue,
 * forces each touched block file once ({@code fdatasync}), writes one synced RocksDB batch, frees
 * the blocks the batch un-referenced, and completes the group's futures. This ordering is the
 * durability contract: data durable, then metadata durable, then replaced blocks reusable.
 *
 * <p>Threads: {@link #run} is the body of the target's {@code basestore-commit-<target>} thread,
 * which owns {@link #nextVersion} and the group list. A failed force or batch takes the target
 * offline (never retried); from then on every queued op fails with TARGET_OFFLINE until close.
 */
final class GroupCommitter implements Runnable {
    private static final long POLL_MILLIS = 100;

    private final ChunkEngine engine;
    private final ArrayBlockingQueue<CommitOp> queue;
    private final int batchCountMax;
    private final BlockStore blocks;
    private final MetaStore meta;
    private final EngineCounters counters;
    private final List<CommitOp> group;
    private final List<BlockFile> touched = new ArrayList<>();
    private final List<ChunkMeta> unreferenced = new ArrayList<>();
    /** Committed and pending rows as this group leaves them (null value: removed). */
    private final HashMap<ChunkId, ChunkMeta> groupState = new HashMap<>();

    private final HashMap<ChunkId, ChunkMeta> groupPending = new HashMap<>();
    private long nextVersion;

    GroupCommitter(
            ChunkEngine engine,
            ArrayBlockingQueue<CommitOp> queue,
            int batchCountMax,
            BlockStore blocks,
            MetaStore meta,
            EngineCounters counters,
            long nextVersion) {
        this.engine = engine;
        this.queue = queue;
        this.batchCountMax = batchCountMax;
        this.blocks = blocks;
        this.meta = meta;
        this.counters = counters;
        this.group = new ArrayList<>(batchCountMax);
        this.nextVersion = nextVersion;
    }

    @Override
    public void run() {
        try {
            while (!engine.isClosed()) {
                CommitOp first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                group.add(first);
                queue.drainTo(group, batchCountMax - 1);
                if (engine.isOffline()) failGroup(engine.offlineError());
                else commitGroup();
                group.clear();
            }
        } catch (InterruptedException e) {
            // close() interrupts us only after marking the engine closed; the loop's work is done.
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            engine.takeOffline("committer failed unexpectedly", e);
            failGroup(engine.offlineError());
            throw e;
        } finally {
            group.clear();
            queue.drainTo(group);
            failGroup(new StorageException(Reason.CLOSED, "target " + engine.targetId() + " closed"));
        }
    }

    private void commitGroup() {
        try {
            forceTouchedFiles();
        } catch (IOException e) {
            engine.takeOffline("fdatasync of a block file failed", e);
            failGroup(new StorageException(
                    Reason.IO_ERROR,
                    "target " + engine.targetId() + ": fdatasync failed for a group of " + group.size(),
                    e));
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            fillBatch(batch);
            meta.commit(batch);
            counters.metadataSyncs.increment();
        } catch (RocksDBException | RuntimeException e) {
            engine.takeOffline("metadata commit failed", e);
            failGroup(new StorageException(
                    Reason.IO_ERROR,
                    "target " + engine.targetId() + ": metadata commit failed for a group of " + group.size(),
                    e));
            groupState.clear();
            groupPending.clear();
            unreferenced.clear();
            return;
        }
        // The batch removing these references is durable: only now may their blocks be reused.
        for (ChunkMeta old : unreferenced) blocks.free(old);
        unreferenced.clear();
        groupState.clear();
        groupPending.forEach(engine::pendingChanged);
        groupPending.clear();
        counters.commitGroups.increment();
        completeGroup();
    }

    private void forceTouchedFiles() throws IOException {
        touched.clear();
        for (CommitOp op : group) {
            if (!op.hasBlock() || op.lengthBytes == 0) continue;
            BlockFile file = op.address.file();
            if (!containsIdentity(touched, file)) touched.add(file);
        }
        for (BlockFile file : touched) {
            file.io.force();
            counters.fileForces.increment();
        }
        touched.clear();
    }

    /** Puts each op in the batch in queue order; later ops of a group see earlier ones. */
    private void fillBatch(WriteBatch batch) throws RocksDBException {
        for (CommitOp op : group) {
            switch (op.kind) {
                case WRITE -> {
                    RecentTags base = op.baseTags != null ? op.baseTags : recentTagsOf(committed(op.id));
                    ChunkMeta next = metaOf(op, base.with(op.tag, op.chunkVersion));
                    putCommitted(batch, op.id, next);
                    ChunkMeta pending = pending(op.id);
                    // A full version written directly supersedes a pending one it covers (sync, tail).
                    if (pending != null && pending.chunkVersion() <= op.chunkVersion) putPending(batch, op.id, null);
                }
                case STAGE -> putPending(batch, op.id, metaOf(op, RecentTags.EMPTY));
                case COMMIT -> {
                    ChunkMeta pending = pending(op.id);
                    ChunkMeta committed = committed(op.id);
                    if (pending != null && pending.chunkVersion() == op.chunkVersion) {
                        RecentTags tags = recentTagsOf(committed).with(pending.tag(), pending.chunkVersion());
                        putCommitted(batch, op.id, pending.withRecentTags(tags));
                        putPending(batch, op.id, null, false);
                    } else if (committed == null || committed.chunkVersion() < op.chunkVersion) {
                        op.refusal = new StorageException(
                                Reason.VERSION_MISMATCH,
                                "target " + engine.targetId() + ": commit of chunk " + op.id + " version "
                                        + op.chunkVersion + ": pending="
                                        + (pending == null ? "none" : pending.chunkVersion()) + " committed="
                                        + (committed == null ? "none" : committed.chunkVersion()));
                    }
                }
                case DELETE -> {
                    putCommitted(batch, op.id, null);
                    putPending(batch, op.id, null);
                }
                case DROP_PENDING -> putPending(batch, op.id, null);
            }
        }
    }

    private static RecentTags recentTagsOf(ChunkMeta committed) {
        return committed == null ? RecentTags.EMPTY : committed.recentTags();
    }

    private ChunkMeta metaOf(CommitOp op, RecentTags recentTags) {
        BlockAddress address = op.address;
        return new ChunkMeta(
                address.file().classIndex,
                address.file().fileNo,
                address.blockIndex(),
                op.lengthBytes,
                nextVersion++,
                op.chunkVersion,
                op.chainId,
                op.tag,
                recentTags,
                op.crcs);
    }

    private ChunkMeta committed(ChunkId id) throws RocksDBException {
        return groupState.containsKey(id) ? groupState.get(id) : meta.get(id);
    }

    private ChunkMeta pending(ChunkId id) throws RocksDBException {
        return groupPending.containsKey(id) ? groupPending.get(id) : meta.getPending(id);
    }

    /** Sets (or with null removes) the committed row; the block it replaces is freed after the batch. */
    private void putCommitted(WriteBatch batch, ChunkId id, ChunkMeta next) throws RocksDBException {
        ChunkMeta previous = committed(id);
        if (next == null && previous == null) return;
        byte[] key = ChunkMeta.key(id);
        if (next == null) batch.delete(key);
        else batch.put(key, next.encode());
        groupState.put(id, next);
        if (previous != null) unreferenced.add(previous);
    }

    /**
     * Sets (or removes) the pending row. {@code freePrevious} is false when the pending block moves
     * to the committed row rather than going away.
     */
    private void putPending(WriteBatch batch, ChunkId id, ChunkMeta next) throws RocksDBException {
        putPending(batch, id, next, true);
    }

    private void putPending(WriteBatch batch, ChunkId id, ChunkMeta next, boolean freePrevious)
            throws RocksDBException {
        ChunkMeta previous = pending(id);
        if (next == null && previous == null) return;
        byte[] key = ChunkMeta.pendingKey(id);
        if (next == null) batch.delete(key);
        else batch.put(key, next.encode());
        groupPending.put(id, next);
        if (previous != null && freePrevious) unreferenced.add(previous);
    }

    private void completeGroup() {
        for (CommitOp op : group) {
            if (op.refusal != null) {
                op.done.completeExceptionally(op.refusal);
                continue;
            }
            switch (op.kind) {
                case WRITE, STAGE -> {
                    counters.writes.increment();
                    counters.bytesWritten.add(op.lengthBytes);
                }
                case DELETE -> counters.deletes.increment();
                case COMMIT, DROP_PENDING -> {}
            }
            op.done.complete(null);
        }
    }

    private void failGroup(StorageException error) {
        for (CommitOp op : group) op.done.completeExceptionally(error);
        group.clear();
    }

    private static boolean containsIdentity(List<BlockFile> files, BlockFile file) {
        for (BlockFile f : files) {
            if (f == file) return true;
        }
        return false;
    }
}
