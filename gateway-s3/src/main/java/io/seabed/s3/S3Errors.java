package io.seabed.s3;

import io.seabed.basestore.StorageException;
import io.seabed.metakv.MetaKvException;
import io.seabed.namespace.NamespaceException;
import io.seabed.s3.xml.XmlWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become S3 errors: namespace reasons map through an exhaustive
 * switch; anything unexpected is InternalError, logged with its stack and the request id, and the
 * client sees neither.
 */
public final class S3Errors {
    private static final Logger LOG = LoggerFactory.getLogger(S3Errors.class);

    private S3Errors() {}

    public static S3Exception toS3(Throwable t, String requestId) {
        if (t instanceof S3Exception e) return e;
        if (t instanceof NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.UNAVAILABLE)
                LOG.warn("request {}: unavailable: {}", requestId, e.getMessage(), e);
            return new S3Exception(map(e.reason()), clientMessage(e));
        }
        if (t instanceof MetaKvException e && e.reason() == MetaKvException.Reason.CONFLICT) {
            LOG.info("request {}: metadata conflict retries exhausted", requestId);
            return new S3Exception(S3ErrorCode.SLOW_DOWN);
        }
        if (t instanceof MetaKvException || t instanceof StorageException) {
            LOG.warn("request {}: store unavailable", requestId, t);
            return new S3Exception(S3ErrorCode.SERVICE_UNAVAILABLE);
        }
        LOG.error("request {}: internal error", requestId, t);
        return new S3Exception(S3ErrorCode.INTERNAL_ERROR);
    }

    static S3ErrorCode map(NamespaceException.Reason reason) {
        return switch (reason) {
            case NO_SUCH_BUCKET -> S3ErrorCode.NO_SUCH_BUCKET;
            case NO_SUCH_KEY -> S3ErrorCode.NO_SUCH_KEY;
            case NO_SUCH_UPLOAD -> S3ErrorCode.NO_SUCH_UPLOAD;
            case NO_SUCH_TENANT, NO_SUCH_USER, TENANT_EXISTS, USER_EXISTS, INVALID_ARGUMENT, INVALID_KEY ->
                S3ErrorCode.INVALID_ARGUMENT;
            case BUCKET_EXISTS -> S3ErrorCode.BUCKET_ALREADY_EXISTS;
            case BUCKET_OWNED_BY_YOU -> S3ErrorCode.BUCKET_ALREADY_OWNED_BY_YOU;
            case BUCKET_NOT_EMPTY -> S3ErrorCode.BUCKET_NOT_EMPTY;
            case TOO_MANY_BUCKETS -> S3ErrorCode.TOO_MANY_BUCKETS;
            case INVALID_BUCKET_NAME -> S3ErrorCode.INVALID_BUCKET_NAME;
            case KEY_TOO_LONG -> S3ErrorCode.KEY_TOO_LONG;
            case METADATA_TOO_LARGE -> S3ErrorCode.METADATA_TOO_LARGE;
            case ENTITY_TOO_LARGE -> S3ErrorCode.ENTITY_TOO_LARGE;
            case ENTITY_TOO_SMALL -> S3ErrorCode.ENTITY_TOO_SMALL;
            case INCOMPLETE_BODY -> S3ErrorCode.INCOMPLETE_BODY;
            case INVALID_PART -> S3ErrorCode.INVALID_PART;
            case INVALID_PART_ORDER -> S3ErrorCode.INVALID_PART_ORDER;
            case PRECONDITION_FAILED -> S3ErrorCode.PRECONDITION_FAILED;
            case BUSY, TOO_MANY_UPLOADS -> S3ErrorCode.SLOW_DOWN;
            case UNAVAILABLE -> S3ErrorCode.SERVICE_UNAVAILABLE;
            case NOT_IMPLEMENTED -> S3ErrorCode.NOT_IMPLEMENTED;
            case PATH_CONFLICT -> S3ErrorCode.PATH_CONFLICT;
        };
    }

    /** Messages of operating errors are safe to show (they carry names and numbers, not internals). */
    private static String clientMessage(NamespaceException e) {
        return switch (e.reason()) {
            case UNAVAILABLE, BUSY -> map(e.reason()).message();
            default -> e.getMessage();
        };
    }

    /** The error document: code, message, resource, request id. */
    public static byte[] body(S3Exception e, String resource, String requestId) {
        return new XmlWriter()
                .open("Error")
                .element("Code", e.code().code())
                .element("Message", e.getMessage())
                .element("Resource", resource)
                .element("RequestId", requestId)
                .close("Error")
                .toBytes();
    }
}
