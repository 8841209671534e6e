package io.seabed.s3.auth;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the verifier needs from an HTTP request; the gateway adapts its request type to this (no Vert.x types here).
 *
 * <p>The path and query are exactly as received on the wire: still percent-encoded, never normalized. The
 * {@code host} header must be present (for HTTP/2 the gateway supplies {@code :authority} under the name
 * {@code host}).
 */
public interface AuthRequest {

    /** The HTTP method, e.g. {@code PUT}. */
    String method();

    /** The request-target path as received, percent-encoded, without the query, e.g. {@code /bucket/a%20b}. */
    String rawPath();

    /** The query as received, without the leading {@code ?}; empty when there is none. */
    String rawQuery();

    /** All values of header {@code name} (any case), in arrival order; empty when absent. */
    List<String> headers(String name);

    /** The names of all headers present, in any case. */
    Set<String> headerNames();

    /**
     * The bucket named by the Host header of a virtual-hosted-style request ({@code bucket.domain}), or null
     * for path-style. SigV2 signs {@code /bucket} + path for such requests; SigV4 signs the path as sent.
     */
    default String hostBucket() {
        return null;
    }

    /** The clock the request time is checked against (injected, so tests and simulations control it). */
    InstantSource clock();

    /** The first value of header {@code name}, or null when absent. */
    default String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.getFirst();
    }

    /** A request from plain values; header names are matched case-insensitively. */
    static AuthRequest of(
            String method, String rawPath, String rawQuery, Map<String, List<String>> headers, InstantSource clock) {
        TreeMap<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> byName.merge(name, List.copyOf(values), (a, b) -> {
            List<String> merged = new ArrayList<>(a);
            merged.addAll(b);
            return List.copyOf(merged);
        }));
        return new Simple(method, rawPath, rawQuery == null ? "" : rawQuery, byName, clock);
    }

    /** The plain implementation behind {@link #of}. */
    record Simple(
            String method, String rawPath, String rawQuery, TreeMap<String, List<String>> byName, InstantSource clock)
            implements AuthRequest {
        public Simple {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(rawPath, "rawPath");
            Objects.requireNonNull(rawQuery, "rawQuery");
            Objects.requireNonNull(clock, "clock");
            method = method.toUpperCase(Locale.ROOT);
        }

        @Override
        public List<String> headers(String name) {
            return byName.getOrDefault(name, List.of());
        }

        @Override
        public Set<String> headerNames() {
            return byName.keySet();
        }
    }
}
