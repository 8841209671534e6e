package io.seabed.bench;

import java.time.Duration;
import java.util.Locale;

/** Durations as people type them: {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}; a bare number is seconds. */
public final class DurationText {
    private DurationText() {}

    /**
     * Parses a non-negative whole number with an optional unit {@code ms s m h} (case-insensitive).
     *
     * @throws IllegalArgumentException with the text and the reason
     */
    public static Duration parse(String text) {
        String trimmed = text.strip();
        int digits = 0;
        while (digits < trimmed.length() && Character.isDigit(trimmed.charAt(digits))) digits++;
        if (digits == 0) throw new IllegalArgumentException("duration '" + text + "' does not start with digits");
        long value;
        try {
            value = Long.parseLong(trimmed, 0, digits, 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large", e);
        }
        String unit = trimmed.substring(digits).toLowerCase(Locale.ROOT);
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(value);
                case "", "s" -> Duration.ofSeconds(value);
                case "m", "min" -> Duration.ofMinutes(value);
                case "h" -> Duration.ofHours(value);
                default ->
                    throw new IllegalArgumentException(
                            "duration '" + text + "' has unit '" + unit + "'; use ms, s, m or h");
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large", e);
        }
    }

    /** Seconds with millisecond precision: {@code 30.000s}. */
    public static String format(Duration duration) {
        return String.format(Locale.ROOT, "%.3fs", duration.toMillis() / 1000.0);
    }
}
