package io.seabed.metakv.internal;

/**
 * The newest admitted sequence per key fingerprint: an open-addressing hash table of primitive longs (no boxing,
 * no key objects, no byte comparisons) with linear probing and backward-shift deletion. It starts at twice the
 * fingerprints the window usually holds and doubles whenever it is over 3/4 full, so probes stay short.
 *
 * <p>Not thread safe (the resolver's thread only).
 */
final class FingerprintWindow {
    private long[] fingerprints;
    private long[] sequences;
    private int mask;
    private int size;

    /** A table sized for about {@code entriesExpected} fingerprints at once. */
    FingerprintWindow(int entriesExpected) {
        int capacity = Integer.highestOneBit(Math.max(16, entriesExpected) * 2 - 1) << 1;
        fingerprints = new long[capacity];
        sequences = new long[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** Forgets every fingerprint. */
    void clear() {
        java.util.Arrays.fill(fingerprints, 0);
        java.util.Arrays.fill(sequences, 0);
        size = 0;
    }

    /** The sequence recorded for {@code fingerprint} (not 0), or -1. */
    long get(long fingerprint) {
        for (int i = slot(fingerprint); ; i = (i + 1) & mask) {
            long f = fingerprints[i];
            if (f == fingerprint) return sequences[i];
            if (f == 0) return -1;
        }
    }

    /** Records {@code sequence} for {@code fingerprint}, keeping the larger if one is there. */
    void put(long fingerprint, long sequence) {
        for (int i = slot(fingerprint); ; i = (i + 1) & mask) {
            long f = fingerprints[i];
            if (f == fingerprint) {
                if (sequence > sequences[i]) sequences[i] = sequence;
                return;
            }
            if (f == 0) {
                fingerprints[i] = fingerprint;
                sequences[i] = sequence;
                if (++size > (mask + 1) / 4 * 3) grow();
                return;
            }
        }
    }

    /** Forgets {@code fingerprint} if its recorded sequence is {@code sequence} (a newer write keeps it). */
    void remove(long fingerprint, long sequence) {
        int i = slot(fingerprint);
        while (true) {
            long f = fingerprints[i];
            if (f == 0) return;
            if (f == fingerprint) break;
            i = (i + 1) & mask;
        }
        if (sequences[i] != sequence) return;
        // Backward-shift deletion: move later entries of the probe run into the hole when their home allows it.
        int hole = i;
        for (int j = (hole + 1) & mask; fingerprints[j] != 0; j = (j + 1) & mask) {
            int home = slot(fingerprints[j]);
            // j may move to hole when home is not cyclically within (hole, j].
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                fingerprints[hole] = fingerprints[j];
                sequences[hole] = sequences[j];
                hole = j;
            }
        }
        fingerprints[hole] = 0;
        sequences[hole] = 0;
        size--;
    }

    private void grow() {
        long[] oldFingerprints = fingerprints;
        long[] oldSequences = sequences;
        fingerprints = new long[oldFingerprints.length * 2];
        sequences = new long[oldSequences.length * 2];
        mask = fingerprints.length - 1;
        for (int k = 0; k < oldFingerprints.length; k++) {
            long f = oldFingerprints[k];
            if (f == 0) continue;
            int i = slot(f);
            while (fingerprints[i] != 0) i = (i + 1) & mask;
            fingerprints[i] = f;
            sequences[i] = oldSequences[k];
        }
    }

    private int slot(long fingerprint) {
        return (int) (fingerprint ^ (fingerprint >>> 32)) & mask;
    }
}
