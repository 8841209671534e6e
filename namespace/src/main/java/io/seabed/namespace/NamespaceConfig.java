package io.seabed.namespace;

/**
 * Limits and tunables of the namespace, each with a named default.
 *
 * @param inlineBytesMax objects up to this size live inline in meta-kv (≤ {@link #INLINE_BYTES_LIMIT})
 * @param chunkBytes size of the chunks large objects are cut into
 * @param chunkBuffersMax chunk-sized buffers shared by all writes and reads in flight (memory budget:
 *     chunkBuffersMax × chunkBytes)
 * @param intentTtlMillis how long a write may take before its intent comes due and the collector
 *     deletes what it wrote
 * @param garbageDelayMillis how long replaced or deleted data stays readable for reads in flight
 * @param gcIntervalMillis pause between collector passes
 */
public record NamespaceConfig(
        int inlineBytesMax,
        int chunkBytes,
        int chunkBuffersMax,
        long objectBytesMax,
        long partBytesMin,
        int partsCountMax,
        int keyBytesMax,
        int userMetadataBytesMax,
        int bucketsPerTenantMax,
        long intentTtlMillis,
        long garbageDelayMillis,
        long gcIntervalMillis) {

    public static final int INLINE_BYTES_MAX_DEFAULT = 4096;
    public static final int INLINE_BYTES_LIMIT = 64 * 1024;
    public static final int CHUNK_BYTES_DEFAULT = 4 << 20;
    public static final int CHUNK_BUFFERS_MAX_DEFAULT = 64;
    public static final long OBJECT_BYTES_MAX_DEFAULT = 5L << 40;
    public static final long PART_BYTES_MIN_DEFAULT = 5L << 20;
    public static final int PARTS_COUNT_MAX_DEFAULT = 10_000;
    public static final int KEY_BYTES_MAX_DEFAULT = 1024;
    public static final int USER_METADATA_BYTES_MAX_DEFAULT = 2048;
    public static final int BUCKETS_PER_TENANT_MAX_DEFAULT = 1000;
    public static final long INTENT_TTL_MILLIS_DEFAULT = 6 * 3600_000L;
    public static final long GARBAGE_DELAY_MILLIS_DEFAULT = 60_000;
    public static final long GC_INTERVAL_MILLIS_DEFAULT = 1_000;

    public NamespaceConfig {
        if (inlineBytesMax < 0 || inlineBytesMax > INLINE_BYTES_LIMIT)
            throw new IllegalArgumentException(
                    "inlineBytesMax=" + inlineBytesMax + " outside [0, " + INLINE_BYTES_LIMIT + "]");
        if (chunkBytes < 64 * 1024 || chunkBytes > (64 << 20) || chunkBytes % (64 * 1024) != 0)
            throw new IllegalArgumentException(
                    "chunkBytes=" + chunkBytes + " must be a multiple of 64 KiB in [64 KiB, 64 MiB]");
        if (chunkBuffersMax < 2) throw new IllegalArgumentException("chunkBuffersMax=" + chunkBuffersMax + " < 2");
        if (objectBytesMax < 1) throw new IllegalArgumentException("objectBytesMax=" + objectBytesMax);
        if (partBytesMin < 0) throw new IllegalArgumentException("partBytesMin=" + partBytesMin);
        if (partsCountMax < 1 || partsCountMax > 10_000)
            throw new IllegalArgumentException("partsCountMax=" + partsCountMax + " outside [1, 10000]");
        if (keyBytesMax < 1 || keyBytesMax > 1024)
            throw new IllegalArgumentException("keyBytesMax=" + keyBytesMax + " outside [1, 1024]");
        if (userMetadataBytesMax < 0)
            throw new IllegalArgumentException("userMetadataBytesMax=" + userMetadataBytesMax);
        if (bucketsPerTenantMax < 1) throw new IllegalArgumentException("bucketsPerTenantMax=" + bucketsPerTenantMax);
        if (intentTtlMillis < 1000) throw new IllegalArgumentException("intentTtlMillis=" + intentTtlMillis);
        if (garbageDelayMillis < 0) throw new IllegalArgumentException("garbageDelayMillis=" + garbageDelayMillis);
        if (gcIntervalMillis < 10) throw new IllegalArgumentException("gcIntervalMillis=" + gcIntervalMillis);
    }

    public static NamespaceConfig defaults() {
        return new NamespaceConfig(
                INLINE_BYTES_MAX_DEFAULT,
                CHUNK_BYTES_DEFAULT,
                CHUNK_BUFFERS_MAX_DEFAULT,
                OBJECT_BYTES_MAX_DEFAULT,
                PART_BYTES_MIN_DEFAULT,
                PARTS_COUNT_MAX_DEFAULT,
                KEY_BYTES_MAX_DEFAULT,
                USER_METADATA_BYTES_MAX_DEFAULT,
                BUCKETS_PER_TENANT_MAX_DEFAULT,
                INTENT_TTL_MILLIS_DEFAULT,
                GARBAGE_DELAY_MILLIS_DEFAULT,
                GC_INTERVAL_MILLIS_DEFAULT);
    }

    public NamespaceConfig withInlineBytesMax(int v) {
        return new NamespaceConfig(
                v,
                chunkBytes,
                chunkBuffersMax,
                objectBytesMax,
                partBytesMin,
                partsCountMax,
                keyBytesMax,
                userMetadataBytesMax,
                bucketsPerTenantMax,
                intentTtlMillis,
                garbageDelayMillis,
                gcIntervalMillis);
    }

    public NamespaceConfig withGarbageDelayMillis(long v) {
        return new NamespaceConfig(
                inlineBytesMax,
                chunkBytes,
                chunkBuffersMax,
                objectBytesMax,
                partBytesMin,
                partsCountMax,
                keyBytesMax,
                userMetadataBytesMax,
                bucketsPerTenantMax,
                intentTtlMillis,
                v,
                gcIntervalMillis);
    }
}
