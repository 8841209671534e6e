package io.seabed.basestore.chunk;

import io.seabed.basestore.BaseStoreClient;

/**
 * The block sizes of a target: powers of two from {@link #BLOCK_BYTES_MIN} to {@link
 * #BLOCK_BYTES_MAX}. A chunk lives in one block of the smallest class that holds it.
 */
public final class SizeClasses {
    public static final int BLOCK_BYTES_MIN = 64 << 10;
    public static final int BLOCK_BYTES_MAX = 64 << 20;
    public static final int CLASS_COUNT =
            Integer.numberOfTrailingZeros(BLOCK_BYTES_MAX) - Integer.numberOfTrailingZeros(BLOCK_BYTES_MIN) + 1;

    static {
        if (BLOCK_BYTES_MAX != BaseStoreClient.CHUNK_BYTES_MAX)
            throw new IllegalStateException(
                    "BLOCK_BYTES_MAX=" + BLOCK_BYTES_MAX + " != CHUNK_BYTES_MAX=" + BaseStoreClient.CHUNK_BYTES_MAX);
        if (BLOCK_BYTES_MIN % BaseStoreClient.CRC_BLOCK_BYTES != 0)
            throw new IllegalStateException("BLOCK_BYTES_MIN=" + BLOCK_BYTES_MIN
                    + " is not a multiple of CRC_BLOCK_BYTES=" + BaseStoreClient.CRC_BLOCK_BYTES);
    }

    private SizeClasses() {}

    public static int blockBytes(int classIndex) {
        return BLOCK_BYTES_MIN << classIndex;
    }

    /** The smallest class whose block holds {@code lengthBytes} (0 to CHUNK_BYTES_MAX). */
    public static int classFor(int lengthBytes) {
        if (lengthBytes <= BLOCK_BYTES_MIN) return 0;
        int bits = 32 - Integer.numberOfLeadingZeros(lengthBytes - 1);
        return bits - Integer.numberOfTrailingZeros(BLOCK_BYTES_MIN);
    }

    /** How many CRC blocks cover {@code lengthBytes}; 0 for an empty chunk. */
    public static int crcBlockCount(int lengthBytes) {
        return (int) (((long) lengthBytes + BaseStoreClient.CRC_BLOCK_BYTES - 1) / BaseStoreClient.CRC_BLOCK_BYTES);
    }
}
