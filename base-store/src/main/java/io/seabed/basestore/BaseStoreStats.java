package io.seabed.basestore;

import java.util.List;

/**
 * A snapshot of a {@link LocalBaseStoreClient}'s counters, for metrics.
 *
 * @param chunkWrites chunks acknowledged to callers (each counts once, whatever its replica count)
 * @param chunkBytesWritten payload bytes of those chunks (without replication)
 * @param replicaWriteRetries replica writes re-placed on another target after a failure
 * @param corruptReadsDetected CRC32C mismatches found by the reader's end-to-end check
 * @param replicaReadFailures replica reads that failed (corrupt, I/O, offline) and moved to the next replica
 * @param fsyncs fdatasync calls on block files plus synced metadata batches, summed over targets
 */
public record BaseStoreStats(
        long chunkWrites,
        long chunkBytesWritten,
        long replicaWriteRetries,
        long corruptReadsDetected,
        long replicaReadFailures,
        long fsyncs,
        List<TargetStats> targets) {
    public BaseStoreStats {
        targets = List.copyOf(targets);
    }
}
