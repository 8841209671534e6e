package io.seabed.basestore;

import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.chunk.BlockCrcs;
import io.seabed.basestore.chunk.ChunkBlocks;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.DirectBufferPool;
import io.seabed.basestore.chunk.RangedRead;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a chunk range from its replicas, window by window (whole CRC blocks into pooled scratch),
 * checking at the reader that the bytes received match the CRCs the target stored (end to end);
 * a replica that fails (corrupt, I/O, offline, missing) is counted and the next one is tried.
 *
 * <p>Thread safety: stateless per call apart from counters and the scratch pool.
 */
final class ReplicaReads {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaReads.class);

    private final TargetTable targets;
    private final DirectBufferPool scratchPool;
    final LongAdder corruptReadsDetected = new LongAdder();
    final LongAdder replicaReadFailures = new LongAdder();

    ReplicaReads(TargetTable targets, DirectBufferPool scratchPool) {
        this.targets = targets;
        this.scratchPool = scratchPool;
    }

    void read(ChunkRef ref, int offsetBytes, ByteBuffer output) {
        int length = output.remaining();
        if (offsetBytes < 0 || offsetBytes > ref.lengthBytes() || length > ref.lengthBytes() - offsetBytes)
            throw new StorageException(
                    Reason.OUT_OF_RANGE,
                    "chunk " + ref.id() + ": offsetBytes=" + offsetBytes + " + " + length + " B > lengthBytes="
                            + ref.lengthBytes());
        if (length == 0) return;
        Target[] order = targets.readOrder(ref.targets());
        ByteBuffer scratch = scratchPool.acquire();
        try {
            RangedRead.run(offsetBytes, output, scratch, (first, count, window) -> {
                readWindow(ref, order, first, count, window);
            });
        } finally {
            scratchPool.release(scratch);
        }
    }

    private void readWindow(ChunkRef ref, Target[] order, int blockFirst, int blockCount, ByteBuffer window) {
        StorageException failure = null;
        boolean corrupt = false;
        boolean allMissing = true;
        int start = window.position();
        for (Target target : order) {
            try {
                readReplica(ref, target, blockFirst, blockCount, window);
                return;
            } catch (StorageException e) {
                window.position(start);
                replicaReadFailures.increment();
                corrupt |= e.reason() == Reason.CORRUPT;
                allMissing &= e.reason() == Reason.NO_SUCH_CHUNK;
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
                LOG.warn(
                        "chunk {} blocks [{}, +{}) on target {} failed: {}",
                        ref.id(),
                        blockFirst,
                        blockCount,
                        target == null ? "?" : target.id,
                        e.getMessage());
            }
        }
        Reason reason = corrupt ? Reason.CORRUPT : allMissing ? Reason.NO_SUCH_CHUNK : failure.reason();
        throw new StorageException(
                reason,
                "chunk " + ref.id() + ": no replica of " + order.length + " served blocks [" + blockFirst + ", +"
                        + blockCount + ")",
                failure);
    }

    private void readReplica(ChunkRef ref, Target target, int blockFirst, int blockCount, ByteBuffer window) {
        if (target == null) throw new StorageException(Reason.NO_SUCH_CHUNK, "target unknown to this client");
        ChunkEngine engine = target.engine();
        int start = window.position();
        ChunkBlocks blocks = engine.readBlocks(ref.id(), blockFirst, blockCount, window, false);
        if (blocks.lengthBytes() != ref.lengthBytes())
            throw new StorageException(
                    Reason.CORRUPT,
                    "target " + target.id + ": chunk " + ref.id() + " lengthBytes=" + blocks.lengthBytes()
                            + " != ref lengthBytes=" + ref.lengthBytes());
        ByteBuffer received = window.duplicate().limit(window.position()).position(start);
        int bad = BlockCrcs.firstMismatch(received, blockFirst, blocks.crcs());
        if (bad < 0) return;
        if (engine.versionOf(ref.id()) != blocks.version())
            throw new StorageException(
                    Reason.NO_SUCH_CHUNK, "chunk " + ref.id() + " changed on target " + target.id + " while read");
        corruptReadsDetected.increment();
        throw new StorageException(
                Reason.CORRUPT,
                "target " + target.id + ": chunk " + ref.id() + " block " + bad + " fails CRC32C at the reader");
    }
}
