package io.seabed.namespace;

/** An operating error of the namespace; each front maps the reason to its own error. */
public final class NamespaceException extends RuntimeException {
    public enum Reason {
        NO_SUCH_BUCKET,
        NO_SUCH_KEY,
        NO_SUCH_UPLOAD,
        NO_SUCH_TENANT,
        NO_SUCH_USER,
        BUCKET_EXISTS,
        BUCKET_OWNED_BY_YOU,
        BUCKET_NOT_EMPTY,
        TOO_MANY_BUCKETS,
        TENANT_EXISTS,
        USER_EXISTS,
        INVALID_BUCKET_NAME,
        INVALID_KEY,
        KEY_TOO_LONG,
        METADATA_TOO_LARGE,
        ENTITY_TOO_LARGE,
        ENTITY_TOO_SMALL,
        INCOMPLETE_BODY,
        INVALID_PART,
        INVALID_PART_ORDER,
        INVALID_ARGUMENT,
        /** A condition of a conditional write did not hold (the key exists, or its ETag differs). */
        PRECONDITION_FAILED,
        /** A bucket has more uploads in progress than a listing reads. */
        TOO_MANY_UPLOADS,
        /** A limit on concurrent work was reached: the client should slow down and retry. */
        BUSY,
        /** Storage or metadata cannot serve now; the client may retry. */
        UNAVAILABLE,
        /** A hierarchical bucket's path clash: a file where a directory is needed, or the other way round. */
        PATH_CONFLICT,
        /** The operation is not built for this kind of bucket yet (S3 objects of hierarchical buckets). */
        NOT_IMPLEMENTED
    }

    private final Reason reason;

    public NamespaceException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public NamespaceException(Reason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
