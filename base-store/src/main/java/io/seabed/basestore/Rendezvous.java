package io.seabed.basestore;

/**
 * Rendezvous (highest random weight) placement: each target scores each chunk id; a chunk goes to
 * the highest-scoring healthy targets. Adding or losing a target moves only the chunks it wins or
 * held. Pure and stable across processes (no seeds, no {@code hashCode} of JDK objects).
 */
public final class Rendezvous {
    private Rendezvous() {}

    public static long score(ChunkId id, int targetId) {
        return mix(id.high() ^ mix(id.low() ^ mix(0x9E3779B97F4A7C15L * (targetId + 1L))));
    }

    /**
     * Fills {@code order} with the positions of {@code targetIds} by descending score for {@code
     * id}; insertion sort, as target counts are small.
     */
    public static void rank(ChunkId id, int[] targetIds, int[] order) {
        long[] scores = new long[targetIds.length];
        for (int i = 0; i < targetIds.length; i++) {
            order[i] = i;
            scores[i] = score(id, targetIds[i]);
        }
        for (int i = 1; i < order.length; i++) {
            int position = order[i];
            long s = scores[position];
            int j = i - 1;
            while (j >= 0 && Long.compareUnsigned(scores[order[j]], s) < 0) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = position;
        }
    }

    /** The id in {@code ids} with the highest score for {@code id}; ids must not be empty. */
    public static int top(ChunkId id, int[] ids) {
        int best = ids[0];
        long bestScore = score(id, best);
        for (int i = 1; i < ids.length; i++) {
            long s = score(id, ids[i]);
            if (Long.compareUnsigned(s, bestScore) > 0) {
                best = ids[i];
                bestScore = s;
            }
        }
        return best;
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
