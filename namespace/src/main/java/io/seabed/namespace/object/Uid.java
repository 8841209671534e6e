package io.seabed.namespace.object;

import io.seabed.basestore.ChunkId;
import java.security.SecureRandom;

/**
 * The 128-bit identity of one write. Its chunks' ids derive from it: the low 24 bits of {@code low}
 * are zero and hold the chunk index (2^24 chunks of ≥ 64 KiB cover the 5 TiB object limit).
 */
public record Uid(long high, long low) {
    static final int CHUNK_INDEX_BITS = 24;
    static final long CHUNKS_MAX = 1L << CHUNK_INDEX_BITS;

    private static final SecureRandom RANDOM = new SecureRandom();

    public static Uid random() {
        return new Uid(RANDOM.nextLong(), RANDOM.nextLong() & -CHUNKS_MAX);
    }

    public ChunkId chunk(long index) {
        if (index < 0 || index >= CHUNKS_MAX)
            throw new IllegalArgumentException("chunk index=" + index + " outside [0, " + CHUNKS_MAX + ")");
        return new ChunkId(high, low | index);
    }
}
