package io.seabed.namespace.object;

import io.seabed.basestore.ChunkId;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The 128-bit identity of one write. Its chunks' ids derive from it: the low 24 bits of {@code low}
 * are zero and hold the chunk index (2^24 chunks of ≥ 64 KiB cover the 5 TiB object limit).
 */
public record Uid(long high, long low) {
    static final int CHUNK_INDEX_BITS = 24;
    static final long CHUNKS_MAX = 1L << CHUNK_INDEX_BITS;

    /** 64 random bits drawn once per process: uids of different processes differ in {@code high}. */
    private static final long PROCESS_BITS;
    /** Writes of this process so far, from a random start; each uid takes the next value. */
    private static final AtomicLong SEQUENCE;

    static {
        SecureRandom seed = new SecureRandom();
        PROCESS_BITS = seed.nextLong();
        SEQUENCE = new AtomicLong(seed.nextLong() >>> 24);
    }

    /**
     * A uid no other write has: this process's random bits plus the next value of its sequence (low 40 bits
     * in {@code low} above the chunk index, the rest added to {@code high}), so distinct within a process by
     * construction and across processes with the chance of two 64-bit random draws meeting. Placement mixes
     * the bits (Rendezvous), so sequential uids spread like random ones. A generator per call (SecureRandom)
     * cost 5% of a small PUT's worker time and seeded a DRBG per virtual thread.
     */
    public static Uid next() {
        long n = SEQUENCE.getAndIncrement();
        return new Uid(PROCESS_BITS + (n >>> (64 - CHUNK_INDEX_BITS)), n << CHUNK_INDEX_BITS);
    }

    public ChunkId chunk(long index) {
        if (index < 0 || index >= CHUNKS_MAX)
            throw new IllegalArgumentException("chunk index=" + index + " outside [0, " + CHUNKS_MAX + ")");
        return new ChunkId(high, low | index);
    }
}
