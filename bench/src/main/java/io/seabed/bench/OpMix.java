package io.seabed.bench;

import java.util.EnumMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Chooses the op of each request by weight, e.g. {@code get=70,put=20,head=5,list=5}. Immutable; the caller brings
 * the randomness, so one mix serves every request slot.
 */
public final class OpMix {
    /** The default of {@code --op mixed}. */
    public static final String MIXED_DEFAULT = "get=70,put=20,head=5,list=5";

    private static final int WEIGHT_MAX = 1_000_000;
    private static final S3Op[] OPS = S3Op.values();

    /** Cumulative weights in {@link S3Op#values()} order: op i is chosen for rolls in [cumulative[i-1], cumulative[i]). */
    private final int[] cumulative = new int[OPS.length];

    private final int total;

    private OpMix(Map<S3Op, Integer> weights) {
        int sum = 0;
        for (S3Op op : OPS) {
            sum += weights.getOrDefault(op, 0);
            cumulative[op.ordinal()] = sum;
        }
        if (sum <= 0) throw new IllegalArgumentException("op mix " + weights + " has no positive weight");
        total = sum;
    }

    /** A mix of one op only. */
    public static OpMix only(S3Op op) {
        return new OpMix(Map.of(op, 1));
    }

    /**
     * Parses {@code op=weight} pairs separated by commas; weights are whole numbers in [0, 1000000], ops appear
     * at most once, and at least one weight is positive. Weights need not sum to 100.
     */
    public static OpMix parse(String text) {
        Map<S3Op, Integer> weights = new EnumMap<>(S3Op.class);
        for (String pair : text.split(",", -1)) {
            int equals = pair.indexOf('=');
            if (equals < 0) throw new IllegalArgumentException("op mix entry '" + pair + "' is not op=weight");
            S3Op op = S3Op.parse(pair.substring(0, equals));
            int weight;
            try {
                weight = Integer.parseInt(pair.substring(equals + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("op mix entry '" + pair + "' has no whole-number weight", e);
            }
            if (weight < 0 || weight > WEIGHT_MAX) {
                throw new IllegalArgumentException(
                        "op mix entry '" + pair + "': weight=" + weight + " is not in [0, " + WEIGHT_MAX + "]");
            }
            if (weights.put(op, weight) != null) {
                throw new IllegalArgumentException("op mix '" + text + "' names " + op.label() + " twice");
            }
        }
        return new OpMix(weights);
    }

    /** The op for a roll in [0, {@link #total()}). */
    public S3Op choose(int roll) {
        if (roll < 0 || roll >= total)
            throw new IllegalArgumentException("roll=" + roll + " not in [0, " + total + ")");
        for (int i = 0; i < cumulative.length; i++) {
            if (roll < cumulative[i]) return OPS[i];
        }
        throw new IllegalStateException("roll=" + roll + " beyond cumulative weights, total=" + total);
    }

    /** The op for the next request. */
    public S3Op choose(RandomGenerator random) {
        return choose(random.nextInt(total));
    }

    /** The sum of the weights. */
    public int total() {
        return total;
    }

    /** The weight of {@code op}. */
    public int weight(S3Op op) {
        int i = op.ordinal();
        return cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
    }

    /** True when some request may read or delete an existing object, so the key space must be written first. */
    public boolean needsPrefill() {
        return weight(S3Op.GET) > 0 || weight(S3Op.HEAD) > 0 || weight(S3Op.LIST) > 0 || weight(S3Op.DELETE) > 0;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (S3Op op : OPS) {
            int weight = weight(op);
            if (weight == 0) continue;
            if (!text.isEmpty()) text.append(',');
            text.append(op.label()).append('=').append(weight);
        }
        return text.toString();
    }
}
