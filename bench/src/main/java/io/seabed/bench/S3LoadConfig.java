package io.seabed.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One validated {@code seabed bench s3} run.
 *
 * @param endpoint {@code http://host:port} of the S3 front; nothing else is contacted
 * @param opName the {@code --op} as given: an {@link S3Op} label or {@code mixed}
 * @param mix the op of each request
 * @param requestsMax measured requests to send at most ({@link Long#MAX_VALUE}: bounded by duration only)
 * @param objects the key space: keys {@code obj-00000000} to {@code obj-(objects-1)}
 * @param prefill write every key before get, head, list or delete runs
 * @param signedPayload sign the SHA-256 of each body instead of {@code UNSIGNED-PAYLOAD}
 * @param eventLoops Vert.x event loops driving the request slots
 * @param seed of the op and key choices
 */
public record S3LoadConfig(
        URI endpoint,
        String accessKey,
        String secretKey,
        String opName,
        OpMix mix,
        long sizeBytes,
        int concurrency,
        Duration duration,
        long requestsMax,
        int objects,
        String bucket,
        Duration warmup,
        boolean prefill,
        boolean signedPayload,
        int eventLoops,
        long seed,
        Duration requestTimeout,
        boolean json) {
    /** A single PUT's body lives in one reused buffer, indexed by int. */
    public static final long SIZE_BYTES_MAX = 1L << 30;

    public static final int CONCURRENCY_MAX = 4096;
    public static final int OBJECTS_MAX = 100_000_000;
    public static final int EVENT_LOOPS_MAX = 64;
    public static final Duration DURATION_MAX = Duration.ofHours(24);
    public static final Duration REQUEST_TIMEOUT_MAX = Duration.ofHours(1);

    /** S3's bucket-name rules, the ASCII subset: 3 to 63 of lower-case letters, digits, dots and hyphens. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3LoadConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(mix, "mix");
        if (!"http".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' is not http://host[:port]");
        }
        if (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !"/".equals(endpoint.getRawPath())) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' has a path; give http://host:port only");
        }
        if (accessKey == null || accessKey.isEmpty() || secretKey == null || secretKey.isEmpty()) {
            throw new IllegalArgumentException("no credentials: pass --access-key and --secret-key, or set "
                    + "SEABED_ACCESS_KEY and SEABED_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
        }
        check("size", sizeBytes, 0, SIZE_BYTES_MAX);
        check("concurrency", concurrency, 1, CONCURRENCY_MAX);
        check("requests", requestsMax, 1, Long.MAX_VALUE);
        check("objects", objects, 1, OBJECTS_MAX);
        check("event-loops", eventLoops, 1, EVENT_LOOPS_MAX);
        check("duration seconds", duration.toSeconds(), 0, DURATION_MAX.toSeconds());
        if (duration.isZero()) throw new IllegalArgumentException("duration=0: give at least 1ms");
        check("warmup seconds", warmup.toSeconds(), 0, DURATION_MAX.toSeconds());
        check("request timeout millis", requestTimeout.toMillis(), 1, REQUEST_TIMEOUT_MAX.toMillis());
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("bucket '" + bucket + "' is not 3-63 of [a-z0-9.-], "
                    + "starting and ending with a letter or digit");
        }
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + "=" + value + " is not in [" + min + ", " + max + "]");
        }
    }

    /** The port the endpoint names, or 80. */
    public int port() {
        return endpoint.getPort() < 0 ? 80 : endpoint.getPort();
    }

    /** The {@code Host} header sent and signed: the endpoint's authority as given. */
    public String hostHeader() {
        return endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
    }
}
