package io.seabed.basestore;

import io.seabed.basestore.chunk.ChunkEngineConfig;
import java.util.Objects;

/**
 * Limits of a {@link LocalBaseStoreClient}. Each field has a named default and a config key under
 * {@code seabed.basestore.}; the constructor validates them with the numbers in the message.
 *
 * @param replicas distinct targets each chunk is written to
 * @param writeThreads threads copying replicas 2..n to their targets in parallel with the caller,
 *     which writes the first replica itself; they never wait for an fsync
 * @param writeQueueCapacity replica copies waiting for a write thread; when full the caller copies
 *     the replica itself (bounded either way)
 * @param writeRetriesMax replica writes re-placed on another healthy target after failures, per chunk
 * @param readScratchBytes pooled direct buffer per read window (a multiple of CRC_BLOCK_BYTES)
 * @param readScratchCountMax read scratch buffers kept in the pool
 * @param engine limits of each target's chunk engine
 */
public record BaseStoreConfig(
        int replicas,
        int writeThreads,
        int writeQueueCapacity,
        int writeRetriesMax,
        int readScratchBytes,
        int readScratchCountMax,
        ChunkEngineConfig engine) {

    public static final String REPLICAS_PROP_NAME = "seabed.basestore.replicas";
    public static final int REPLICAS_DEFAULT = 3;
    public static final int REPLICAS_MAX = 255;
    public static final String WRITE_THREADS_PROP_NAME = "seabed.basestore.write-threads";
    public static final int WRITE_THREADS_DEFAULT = 8;
    public static final String WRITE_QUEUE_CAPACITY_PROP_NAME = "seabed.basestore.write-queue-capacity";
    public static final int WRITE_QUEUE_CAPACITY_DEFAULT = 256;
    public static final String WRITE_RETRIES_MAX_PROP_NAME = "seabed.basestore.write-retries-max";
    public static final int WRITE_RETRIES_MAX_DEFAULT = 3;
    public static final String READ_SCRATCH_BYTES_PROP_NAME = "seabed.basestore.read-scratch-bytes";
    public static final int READ_SCRATCH_BYTES_DEFAULT = 1 << 20;
    public static final String READ_SCRATCH_COUNT_MAX_PROP_NAME = "seabed.basestore.read-scratch-count-max";
    public static final int READ_SCRATCH_COUNT_MAX_DEFAULT = 64;

    public static final BaseStoreConfig DEFAULTS = new BaseStoreConfig(
            REPLICAS_DEFAULT,
            WRITE_THREADS_DEFAULT,
            WRITE_QUEUE_CAPACITY_DEFAULT,
            WRITE_RETRIES_MAX_DEFAULT,
            READ_SCRATCH_BYTES_DEFAULT,
            READ_SCRATCH_COUNT_MAX_DEFAULT,
            ChunkEngineConfig.DEFAULTS);

    public BaseStoreConfig {
        require(
                replicas >= 1 && replicas <= REPLICAS_MAX,
                "replicas=" + replicas + " not in [1, REPLICAS_MAX=" + REPLICAS_MAX + "]");
        require(writeThreads >= 1, "writeThreads=" + writeThreads + " < 1");
        require(writeQueueCapacity >= 1, "writeQueueCapacity=" + writeQueueCapacity + " < 1");
        require(writeRetriesMax >= 0, "writeRetriesMax=" + writeRetriesMax + " < 0");
        require(
                readScratchBytes >= BaseStoreClient.CRC_BLOCK_BYTES
                        && readScratchBytes % BaseStoreClient.CRC_BLOCK_BYTES == 0,
                "readScratchBytes=" + readScratchBytes + " is not a positive multiple of CRC_BLOCK_BYTES="
                        + BaseStoreClient.CRC_BLOCK_BYTES);
        require(readScratchCountMax >= 0, "readScratchCountMax=" + readScratchCountMax + " < 0");
        Objects.requireNonNull(engine, "engine");
    }

    public BaseStoreConfig withReplicas(int count) {
        return new BaseStoreConfig(
                count,
                writeThreads,
                writeQueueCapacity,
                writeRetriesMax,
                readScratchBytes,
                readScratchCountMax,
                engine);
    }

    public BaseStoreConfig withEngine(ChunkEngineConfig engineConfig) {
        return new BaseStoreConfig(
                replicas,
                writeThreads,
                writeQueueCapacity,
                writeRetriesMax,
                readScratchBytes,
                readScratchCountMax,
                engineConfig);
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }
}
