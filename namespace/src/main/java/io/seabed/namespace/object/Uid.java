package io.seabed.namespace.object;

import io.seabed.basestore.ChunkId;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The 128-bit identity of one write. Its chunks' ids derive from it: the low 24 bits of {@code low}
 * are zero and hold the chunk index (2^24 chunks of ≥ 64 KiB cover the 5 TiB object limit).
 */
public record Uid(long high, long low) {
    static final int CHUNK_INDEX_BITS = 24;
    static final long CHUNKS_MAX = 1L << CHUNK_INDEX_BITS;

    /**
     * One generator per thread: the default SecureRandom (NativePRNG) serializes every caller on one lock
     * around /dev/urandom, which showed in profiles of small PUTs.
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    });

    public static Uid random() {
        SecureRandom r = RANDOM.get();
        return new Uid(r.nextLong(), r.nextLong() & -CHUNKS_MAX);
    }

    public ChunkId chunk(long index) {
        if (index < 0 || index >= CHUNKS_MAX)
            throw new IllegalArgumentException("chunk index=" + index + " outside [0, " + CHUNKS_MAX + ")");
        return new ChunkId(high, low | index);
    }
}
