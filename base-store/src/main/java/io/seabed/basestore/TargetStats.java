package io.seabed.basestore;

/**
 * A snapshot of one target's counters, for metrics. All counts are since the target was opened.
 *
 * @param fileForces fdatasync calls on block files (one per touched file per commit group)
 * @param metadataSyncs synced RocksDB batches (one per commit group)
 * @param corruptBlocksDetected CRC32C mismatches seen by reads verified at the target
 */
public record TargetStats(
        int targetId,
        TargetState state,
        long writes,
        long bytesWritten,
        long deletes,
        long commitGroups,
        long fileForces,
        long metadataSyncs,
        long reads,
        long bytesRead,
        long corruptBlocksDetected) {}
