package io.seabed.basestore;

import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.DirectBufferPool;
import io.seabed.basestore.chunk.Futures;
import io.seabed.basestore.chunk.TargetIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage base on local targets (directories standing for disks) of this process: each chunk is
 * written durably to {@link #replicas()} distinct serving targets chosen by rendezvous hashing of
 * its id, read from any replica with an end-to-end CRC32C check, and deleted from all of them.
 *
 * <p>Threads: all methods may be called concurrently and block. Owns one committer thread per
 * target ({@code basestore-commit-<id>}) and a bounded write pool ({@code basestore-write-<n>}).
 * A target that fails a write or an fsync goes OFFLINE for the rest of the process; writes move to
 * the other targets, reads skip it.
 */
public final class LocalBaseStoreClient implements BaseStoreClient {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBaseStoreClient.class);
    private static final long CLOSE_WAIT_MILLIS_MAX = 10_000;

    private final BaseStoreConfig config;
    private final TargetTable targets;
    private final ThreadPoolExecutor writePool;
    private final ReplicaWrites writes;
    private final ReplicaReads reads;
    private final LongAdder chunkWrites = new LongAdder();
    private final LongAdder chunkBytesWritten = new LongAdder();
    private volatile boolean closed;

    private LocalBaseStoreClient(BaseStoreConfig config, Target[] targets) {
        this.config = config;
        this.targets = new TargetTable(targets);
        AtomicInteger threadNo = new AtomicInteger();
        this.writePool = new ThreadPoolExecutor(
                config.writeThreads(),
                config.writeThreads(),
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.writeQueueCapacity()),
                runnable -> Thread.ofPlatform()
                        .name("basestore-write-" + threadNo.getAndIncrement())
                        .daemon(true)
                        .unstarted(runnable));
        this.writes = new ReplicaWrites(targets, config.replicas(), config.writeRetriesMax(), writePool);
        this.reads = new ReplicaReads(
                this.targets, new DirectBufferPool(config.readScratchBytes(), config.readScratchCountMax()));
    }

    /** Opens the targets in {@code directories} on the real disk; see {@link #open(List, BaseStoreConfig, Function)}. */
    public static LocalBaseStoreClient open(List<Path> directories, BaseStoreConfig config) {
        return open(directories, config, directory -> TargetIo.FILE_CHANNEL);
    }

    /**
     * Opens (creating if needed) one target per directory, with the I/O of {@code ioOfTarget} (the
     * disk-fault seam). Target ids are read from, or assigned and written to, each directory. A
     * target that cannot open is logged and stays OFFLINE.
     *
     * @throws IllegalArgumentException when two directories carry the same target id
     * @throws StorageException IO_ERROR when the target ids cannot be read or written
     */
    public static LocalBaseStoreClient open(
            List<Path> directories, BaseStoreConfig config, Function<Path, TargetIo> ioOfTarget) {
        int[] ids;
        try {
            ids = TargetIdFile.assign(directories);
        } catch (IOException e) {
            throw new StorageException(Reason.IO_ERROR, "cannot assign target ids in " + directories, e);
        }
        Target[] opened = new Target[directories.size()];
        for (int i = 0; i < opened.length; i++) {
            Path directory = directories.get(i);
            try {
                ChunkEngine engine = ChunkEngine.open(directory, ids[i], config.engine(), ioOfTarget.apply(directory));
                opened[i] = new Target(ids[i], directory, engine, null);
            } catch (StorageException e) {
                LOG.error("target {} at {} failed to open and stays OFFLINE", ids[i], directory, e);
                opened[i] = new Target(ids[i], directory, null, e);
            }
        }
        return new LocalBaseStoreClient(config, opened);
    }

    @Override
    public ChunkRef writeChunk(ChunkId id, ByteBuffer data) {
        checkOpen();
        if (data.remaining() > CHUNK_BYTES_MAX)
            throw new StorageException(
                    Reason.INVALID_ARGUMENT,
                    "chunk " + id + " lengthBytes=" + data.remaining() + " > CHUNK_BYTES_MAX=" + CHUNK_BYTES_MAX);
        ChunkRef ref = writes.write(id, data);
        chunkWrites.increment();
        chunkBytesWritten.add(ref.lengthBytes());
        return ref;
    }

    @Override
    public void readChunk(ChunkRef ref, int offsetBytes, ByteBuffer output) {
        checkOpen();
        reads.read(ref, offsetBytes, output);
    }

    /**
     * Deletes the replica on every serving target of {@code ref}. Replicas on offline or unknown
     * targets are skipped (logged): a returning target is synced from its peers before it serves.
     *
     * @throws StorageException IO_ERROR when a serving target failed the delete
     */
    @Override
    public void deleteChunk(ChunkRef ref) {
        checkOpen();
        delete(ref.id(), ref.targets(), true);
    }

    /** Deletes {@code id} from every serving target (for writes whose placement was never recorded). */
    @Override
    public void deleteChunkAnywhere(ChunkId id) {
        checkOpen();
        Target[] all = targets.all();
        int[] ids = new int[all.length];
        for (int i = 0; i < ids.length; i++) ids[i] = all[i].id;
        delete(id, ids, false);
    }

    private void delete(ChunkId chunk, int[] targetIds, boolean warnSkipped) {
        List<CompletableFuture<Void>> pending = new ArrayList<>(targetIds.length);
        List<Target> pendingTargets = new ArrayList<>(targetIds.length);
        for (int id : targetIds) {
            Target target = targets.byId(id);
            if (target == null || !target.serving()) {
                if (warnSkipped)
                    LOG.warn(
                            "chunk {}: replica on target {} not deleted: target {}",
                            chunk,
                            id,
                            target == null ? "unknown" : "offline");
                continue;
            }
            pending.add(target.engine().deleteAsync(chunk));
            pendingTargets.add(target);
        }
        StorageException failure = null;
        for (int i = 0; i < pending.size(); i++) {
            try {
                Futures.await(pending.get(i), "delete of chunk " + chunk + " on " + pendingTargets.get(i));
            } catch (StorageException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    @Override
    public int replicas() {
        return config.replicas();
    }

    /** Each target's state by id, in the order of the directories given at open; for metrics. */
    public Map<Integer, TargetState> targetStates() {
        Map<Integer, TargetState> states = new LinkedHashMap<>();
        for (Target target : targets.all()) states.put(target.id, target.state());
        return states;
    }

    public BaseStoreStats stats() {
        List<TargetStats> perTarget = new ArrayList<>();
        long fsyncs = 0;
        for (Target target : targets.all()) {
            if (!target.hasEngine()) continue;
            TargetStats s = target.engine().stats();
            perTarget.add(s);
            fsyncs += s.fileForces() + s.metadataSyncs();
        }
        return new BaseStoreStats(
                chunkWrites.sum(),
                chunkBytesWritten.sum(),
                writes.retries.sum(),
                reads.corruptReadsDetected.sum(),
                reads.replicaReadFailures.sum(),
                fsyncs,
                perTarget);
    }

    /** The engine of a target, for tests and tooling (byte flips, block locations). */
    ChunkEngine engine(int targetId) {
        Target target = targets.byId(targetId);
        if (target == null) throw new IllegalArgumentException("no target " + targetId);
        return target.engine();
    }

    /** Stops the write pool and closes every engine; pending writes fail with CLOSED. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        writePool.shutdown();
        try {
            if (!writePool.awaitTermination(CLOSE_WAIT_MILLIS_MAX, TimeUnit.MILLISECONDS))
                LOG.warn("write pool still busy after {} ms at close", CLOSE_WAIT_MILLIS_MAX);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Target target : targets.all()) {
            if (target.hasEngine()) target.engine().close();
        }
    }

    private void checkOpen() {
        if (closed) throw new StorageException(Reason.CLOSED, "base-store client closed");
    }
}
