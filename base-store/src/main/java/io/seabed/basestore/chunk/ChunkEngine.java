package io.seabed.basestore.chunk;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.TargetState;
import io.seabed.basestore.TargetStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
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
            ChunkEngine engine = new ChunkEngine(targetId, directory, config, blocks, meta, maxVersion.get());
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
     * Writes the chunk (replacing any committed version) and returns a future completed when it is
     * durable. Never throws an operating error: failures complete the future with a
     * StorageException (INVALID_ARGUMENT, IO_ERROR, TARGET_OFFLINE, CLOSED). Reads {@code data}
     * from position to limit without moving it; the caller may reuse it once this method returns.
     */
    public CompletableFuture<Void> writeAsync(ChunkId id, ByteBuffer data) {
        int length = data.remaining();
        if (length > BaseStoreClient.CHUNK_BYTES_MAX)
            return CompletableFuture.failedFuture(new StorageException(
                    Reason.INVALID_ARGUMENT,
                    "chunk " + id + " lengthBytes=" + length + " > CHUNK_BYTES_MAX="
                            + BaseStoreClient.CHUNK_BYTES_MAX));
        StorageException refusal = enter();
        if (refusal != null) return CompletableFuture.failedFuture(refusal);
        try {
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
            return enqueue(CommitOp.write(id, address, length, crcs), address);
        } catch (IOException e) {
            takeOffline("growing a block file failed", e);
            return CompletableFuture.failedFuture(new StorageException(
                    Reason.IO_ERROR, "target " + targetId + ": allocating a block for " + length + " B failed", e));
        } finally {
            exit();
        }
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
        StorageException refusal = enter();
        if (refusal != null) throw refusal;
        try {
            ChunkMeta m = metaOf(id);
            if (m == null) throw new StorageException(Reason.NO_SUCH_CHUNK, "chunk " + id + " on target " + targetId);
            int blocksTotal = m.crcs().length;
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
            return new ChunkBlocks(m.version(), m.lengthBytes(), m.crcs());
        } finally {
            exit();
        }
    }

    /** Reads {@code output.remaining()} bytes from {@code offsetBytes}, verified at this target. */
    public void read(ChunkId id, int offsetBytes, ByteBuffer output) {
        ByteBuffer scratch = copyBuffers.acquire();
        try {
            RangedRead.run(offsetBytes, output, scratch, (first, count, window) -> {
                readBlocks(id, first, count, window, true);
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
