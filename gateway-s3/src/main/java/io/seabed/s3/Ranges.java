package io.seabed.s3;

/** HTTP Range headers as S3 reads them: one byte range, "a-b", "a-" or "-n". */
final class Ranges {
    /** A range that no byte of the object satisfies (416). */
    static final long[] UNSATISFIABLE = new long[0];

    private Ranges() {}

    /**
     * The inclusive [first, last] of {@code header} on an object of {@code size} bytes; null when the
     * header is absent or not a single byte range (then the whole object is sent, as S3 does).
     */
    static long[] parse(String header, long size) {
        if (header == null) return null;
        String h = header.trim();
        if (!h.startsWith("bytes=")) return null;
        String spec = h.substring(6).trim();
        if (spec.contains(",")) return null;
        int dash = spec.indexOf('-');
        if (dash < 0) return null;
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                if (b.isEmpty()) return null;
                long suffix = Long.parseLong(b);
                if (suffix < 0) return null;
                if (suffix == 0 || size == 0) return UNSATISFIABLE;
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (first < 0 || last < 0 || last < first) return null;
            if (first >= size) return UNSATISFIABLE;
            return new long[] {first, Math.min(last, size - 1)};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
