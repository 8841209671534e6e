package io.seabed.basestore.chunk;

import io.seabed.basestore.BaseStoreClient;

/**
 * Limits of one target's chunk engine. Each field has a named default and a config key under
 * {@code seabed.basestore.engine.}; the constructor validates them with the numbers in the message.
 *
 * @param commitQueueCapacity pending writes and deletes waiting for the committer; a full queue
 *     blocks writers (backpressure)
 * @param commitBatchCountMax operations one commit group takes at most (one fdatasync per touched
 *     file and one synced RocksDB batch for all of them)
 * @param blockFileBytesMax size at which a block file stops growing and the class opens another
 * @param blockFileGrowBytes preallocation step of a block file (at least one block of the class)
 * @param copyBufferBytes pooled direct buffer used to copy heap chunk data to block files
 * @param copyBufferCountMax pooled copy buffers kept; more concurrent writers allocate and drop theirs
 */
public record ChunkEngineConfig(
        int commitQueueCapacity,
        int commitBatchCountMax,
        long blockFileBytesMax,
        long blockFileGrowBytes,
        int copyBufferBytes,
        int copyBufferCountMax) {

    public static final String COMMIT_QUEUE_CAPACITY_PROP_NAME = "seabed.basestore.engine.commit-queue-capacity";
    public static final int COMMIT_QUEUE_CAPACITY_DEFAULT = 1024;
    public static final String COMMIT_BATCH_COUNT_MAX_PROP_NAME = "seabed.basestore.engine.commit-batch-count-max";
    public static final int COMMIT_BATCH_COUNT_MAX_DEFAULT = 256;
    public static final String BLOCK_FILE_BYTES_MAX_PROP_NAME = "seabed.basestore.engine.block-file-bytes-max";
    public static final long BLOCK_FILE_BYTES_MAX_DEFAULT = 1L << 30;
    public static final String BLOCK_FILE_GROW_BYTES_PROP_NAME = "seabed.basestore.engine.block-file-grow-bytes";
    public static final long BLOCK_FILE_GROW_BYTES_DEFAULT = 64L << 20;
    public static final String COPY_BUFFER_BYTES_PROP_NAME = "seabed.basestore.engine.copy-buffer-bytes";
    public static final int COPY_BUFFER_BYTES_DEFAULT = 1 << 20;
    public static final String COPY_BUFFER_COUNT_MAX_PROP_NAME = "seabed.basestore.engine.copy-buffer-count-max";
    public static final int COPY_BUFFER_COUNT_MAX_DEFAULT = 64;

    public static final ChunkEngineConfig DEFAULTS = new ChunkEngineConfig(
            COMMIT_QUEUE_CAPACITY_DEFAULT,
            COMMIT_BATCH_COUNT_MAX_DEFAULT,
            BLOCK_FILE_BYTES_MAX_DEFAULT,
            BLOCK_FILE_GROW_BYTES_DEFAULT,
            COPY_BUFFER_BYTES_DEFAULT,
            COPY_BUFFER_COUNT_MAX_DEFAULT);

    public ChunkEngineConfig {
        require(commitQueueCapacity >= 1, "commitQueueCapacity=" + commitQueueCapacity + " < 1");
        require(commitBatchCountMax >= 1, "commitBatchCountMax=" + commitBatchCountMax + " < 1");
        require(
                blockFileBytesMax >= SizeClasses.BLOCK_BYTES_MAX,
                "blockFileBytesMax=" + blockFileBytesMax + " < BLOCK_BYTES_MAX=" + SizeClasses.BLOCK_BYTES_MAX);
        require(
                blockFileBytesMax % SizeClasses.BLOCK_BYTES_MAX == 0,
                "blockFileBytesMax=" + blockFileBytesMax + " is not a multiple of " + SizeClasses.BLOCK_BYTES_MAX);
        require(
                blockFileGrowBytes >= SizeClasses.BLOCK_BYTES_MIN,
                "blockFileGrowBytes=" + blockFileGrowBytes + " < BLOCK_BYTES_MIN=" + SizeClasses.BLOCK_BYTES_MIN);
        require(
                copyBufferBytes >= BaseStoreClient.CRC_BLOCK_BYTES
                        && copyBufferBytes % BaseStoreClient.CRC_BLOCK_BYTES == 0,
                "copyBufferBytes=" + copyBufferBytes + " is not a positive multiple of CRC_BLOCK_BYTES="
                        + BaseStoreClient.CRC_BLOCK_BYTES);
        require(copyBufferCountMax >= 0, "copyBufferCountMax=" + copyBufferCountMax + " < 0");
    }

    /** Returns a copy with other block file sizes; tests use small ones to watch growth. */
    public ChunkEngineConfig withBlockFileBytes(long bytesMax, long growBytes) {
        return new ChunkEngineConfig(
                commitQueueCapacity, commitBatchCountMax, bytesMax, growBytes, copyBufferBytes, copyBufferCountMax);
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }
}
