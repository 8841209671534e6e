package io.seabed.basestore.chunk;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.TargetState;
import io.seabed.basestore.TargetStats;
import io.seabed.basestore.UpdateTag;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk engine of one target (one directory standing for a disk): size-class block files, a
 * bitmap allocator, chunk metadata in the target's RocksDB, and a group committer (DESIGN §4).
 *
 * <p>A write is copy-on-write: the caller's thread computes the CRCs, allocates a fresh block and
 * writes the bytes into it; the committer thread then makes it durable with the other pending
 * writes (fdatasync of each touched file, then one synced metadata batch) and only then frees the
 * block the chunk had before. A committed block is never written in place.
 *
 * <p>Threads: every public method may be called from any thread and blocks (never from an event
 * loop). Reads are positional and take no lock. Errors: {@link StorageException} with TARGET_OFFLINE
 * once a force or a write failed (permanent for this process), CLOSED after {@link #close}.
 */
public final class ChunkEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkEngine.class);
    private static final long CLOSE_WAIT_MILLIS_MAX = 10_000;

    private final int targetId;
    private final Path directory;
    private final BlockStore blocks;
    private final MetaStore meta;
    private final ArrayBlockingQueue<CommitOp> commitQueue;
    private final EngineCounters counters = new EngineCounters();
    private final DirectBufferPool copyBuffers;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Chunks with a pending version, and that version; kept by the committer, loaded at open. */
    private final ConcurrentHashMap<ChunkId, Long> pendingVersions = new ConcurrentHashMap<>();

    private final Thread committerThread;
    private volatile boolean closed;
    private volatile StorageException offline;

    private ChunkEngine(
            int targetId, Path directory, ChunkEngineConfig config, BlockStore blocks, MetaStore meta, long version) {
        this.targetId = targetId;
        this.directory = directory;
        this.blocks = blocks;
        this.meta = meta;
        this.commitQueue = new ArrayBlockingQueue<>(config.commitQueueCapacity());
        this.copyBuffers = new DirectBufferPool(config.copyBufferBytes(), config.copyBufferCountMax());
        GroupCommitter committer = new GroupCommitter(
                this, commitQueue, config.commitBatchCountMax(), blocks, meta, counters, version + 1);
        this.committerThread = Thread.ofPlatform()
                .name("basestore-commit-" + targetId)
                .daemon(true)
                .unstarted(committer);
    }

    /**
     * Opens (creating if needed) the engine in {@code directory}: finds the block files, replays the
     * metadata into the allocators, starts the committer.
     *
     * @throws StorageException IO_ERROR when the files or the metadata cannot be opened or disagree
     */
    public static ChunkEngine open(Path directory, int targetId, ChunkEngineConfig config, TargetIo targetIo) {
        BlockStore blocks = null;
        MetaStore meta = null;
        try {
            blocks = BlockStore.open(directory.resolve("blocks"), config, targetIo);
            meta = MetaStore.open(directory.resolve("meta"));
            AtomicLong maxVersion = new AtomicLong();
            BlockStore opened = blocks;
            meta.forEach((id, m) -> {
                opened.markUsed(m);
                maxVersion.accumulateAndGet(m.version(), Math::max);
            });
            List<ChunkMeta> pending = new ArrayList<>();
            List<ChunkId> pendingIds = new ArrayList<>();
            meta.forEachPending((id, m) -> {
                opened.markUsed(m);
                maxVersion.accumulateAndGet(m.version(), Math::max);
                pending.add(m);
                pendingIds.add(id);
            });
            ChunkEngine engine = new ChunkEngine(targetId, directory, config, blocks, meta, maxVersion.get());
            for (int i = 0; i < pending.size(); i++)
                engine.pendingVersions.put(pendingIds.get(i), pending.get(i).chunkVersion());
            engine.committerThread.start();
            LOG.info(
                    "target {} opened at {}: {} blocks used, {} bytes of block files",
                    targetId,
                    directory,
                    blocks.blocksUsed(),
                    blocks.fileBytesTotal());
            return engine;
        } catch (IOException | RocksDBException | RuntimeException e) {
            if (meta != null) meta.close();
            if (blocks != null) closeQuietly(blocks, e);
            throw new StorageException(Reason.IO_ERROR, "target " + targetId + " cannot open " + directory, e);
        }
    }

    public int targetId() {
        return targetId;
    }

    public TargetState state() {
        return offline == null && !closed ? TargetState.SERVING : TargetState.OFFLINE;
    }

    /**
     * Writes the chunk as committed version 1 (replacing any committed version) and returns a future
     * completed when it is durable; for chunks written once without a chain. See {@link #updateAsync}.
     */
    public CompletableFuture<Void> writeAsync(ChunkId id, ByteBuffer data) {
        return updateAsync(id, 0, 1, UpdateTag.NONE, new ChunkUpdate.Replace(data), true);
    }

    /**
     * Makes version {@code chunkVersion} of the chunk (of chain {@code chainId}, 0 for none), made by {@code update} from the committed
     * version before it, and returns a future completed when it is durable: as the committed version
     * when {@code commit} (a chain's tail, a sync's full replace), else as the pending version,
     * which {@link #commitAsync} later commits. A previous pending version is replaced. An update
     * that {@link ChunkUpdate#needsBase needs its base} requires the committed version to be exactly
     * {@code chunkVersion - 1} (VERSION_MISMATCH otherwise; the caller then sends a Replace). The
     * caller serializes updates of one chunk.
     *
     * <p>Never throws an operating error: failures complete the future with a StorageException
     * (INVALID_ARGUMENT, VERSION_MISMATCH, IO_ERROR, TARGET_OFFLINE, CLOSED). Reads the update's
     * data from position to limit without moving it; the caller may reuse it once this returns.
     */
    public CompletableFuture<Void> updateAsync(
            ChunkId id, int chainId, long chunkVersion, UpdateTag tag, ChunkUpdate update, boolean commit) {
        return makeVersion(id, chainId, chunkVersion, tag, update, commit, null);
    }

    /**
     * Writes {@code data} as committed version {@code chunkVersion} of the chunk, as a sync from the
     * predecessor brings it: its recent tags become {@code recentTags} (the sender's) with {@code tag} as the
     * newest, instead of growing from the versions held here. Otherwise as {@link #updateAsync} with a
     * Replace and {@code commit}.
     */
    public CompletableFuture<Void> syncAsync(
            ChunkId id, int chainId, long chunkVersion, UpdateTag tag, RecentTags recentTags, ByteBuffer data) {
        return makeVersion(id, chainId, chunkVersion, tag, new ChunkUpdate.Replace(data), true, recentTags);
    }

    /** {@code baseTags}: the recent tags the version goes on top of; null for those of the committed row. */
    private CompletableFuture<Void> makeVersion(
            ChunkId id,
            int chainId,
            long chunkVersion,
            UpdateTag tag,
            ChunkUpdate update,
            boolean commit,
            RecentTags baseTags) {
        if (chunkVersion < 1)
            return CompletableFuture.failedFuture(
                    new StorageException(Reason.INVALID_ARGUMENT, "chunk " + id + " version " + chunkVersion + " < 1"));
        StorageException refusal = enter();
        if (refusal != null) return CompletableFuture.failedFuture(refusal);
        try {
            ByteBuffer data;
            try {
                data = contentOf(id, chunkVersion, update);
            } catch (StorageException e) {
                return CompletableFuture.failedFuture(e);
            }
            int length = data.remaining();
            if (length > BaseStoreClient.CHUNK_BYTES_MAX)
                return CompletableFuture.failedFuture(new StorageException(
                        Reason.INVALID_ARGUMENT,
                        "chunk " + id + " lengthBytes=" + length + " > CHUNK_BYTES_MAX="
                                + BaseStoreClient.CHUNK_BYTES_MAX));
            BlockAddress address = blocks.allocate(SizeClasses.classFor(length));
            int[] crcs = BlockCrcs.compute(data);
            try {
                writeBlock(address, data);
            } catch (IOException e) {
                takeOffline("write to " + address.file() + " failed", e);
                return CompletableFuture.failedFuture(new StorageException(
                        Reason.IO_ERROR,
                        "target " + targetId + ": write of chunk " + id + " (" + length + " B) at block "
                                + address.blockIndex() + " of " + address.file() + " failed",
                        e));
            }
            CommitOp op = CommitOp.block(commit, id, address, length, crcs, chunkVersion, chainId, tag, baseTags);
            return enqueue(op, address);
        } catch (IOException e) {
            takeOffline("growing a block file failed", e);
            return CompletableFuture.failedFuture(new StorageException(
                    Reason.IO_ERROR, "target " + targetId + ": allocating a block for chunk " + id + " failed", e));
        } finally {
            exit();
        }
    }

    /** Drops the chunk's pending version (an orphan: the update that made it will never finish here). */
    public CompletableFuture<Void> dropPendingAsync(ChunkId id) {
        StorageException refusal = enter();
        if (refusal != null) return CompletableFuture.failedFuture(refusal);
        try {
            return enqueue(CommitOp.dropPending(id), null);
        } finally {
            exit();
        }
    }

    /**
     * Commits pending version {@code chunkVersion}: it becomes the committed version and the one
     * before it is freed. Committing a version already committed (or older) succeeds and changes
     * nothing; one neither pending nor committed fails with VERSION_MISMATCH.
     */
    public CompletableFuture<Void> commitAsync(ChunkId id, long chunkVersion) {
        StorageException refusal = enter();
        if (refusal != null) return CompletableFuture.failedFuture(refusal);
        try {
            return enqueue(CommitOp.commit(id, chunkVersion), null);
        } finally {
            exit();
        }
    }

    /** The bytes of the new version: the update's data, or the update applied to the committed base. */
    private ByteBuffer contentOf(ChunkId id, long chunkVersion, ChunkUpdate update) {
        if (update instanceof ChunkUpdate.Replace replace) return replace.data();
        ChunkMeta base = metaOf(id);
        long baseVersion = base == null ? 0 : base.chunkVersion();
        if (baseVersion != chunkVersion - 1)
            throw new StorageException(
                    Reason.VERSION_MISMATCH,
                    "target " + targetId + ": chunk " + id + " version " + chunkVersion + " needs base "
                            + (chunkVersion - 1) + ", committed is " + baseVersion);
        int baseLength = base == null ? 0 : base.lengthBytes();
        int length = update.resultLength(baseLength);
        if (length > BaseStoreClient.CHUNK_BYTES_MAX)
            throw new StorageException(
                    Reason.INVALID_ARGUMENT,
                    "chunk " + id + " would grow to " + length + " B > CHUNK_BYTES_MAX="
                            + BaseStoreClient.CHUNK_BYTES_MAX);
        ByteBuffer content = ByteBuffer.allocate(length);
        int keep = Math.min(baseLength, length);
        if (keep > 0) read(id, 0, content.slice(0, keep));
        if (update instanceof ChunkUpdate.WriteAt write)
            content.put(
                    write.offset(),
                    write.data(),
                    write.data().position(),
                    write.data().remaining());
        return content;
    }

    /** Writes the chunk and waits until it is durable; see {@link #writeAsync}. */
    public void write(ChunkId id, ByteBuffer data) {
        Futures.await(writeAsync(id, data), "write of chunk " + id + " on target " + targetId);
    }

    /**
     * Deletes the chunk; the future completes when the removal is durable and its block free again.
     * Deleting a missing chunk succeeds. Never throws an operating error (see {@link #writeAsync}).
     */
    public CompletableFuture<Void> deleteAsync(ChunkId id) {
        StorageException refusal = enter();
        if (refusal != null) return CompletableFuture.failedFuture(refusal);
        try {
            return enqueue(CommitOp.delete(id), null);
        } finally {
            exit();
        }
    }

    public void delete(ChunkId id) {
        Futures.await(deleteAsync(id), "delete of chunk " + id + " on target " + targetId);
    }

    /**
     * Reads whole CRC blocks {@code [blockFirst, blockFirst + blockCount)} of the chunk into {@code
     * output} (the last block of the chunk may be short) and returns the stored CRCs with the
     * version, so the reader checks end to end. With {@code verifyAtTarget}, this engine checks
     * the CRCs too and counts mismatches. On return {@code output}'s position advanced by the bytes.
     *
     * @throws StorageException NO_SUCH_CHUNK, OUT_OF_RANGE (blocks beyond the chunk),
     *     INVALID_ARGUMENT (output too small), CORRUPT (only with verifyAtTarget), IO_ERROR,
     *     TARGET_OFFLINE, CLOSED
     */
    public ChunkBlocks readBlocks(
            ChunkId id, int blockFirst, int blockCount, ByteBuffer output, boolean verifyAtTarget) {
        return readBlocks(id, blockFirst, blockCount, false, output, verifyAtTarget);
    }

    /**
     * Like {@link #readBlocks}, but reads at most {@code blockCountMax} blocks: those of them the chunk has, all
     * from the one committed version the call finds (what a reader of a range that may pass the chunk's end
     * needs: a second look-up could find another version of another length).
     *
     * @throws StorageException OUT_OF_RANGE only when {@code blockFirst} is beyond the chunk's blocks
     */
    public ChunkBlocks readBlocksUpTo(
            ChunkId id, int blockFirst, int blockCountMax, ByteBuffer output, boolean verifyAtTarget) {
        return readBlocks(id, blockFirst, blockCountMax, true, output, verifyAtTarget);
    }

    /**
     * Where up to {@code blockCountMax} committed blocks from {@code blockFirst} are on disk, to be sent without
     * copying ({@code file} from {@code position}, {@code bytes} long, whose CRC32C {@code crc32c} is made from
     * the stored block CRCs), with the version's length and CRCs in {@code blocks}. Null when this target's
     * files have no channel to send from. The bytes are not pinned: a newer version may reuse the block while
     * they are sent, which the reader's CRC checks catch (it then reads again).
     *
     * @throws StorageException NO_SUCH_CHUNK; OUT_OF_RANGE when {@code blockFirst} is beyond the chunk's blocks
     */
    public ChunkRange rangeOf(ChunkId id, int blockFirst, int blockCountMax) {
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            Long pending = pendingVersions.get(id); // before the committed row, as in readBlocks
            ChunkMeta m = metaOf(id);
            if (m == null) throw new StorageException(Reason.NO_SUCH_CHUNK, "chunk " + id + " on target " + targetId);
            int blocksTotal = m.crcs().length;
            if (blockFirst < 0 || blockCountMax < 0 || blockFirst > blocksTotal)
                throw new StorageException(
                        Reason.OUT_OF_RANGE, "chunk " + id + " block " + blockFirst + " of " + blocksTotal);
            FileChannel file = blocks.file(m).io.channel();
            if (file == null) return null;
            int count = Math.min(blockCountMax, blocksTotal - blockFirst);
            long startBytes = (long) blockFirst * BaseStoreClient.CRC_BLOCK_BYTES;
            int bytes = (int) (Math.min(m.lengthBytes(), startBytes + (long) count * BaseStoreClient.CRC_BLOCK_BYTES)
                    - startBytes);
            counters.reads.increment();
            counters.bytesRead.add(bytes);
            return new ChunkRange(
                    new ChunkBlocks(
                            m.version(), m.chunkVersion(), m.lengthBytes(), m.crcs(), pending == null ? 0 : pending),
                    file,
                    m.offsetBytes() + startBytes,
                    bytes,
                    BlockCrcs.ofRange(m.crcs(), blockFirst, count, m.lengthBytes()));
        } finally {
            exit();
        }
    }

    /** A range of one committed version's blocks on disk; see {@link #rangeOf}. */
    public record ChunkRange(ChunkBlocks blocks, FileChannel file, long position, int bytes, int crc32c) {}

    private ChunkBlocks readBlocks(
            ChunkId id, int blockFirst, int blockCount, boolean clamp, ByteBuffer output, boolean verifyAtTarget) {
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            // The pending version first: it is dropped only after its commit is durable, so a read that finds
            // none here and the committed row after it never misses a version committed in between.
            Long pending = pendingVersions.get(id);
            ChunkMeta m = metaOf(id);
            if (m == null) throw new StorageException(Reason.NO_SUCH_CHUNK, "chunk " + id + " on target " + targetId);
            int blocksTotal = m.crcs().length;
            if (clamp && blockFirst >= 0 && blockFirst <= blocksTotal)
                blockCount = Math.min(blockCount, blocksTotal - blockFirst);
            if (blockFirst < 0 || blockCount < 0 || blockFirst + blockCount > blocksTotal)
                throw new StorageException(
                        Reason.OUT_OF_RANGE,
                        "chunk " + id + " blocks [" + blockFirst + ", +" + blockCount + ") of " + blocksTotal);
            long startBytes = (long) blockFirst * BaseStoreClient.CRC_BLOCK_BYTES;
            int bytes =
                    (int) (Math.min(m.lengthBytes(), startBytes + (long) blockCount * BaseStoreClient.CRC_BLOCK_BYTES)
                            - startBytes);
            if (output.remaining() < bytes)
                throw new StorageException(
                        Reason.INVALID_ARGUMENT, "output remaining=" + output.remaining() + " < " + bytes + " B");
            ByteBuffer window = output.slice(output.position(), bytes);
            readBlock(m, window, startBytes, id);
            window.flip();
            if (verifyAtTarget) verify(id, m, window, blockFirst);
            output.position(output.position() + bytes);
            counters.reads.increment();
            counters.bytesRead.add(bytes);
            return new ChunkBlocks(
                    m.version(), m.chunkVersion(), m.lengthBytes(), m.crcs(), pending == null ? 0 : pending);
        } finally {
            exit();
        }
    }

    /** Reads {@code output.remaining()} bytes from {@code offsetBytes}, verified at this target. */
    public void read(ChunkId id, int offsetBytes, ByteBuffer output) {
        ByteBuffer scratch = copyBuffers.acquire();
        long[] seq = {-1};
        try {
            RangedRead.run(offsetBytes, output, scratch, (first, count, window) -> {
                long version = readBlocks(id, first, count, window, true).version();
                // Every window must come from the same committed block, or the bytes would mix versions.
                if (seq[0] >= 0 && seq[0] != version)
                    throw new StorageException(
                            Reason.NO_SUCH_CHUNK,
                            "chunk " + id + " changed on target " + targetId + " while being read");
                seq[0] = version;
            });
        } finally {
            copyBuffers.release(scratch);
        }
    }

    /** The committed version of the chunk, or -1 if it has none; used to tell a race from corruption. */
    public long versionOf(ChunkId id) {
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            ChunkMeta m = metaOf(id);
            return m == null ? -1 : m.version();
        } finally {
            exit();
        }
    }

    /**
     * The whole content of the pending version, checked against its CRCs; for forwarding it as a full
     * replace to a replica that lacks its base, or finishing it after a head restarts.
     *
     * @throws StorageException NO_SUCH_CHUNK when no version is pending, CORRUPT, IO_ERROR
     */
    public ByteBuffer readPending(ChunkId id) {
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            ChunkMeta m = pendingOf(id);
            if (m == null)
                throw new StorageException(
                        Reason.NO_SUCH_CHUNK, "chunk " + id + " has no pending version on target " + targetId);
            ByteBuffer content = ByteBuffer.allocate(m.lengthBytes());
            readBlock(m, content, 0, id);
            content.flip();
            int bad = BlockCrcs.firstMismatch(content, 0, m.crcs());
            if (bad >= 0) {
                counters.corruptBlocksDetected.increment();
                throw new StorageException(
                        Reason.CORRUPT,
                        "target " + targetId + ": pending chunk " + id + " block " + bad + " fails CRC32C");
            }
            return content;
        } finally {
            exit();
        }
    }

    /** The chunk's committed and pending versions here; {@link ChunkInfo#exists} is false if it has none. */
    public ChunkInfo info(ChunkId id) {
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            ChunkMeta committed = metaOf(id);
            ChunkMeta pending = pendingOf(id);
            return infoOf(committed, pending);
        } finally {
            exit();
        }
    }

    /**
     * Up to {@code countMax} chunks after {@code after} (from the first when null), in id order,
     * with their versions; for sync and verify. Paging: pass the last id returned.
     */
    public List<ChunkListing> list(ChunkId after, int countMax) {
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            java.util.TreeMap<ChunkId, ChunkMeta[]> rows = new java.util.TreeMap<>(ChunkEngine::compareIds);
            long committedCount = meta.forEach(
                    ChunkMeta.KEY_PREFIX,
                    after,
                    countMax,
                    (id, m) -> rows.computeIfAbsent(id, k -> new ChunkMeta[2])[0] = m);
            ChunkId committedLast = rows.isEmpty() ? null : rows.lastKey();
            java.util.TreeMap<ChunkId, ChunkMeta[]> pendingRows = new java.util.TreeMap<>(ChunkEngine::compareIds);
            long pendingCount = meta.forEach(
                    ChunkMeta.PENDING_KEY_PREFIX,
                    after,
                    countMax,
                    (id, m) -> pendingRows.computeIfAbsent(id, k -> new ChunkMeta[2])[1] = m);
            ChunkId pendingLast = pendingRows.isEmpty() ? null : pendingRows.lastKey();
            for (var e : pendingRows.entrySet())
                rows.computeIfAbsent(e.getKey(), k -> new ChunkMeta[2])[1] = e.getValue()[1];
            // A full page of one kind covers ids only up to its last; cut the merge there.
            ChunkId bound = null;
            if (committedCount >= countMax) bound = committedLast;
            if (pendingCount >= countMax && (bound == null || compareIds(pendingLast, bound) < 0)) bound = pendingLast;
            List<ChunkListing> out = new ArrayList<>();
            for (var e : rows.entrySet()) {
                if (bound != null && compareIds(e.getKey(), bound) > 0) break;
                if (out.size() >= countMax) break;
                // Below the bound both pages are complete: a missing half does not exist.
                out.add(new ChunkListing(e.getKey(), infoOf(e.getValue()[0], e.getValue()[1])));
            }
            return out;
        } catch (RocksDBException e) {
            throw new StorageException(Reason.IO_ERROR, "target " + targetId + ": listing chunks failed", e);
        } finally {
            exit();
        }
    }

    /** One entry of {@link #list}. */
    public record ChunkListing(ChunkId id, ChunkInfo info) {}

    /** Orders ids as the metadata keys do: unsigned, high then low. */
    public static int compareIds(ChunkId a, ChunkId b) {
        int c = Long.compareUnsigned(a.high(), b.high());
        return c != 0 ? c : Long.compareUnsigned(a.low(), b.low());
    }

    private static ChunkInfo infoOf(ChunkMeta committed, ChunkMeta pending) {
        ChunkMeta any = committed != null ? committed : pending;
        return new ChunkInfo(
                any == null ? 0 : any.chainId(),
                committed == null ? 0 : committed.chunkVersion(),
                committed == null ? 0 : committed.lengthBytes(),
                committed == null ? UpdateTag.NONE : committed.tag(),
                committed == null ? RecentTags.EMPTY : committed.recentTags(),
                committed == null ? 0 : digestOf(committed),
                pending == null ? 0 : pending.chunkVersion(),
                pending == null ? UpdateTag.NONE : pending.tag());
    }

    /** 64 bits over the length and block CRCs: CRC32C in the high half, CRC32 in the low. */
    private static long digestOf(ChunkMeta m) {
        ByteBuffer bytes = ByteBuffer.allocate(4 + 4 * m.crcs().length);
        bytes.putInt(m.lengthBytes());
        for (int crc : m.crcs()) bytes.putInt(crc);
        java.util.zip.CRC32C high = new java.util.zip.CRC32C();
        high.update(bytes.array());
        java.util.zip.CRC32 low = new java.util.zip.CRC32();
        low.update(bytes.array());
        return (high.getValue() << 32) | low.getValue();
    }

    /** Called by the committer once a batch is durable, before its futures complete. */
    void pendingChanged(ChunkId id, ChunkMeta pending) {
        if (pending == null) pendingVersions.remove(id);
        else pendingVersions.put(id, pending.chunkVersion());
    }

    /** Where the chunk's committed bytes are on disk, if it exists; for tests, the scrubber, tooling. */
    public Optional<BlockLocation> locate(ChunkId id) {
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            ChunkMeta m = metaOf(id);
            if (m == null) return Optional.empty();
            return Optional.of(new BlockLocation(blocks.file(m).path, m.offsetBytes(), m.lengthBytes(), m.version()));
        } finally {
            exit();
        }
    }

    /** Bytes of all block files (their preallocated capacity); tests watch it for growth. */
    public long fileBytesTotal() {
        return blocks.fileBytesTotal();
    }

    /** Blocks referenced by committed metadata or by writes in progress. */
    public long blocksUsed() {
        return blocks.blocksUsed();
    }

    public TargetStats stats() {
        return new TargetStats(
                targetId,
                state(),
                counters.writes.sum(),
                counters.bytesWritten.sum(),
                counters.deletes.sum(),
                counters.commitGroups.sum(),
                counters.fileForces.sum(),
                counters.metadataSyncs.sum(),
                counters.reads.sum(),
                counters.bytesRead.sum(),
                counters.corruptBlocksDetected.sum());
    }

    /**
     * Stops the committer (pending ops fail with CLOSED), waits for in-flight calls to leave, then
     * closes RocksDB and the block files. Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        committerThread.interrupt();
        try {
            committerThread.join(CLOSE_WAIT_MILLIS_MAX);
            long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS_MAX * 1_000_000;
            while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (committerThread.isAlive() || inFlight.get() > 0) {
            // Closing RocksDB under a live caller would crash the JVM; leaking it is the lesser harm.
            LOG.error(
                    "target {} not closed: committer alive={} inFlight={}",
                    targetId,
                    committerThread.isAlive(),
                    inFlight.get());
            return;
        }
        meta.close();
        try {
            blocks.close();
        } catch (IOException e) {
            LOG.warn("target {}: closing block files failed", targetId, e);
        }
    }

    boolean isClosed() {
        return closed;
    }

    boolean isOffline() {
        return offline != null;
    }

    StorageException offlineError() {
        StorageException cause = offline;
        return new StorageException(Reason.TARGET_OFFLINE, "target " + targetId + " is offline", cause);
    }

    /** Marks the target offline for the rest of this process; the first cause is kept and logged. */
    void takeOffline(String why, Throwable cause) {
        StorageException error =
                new StorageException(Reason.TARGET_OFFLINE, "target " + targetId + " offline: " + why, cause);
        synchronized (this) {
            if (offline != null) return;
            offline = error;
        }
        LOG.error("target {} at {} goes OFFLINE for this process: {}", targetId, directory, why, cause);
    }

    private StorageException enter() {
        inFlight.incrementAndGet();
        if (closed) {
            inFlight.decrementAndGet();
            return new StorageException(Reason.CLOSED, "target " + targetId + " closed");
        }
        if (offline != null) {
            inFlight.decrementAndGet();
            return offlineError();
        }
        return null;
    }

    private void exit() {
        inFlight.decrementAndGet();
    }

    private CompletableFuture<Void> enqueue(CommitOp op, BlockAddress address) {
        try {
            commitQueue.put(op);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (address != null) blocks.free(address);
            return CompletableFuture.failedFuture(new StorageException(
                    Reason.IO_ERROR, "interrupted before commit of chunk " + op.id + " on target " + targetId, e));
        }
        // close() may have drained the queue before our put; then nobody else completes the op.
        if (closed && commitQueue.remove(op))
            op.done.completeExceptionally(new StorageException(Reason.CLOSED, "target " + targetId + " closed"));
        return op.done;
    }

    private void writeBlock(BlockAddress address, ByteBuffer data) throws IOException {
        long position = address.offsetBytes();
        if (data.isDirect()) {
            address.file().writeFully(data.duplicate(), position);
            return;
        }
        ByteBuffer copy = copyBuffers.acquire();
        try {
            ByteBuffer input = data.duplicate();
            while (input.hasRemaining()) {
                int n = Math.min(copy.capacity(), input.remaining());
                copy.clear().put(0, input, input.position(), n).limit(n);
                input.position(input.position() + n);
                address.file().writeFully(copy, position);
                position += n;
            }
        } finally {
            copyBuffers.release(copy);
        }
    }

    private void readBlock(ChunkMeta m, ByteBuffer window, long startBytes, ChunkId id) {
        try {
            blocks.file(m).readFully(window, m.offsetBytes() + startBytes);
        } catch (IOException e) {
            throw new StorageException(
                    Reason.IO_ERROR,
                    "target " + targetId + ": read of chunk " + id + " at " + startBytes + " (+" + window.capacity()
                            + " B) failed",
                    e);
        }
    }

    private void verify(ChunkId id, ChunkMeta m, ByteBuffer window, int blockFirst) {
        int bad = BlockCrcs.firstMismatch(window, blockFirst, m.crcs());
        if (bad < 0) return;
        if (versionOf(id) != m.version())
            throw new StorageException(
                    Reason.NO_SUCH_CHUNK, "chunk " + id + " changed on target " + targetId + " while being read");
        counters.corruptBlocksDetected.increment();
        LOG.error("target {}: chunk {} block {} fails its CRC32C (version {})", targetId, id, bad, m.version());
        throw new StorageException(
                Reason.CORRUPT, "target " + targetId + ": chunk " + id + " block " + bad + " fails CRC32C");
    }

    private ChunkMeta pendingOf(ChunkId id) {
        try {
            return meta.getPending(id);
        } catch (RocksDBException e) {
            throw new StorageException(
                    Reason.IO_ERROR, "target " + targetId + ": pending metadata read of chunk " + id + " failed", e);
        }
    }

    private ChunkMeta metaOf(ChunkId id) {
        try {
            return meta.get(id);
        } catch (RocksDBException e) {
            throw new StorageException(
                    Reason.IO_ERROR, "target " + targetId + ": metadata read of chunk " + id + " failed", e);
        }
    }

    private static void closeQuietly(BlockStore blocks, Exception cause) {
        try {
            blocks.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
