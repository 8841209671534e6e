package io.seabed.metakv.internal;

import java.security.SecureRandom;
import java.util.List;

/**
 * 64-bit fingerprints of keys for the resolver's window: a seeded multiply-and-mix over the bytes, the seed drawn
 * once per process so nobody can aim keys at a chosen fingerprint ahead of time. Two keys may share one; the
 * resolver then sees a write to one as a write to both, which can only turn a commit into a retried conflict,
 * never let a conflict through.
 */
final class KeyFingerprint {
    private static final long SEED = new SecureRandom().nextLong();
    private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

    private KeyFingerprint() {}

    /** The fingerprint of {@code key}; never 0 (the window map's empty slot). */
    static long of(byte[] key) {
        long h = SEED ^ key.length;
        int i = 0;
        for (; i + 8 <= key.length; i += 8) h = (h ^ longAt(key, i)) * MULTIPLIER;
        long tail = 0;
        for (int shift = 0; i < key.length; i++, shift += 8) tail |= (key[i] & 0xFFL) << shift;
        h = mix((h ^ tail) * MULTIPLIER);
        return h == 0 ? 1 : h;
    }

    /** The fingerprints of {@code keys}, in order. */
    static long[] of(List<byte[]> keys) {
        long[] out = new long[keys.size()];
        for (int i = 0; i < out.length; i++) out[i] = of(keys.get(i));
        return out;
    }

    private static long longAt(byte[] b, int i) {
        return (b[i] & 0xFFL)
                | (b[i + 1] & 0xFFL) << 8
                | (b[i + 2] & 0xFFL) << 16
                | (b[i + 3] & 0xFFL) << 24
                | (b[i + 4] & 0xFFL) << 32
                | (b[i + 5] & 0xFFL) << 40
                | (b[i + 6] & 0xFFL) << 48
                | (b[i + 7] & 0xFFL) << 56;
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
