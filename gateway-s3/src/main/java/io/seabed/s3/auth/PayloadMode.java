package io.seabed.s3.auth;

/** How the body of a signed request is protected, from {@code x-amz-content-sha256}. */
public enum PayloadMode {
    /** A hex SHA-256 of the body was signed: check it with {@link PayloadVerifier}. */
    SIGNED(null),
    /** {@code UNSIGNED-PAYLOAD}: the body is not covered by the signature (presigned URLs always are). */
    UNSIGNED("UNSIGNED-PAYLOAD"),
    /** {@code aws-chunked} body, every chunk signed: decode with {@link AwsChunkedDecoder}. */
    STREAMING_SIGNED("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
    /** {@code aws-chunked}, chunks signed, then a signed trailer (a checksum): {@link AwsChunkedDecoder}. */
    STREAMING_SIGNED_TRAILER("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
    /** {@code aws-chunked}, chunks unsigned, then an unsigned trailer (a checksum): {@link AwsChunkedDecoder}. */
    STREAMING_UNSIGNED_TRAILER("STREAMING-UNSIGNED-PAYLOAD-TRAILER");

    private static final int SHA256_HEX_CHARS = 64;

    private final String headerValue;

    PayloadMode(String headerValue) {
        this.headerValue = headerValue;
    }

    /** The {@code x-amz-content-sha256} value naming this mode; null for {@link #SIGNED} (the value is a hash). */
    public String headerValue() {
        return headerValue;
    }

    /** True for the three {@code aws-chunked} modes. */
    public boolean streaming() {
        return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
    }

    /** True when each chunk carries a {@code chunk-signature}. */
    public boolean chunkSigned() {
        return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER;
    }

    /** True when a trailer section follows the final chunk. */
    public boolean trailer() {
        return this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
    }

    /** The mode of an {@code x-amz-content-sha256} value, or null when it is neither a keyword nor 64 hex digits. */
    public static PayloadMode fromHeader(String value) {
        for (PayloadMode mode : values()) {
            if (mode.headerValue != null && mode.headerValue.equals(value)) {
                return mode;
            }
        }
        return isSha256Hex(value) ? SIGNED : null;
    }

    static boolean isSha256Hex(String value) {
        if (value.length() != SHA256_HEX_CHARS) {
            return false;
        }
        for (int i = 0; i < SHA256_HEX_CHARS; i++) {
            if (Character.digit(value.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
