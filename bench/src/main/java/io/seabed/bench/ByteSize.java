package io.seabed.bench;

import java.util.Locale;

/** Byte counts as people type them: {@code 4096}, {@code 4KiB}, {@code 64MiB}, {@code 1GB}. */
public final class ByteSize {
    private static final long KIB = 1024;
    private static final long MIB = KIB * KIB;
    private static final long GIB = MIB * KIB;

    private ByteSize() {}

    /**
     * Parses a non-negative count of bytes with an optional unit: {@code B}; binary {@code K KiB M MiB G GiB};
     * decimal {@code KB MB GB}. Units are case-insensitive; no spaces, no fractions.
     *
     * @throws IllegalArgumentException with the text and the reason
     */
    public static long parse(String text) {
        String trimmed = text.strip();
        int digits = 0;
        while (digits < trimmed.length() && Character.isDigit(trimmed.charAt(digits))) digits++;
        if (digits == 0) throw new IllegalArgumentException("size '" + text + "' does not start with digits");
        long multiplier = multiplier(text, trimmed.substring(digits).toLowerCase(Locale.ROOT));
        long value;
        try {
            value = Long.parseLong(trimmed, 0, digits, 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large", e);
        }
        try {
            return Math.multiplyExact(value, multiplier);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large", e);
        }
    }

    private static long multiplier(String text, String unit) {
        return switch (unit) {
            case "", "b" -> 1;
            case "k", "kib" -> KIB;
            case "m", "mib" -> MIB;
            case "g", "gib" -> GIB;
            case "kb" -> 1000;
            case "mb" -> 1000_000;
            case "gb" -> 1000_000_000;
            default ->
                throw new IllegalArgumentException(
                        "size '" + text + "' has unit '" + unit + "'; use B, KiB, MiB, GiB, KB, MB or GB");
        };
    }

    /** The shortest exact binary form: {@code 4 KiB}, {@code 64 MiB}, {@code 1000 B}. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) return bytes / GIB + " GiB";
        if (bytes != 0 && bytes % MIB == 0) return bytes / MIB + " MiB";
        if (bytes != 0 && bytes % KIB == 0) return bytes / KIB + " KiB";
        return bytes + " B";
    }
}
