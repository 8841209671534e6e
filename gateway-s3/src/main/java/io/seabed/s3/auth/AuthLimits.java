package io.seabed.s3.auth;

/**
 * Limits of request authentication and {@code aws-chunked} decoding. Every field has a default constant and a
 * config key; the constructor validates.
 *
 * @param clockSkewSecondsMax how far {@code X-Amz-Date} may be from the server clock (AWS: 15 minutes)
 * @param signingKeyCacheEntriesMax derived signing keys kept, one per (secret, date, region)
 * @param queryParamsMax query parameters parsed per request
 * @param signedHeadersMax names in {@code SignedHeaders}
 * @param chunkBytesMax data bytes in one {@code aws-chunked} chunk
 * @param lineBytesMax bytes of one chunk-header or trailer line, without its CRLF
 * @param trailerLinesMax trailer lines after the final chunk
 */
public record AuthLimits(
        int clockSkewSecondsMax,
        int signingKeyCacheEntriesMax,
        int queryParamsMax,
        int signedHeadersMax,
        int chunkBytesMax,
        int lineBytesMax,
        int trailerLinesMax) {
    public static final int CLOCK_SKEW_SECONDS_MAX = 15 * 60;
    public static final int SIGNING_KEY_CACHE_ENTRIES_MAX = 1024;
    public static final int QUERY_PARAMS_MAX = 1000;
    public static final int SIGNED_HEADERS_MAX = 128;
    public static final int CHUNK_BYTES_MAX = 16 * 1024 * 1024;
    public static final int LINE_BYTES_MAX = 4 * 1024;
    public static final int TRAILER_LINES_MAX = 16;
    /** AWS's fixed maximum of {@code X-Amz-Expires}: one week. Not configurable (clients assume it). */
    public static final int PRESIGNED_EXPIRES_SECONDS_MAX = 7 * 24 * 60 * 60;

    public static final String CLOCK_SKEW_SECONDS_MAX_KEY = "seabed.s3.auth.clock-skew-seconds-max";
    public static final String SIGNING_KEY_CACHE_ENTRIES_MAX_KEY = "seabed.s3.auth.signing-key-cache-entries-max";
    public static final String QUERY_PARAMS_MAX_KEY = "seabed.s3.auth.query-params-max";
    public static final String SIGNED_HEADERS_MAX_KEY = "seabed.s3.auth.signed-headers-max";
    public static final String CHUNK_BYTES_MAX_KEY = "seabed.s3.chunked.chunk-bytes-max";
    public static final String LINE_BYTES_MAX_KEY = "seabed.s3.chunked.line-bytes-max";
    public static final String TRAILER_LINES_MAX_KEY = "seabed.s3.chunked.trailer-lines-max";

    public static final AuthLimits DEFAULTS = new AuthLimits(
            CLOCK_SKEW_SECONDS_MAX,
            SIGNING_KEY_CACHE_ENTRIES_MAX,
            QUERY_PARAMS_MAX,
            SIGNED_HEADERS_MAX,
            CHUNK_BYTES_MAX,
            LINE_BYTES_MAX,
            TRAILER_LINES_MAX);

    /** A chunk header line must fit its size and signature: "ffffffff;chunk-signature=" + 64 hex. */
    private static final int LINE_BYTES_MIN = 128;

    public AuthLimits {
        positive(CLOCK_SKEW_SECONDS_MAX_KEY, clockSkewSecondsMax);
        positive(SIGNING_KEY_CACHE_ENTRIES_MAX_KEY, signingKeyCacheEntriesMax);
        positive(QUERY_PARAMS_MAX_KEY, queryParamsMax);
        positive(SIGNED_HEADERS_MAX_KEY, signedHeadersMax);
        positive(CHUNK_BYTES_MAX_KEY, chunkBytesMax);
        positive(TRAILER_LINES_MAX_KEY, trailerLinesMax);
        if (lineBytesMax < LINE_BYTES_MIN) {
            throw new IllegalArgumentException(
                    LINE_BYTES_MAX_KEY + "=" + lineBytesMax + " < LINE_BYTES_MIN=" + LINE_BYTES_MIN);
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + "=" + value + " must be > 0");
        }
    }
}
