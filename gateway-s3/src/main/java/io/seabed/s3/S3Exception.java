package io.seabed.s3;

/** An S3 error to answer: its code, and a message for the client (never internal details). */
public final class S3Exception extends RuntimeException {
    private final S3ErrorCode code;

    public S3Exception(S3ErrorCode code) {
        this(code, code.message());
    }

    public S3Exception(S3ErrorCode code, String clientMessage) {
        super(clientMessage, null, false, false);
        this.code = code;
    }

    public S3ErrorCode code() {
        return code;
    }
}
