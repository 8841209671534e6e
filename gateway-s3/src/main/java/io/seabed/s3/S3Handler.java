package io.seabed.s3;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Acl.Permission;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.User;
import io.seabed.s3.auth.AuthResult;
import io.seabed.s3.auth.SigV4Verifier;
import io.seabed.s3.http.ResponseBody;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request on a worker thread (or, for a small PUT, on the event loop: {@link #answersOnLoop}):
 * authenticate, then one exhaustive switch over the operation, then the error path (S3Errors) for whatever went
 * wrong. An operation may answer later, once its commit is applied ({@link S3Request#answerWhen}).
 */
final class S3Handler {
    private static final Logger LOG = LoggerFactory.getLogger(S3Handler.class);

    private final Namespace namespace;
    private final SigV4Verifier verifier;
    private final S3Metrics metrics;
    private final BucketOps buckets;
    private final ObjectOps objects;
    private final MultipartOps multipart;
    private final Acls acls;
    private final Tagging tagging;
    private final PostObjectOps posts;

    S3Handler(Namespace namespace, SigV4Verifier verifier, S3Config config, S3Metrics metrics) {
        this.namespace = namespace;
        this.verifier = verifier;
        this.metrics = metrics;
        this.buckets = new BucketOps(namespace, config);
        this.objects = new ObjectOps(namespace, config, metrics);
        this.multipart = new MultipartOps(namespace, config, objects);
        this.acls = new Acls(namespace, config);
        this.tagging = new Tagging(namespace, config);
        this.posts = new PostObjectOps(namespace, metrics);
    }

    /** Whether the operation reads a request body (the others never touch it). */
    static boolean readsBody(S3Op op) {
        return switch (op) {
            case S3Op.PutObject p -> true;
            case S3Op.UploadPart p -> true;
            case S3Op.CompleteMultipartUpload c -> true;
            case S3Op.CreateBucket c -> true;
            case S3Op.DeleteObjects d -> true;
            case S3Op.PostObject p -> true;
            case S3Op.PutBucketAcl p -> true;
            case S3Op.PutObjectAcl p -> true;
            case S3Op.PutObjectTagging p -> true;
            case S3Op.PutBucketTagging p -> true;
            default -> false;
        };
    }

    /**
     * Whether a request whose body of {@code bodyLength} bytes is already in memory runs on the event loop rather
     * than a virtual thread of its own: a PutObject stored inline (by both its Content-Length and, for an
     * aws-chunked body, its {@code x-amz-decoded-content-length}). Everything it does there is CPU work and reads of
     * the local meta-kv's RocksDB (user, bucket, the head it replaces); its commit is answered later
     * ({@link S3Request#answerWhen}), so it never waits for the log. This saves the hand-off to a virtual thread and
     * back, the largest cost of a small PUT after the commit itself. Valid while meta-kv is in-process.
     */
    boolean answersOnLoop(S3Op op, long bodyLength, String decodedLength) {
        if (!(op instanceof S3Op.PutObject)) return false;
        long inlineMax = namespace.config().inlineBytesMax();
        if (bodyLength > inlineMax) return false;
        // An aws-chunked body declares its decoded length apart; the object size is that one.
        if (decodedLength == null) return true;
        if (decodedLength.isEmpty() || decodedLength.length() > 6) return false;
        for (int i = 0; i < decodedLength.length(); i++) {
            char c = decodedLength.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return Long.parseLong(decodedLength) <= inlineMax;
    }

    void handle(S3Request r, S3Op op) {
        r.operation = op.getClass().getSimpleName();
        try {
            if (!(op instanceof S3Op.Preflight)) authenticate(r);
            dispatch(r, op);
        } catch (Throwable t) {
            r.later = null;
            try {
                failed(r, t);
            } finally {
                done(r);
            }
            return;
        }
        if (r.later == null) done(r);
        else answerLater(r, r.later);
    }

    /** An operation that answers once its commit completes: the answer or the error path, then done. */
    private <T> void answerLater(S3Request r, S3Request.Later<T> later) {
        later.pending()
                .whenCompleteAsync(
                        (value, error) -> {
                            try {
                                if (error == null) later.then().accept(value);
                                else
                                    failed(
                                            r,
                                            error instanceof CompletionException && error.getCause() != null
                                                    ? error.getCause()
                                                    : error);
                            } catch (Throwable t) {
                                failed(r, t);
                            } finally {
                                done(r);
                            }
                        },
                        r.loop);
    }

    private void failed(S3Request r, Throwable t) {
        if (t instanceof ResponseBody.ClientGoneException) {
            r.status = 499;
            if (r.responded()) r.abort();
        } else {
            fail(r, t);
        }
    }

    private void done(S3Request r) {
        metrics.inFlight.decrementAndGet();
        metrics.record(r.operation, r.status, System.nanoTime() - r.startNanos);
    }

    private void dispatch(S3Request r, S3Op op) {
        switch (op) {
            case S3Op.ListBuckets l -> buckets.listBuckets(signedIn(r));
            case S3Op.CreateBucket c -> buckets.create(r, c.bucket(), acls.forBucket(r, signedIn(r).user));
            case S3Op.HeadBucket h -> buckets.head(r, bucket(r, h.bucket(), Permission.READ));
            case S3Op.DeleteBucket d -> buckets.delete(r, owned(r, d.bucket()));
            case S3Op.GetBucketLocation g -> buckets.location(r, bucket(r, g.bucket(), Permission.READ));
            case S3Op.GetBucketVersioning g -> buckets.versioning(r, owned(r, g.bucket()));
            case S3Op.ListObjects l -> buckets.listObjects(r, bucket(r, l.bucket(), Permission.READ), l.v2());
            case S3Op.ListObjectVersions l -> buckets.listVersions(r, bucket(r, l.bucket(), Permission.READ));
            case S3Op.PutObject p -> {
                Bucket b = bucket(r, p.bucket(), Permission.WRITE);
                objects.put(r, b, p.key(), acls.forObject(r, b));
            }
            case S3Op.GetObject g ->
                objects.get(r, object(r, g.bucket(), g.key(), Permission.READ).bucket(), g.key(), true);
            case S3Op.HeadObject h ->
                objects.get(r, object(r, h.bucket(), h.key(), Permission.READ).bucket(), h.key(), false);
            case S3Op.GetObjectAttributes g ->
                objects.attributes(
                        r, object(r, g.bucket(), g.key(), Permission.READ).bucket(), g.key());
            case S3Op.DeleteObject d -> objects.delete(r, bucket(r, d.bucket(), Permission.WRITE), d.key());
            case S3Op.DeleteObjects d -> buckets.deleteObjects(r, bucket(r, d.bucket(), Permission.WRITE));
            // The form's policy signature, not the request's, says who uploads: the operation checks access.
            case S3Op.PostObject p -> posts.post(r, p.bucket());
            case S3Op.CopyObject c -> {
                CopySource input = CopySource.parse(c.copySource());
                Bucket inputBucket =
                        object(r, input.bucket(), input.key(), Permission.READ).bucket();
                Bucket b = bucket(r, c.bucket(), Permission.WRITE);
                objects.copy(r, inputBucket, input.key(), b, c.key(), acls.forObject(r, b));
            }
            case S3Op.UploadPartCopy u -> {
                CopySource input = CopySource.parse(u.copySource());
                Bucket inputBucket =
                        object(r, input.bucket(), input.key(), Permission.READ).bucket();
                multipart.uploadPartCopy(r, inputBucket, input.key(), bucket(r, u.bucket(), Permission.WRITE), u);
            }
            case S3Op.CreateMultipartUpload c -> {
                Bucket b = bucket(r, c.bucket(), Permission.WRITE);
                multipart.create(r, b, c.key(), acls.forObject(r, b));
            }
            case S3Op.UploadPart u -> multipart.uploadPart(r, bucket(r, u.bucket(), Permission.WRITE), u);
            case S3Op.CompleteMultipartUpload c -> multipart.complete(r, bucket(r, c.bucket(), Permission.WRITE), c);
            case S3Op.ListMultipartUploads l -> multipart.listUploads(r, bucket(r, l.bucket(), Permission.READ));
            case S3Op.ListParts l -> multipart.listParts(r, bucket(r, l.bucket(), Permission.WRITE), l);
            case S3Op.AbortMultipartUpload a -> multipart.abort(r, bucket(r, a.bucket(), Permission.WRITE), a);
            case S3Op.GetBucketAcl g ->
                acls.render(r, bucket(r, g.bucket(), Permission.READ_ACP).acl());
            case S3Op.PutBucketAcl p -> acls.putBucketAcl(r, bucket(r, p.bucket(), Permission.WRITE_ACP));
            case S3Op.GetObjectAcl g ->
                acls.render(
                        r, object(r, g.bucket(), g.key(), Permission.READ_ACP).acl());
            case S3Op.PutObjectAcl p -> {
                Authorized o = object(r, p.bucket(), p.key(), Permission.WRITE_ACP);
                acls.putObjectAcl(r, o.bucket(), p.key(), o.acl());
            }
            case S3Op.GetObjectTagging g ->
                tagging.getObjectTagging(
                        r, object(r, g.bucket(), g.key(), Permission.READ).bucket(), g.key());
            // Tags are part of a write (PutObject sets them): changing them needs what overwriting needs.
            case S3Op.PutObjectTagging p ->
                tagging.putObjectTagging(r, bucket(r, p.bucket(), Permission.WRITE), p.key());
            case S3Op.DeleteObjectTagging d ->
                tagging.deleteObjectTagging(r, bucket(r, d.bucket(), Permission.WRITE), d.key());
            case S3Op.GetBucketTagging g -> tagging.getBucketTagging(r, owned(r, g.bucket()));
            case S3Op.PutBucketTagging p -> tagging.putBucketTagging(r, owned(r, p.bucket()));
            case S3Op.DeleteBucketTagging d -> tagging.deleteBucketTagging(r, owned(r, d.bucket()));
            case S3Op.Preflight p -> preflight(r, p.bucket());
            case S3Op.Unsupported u ->
                throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, u.operation() + " is not implemented.");
            case S3Op.NotAllowed n -> throw new S3Exception(S3ErrorCode.METHOD_NOT_ALLOWED);
        }
    }

    /**
     * A CORS preflight: without Origin and Access-Control-Request-Method it is BadRequest; otherwise refused,
     * since no bucket has CORS rules (CORS configuration is not implemented).
     */
    private void preflight(S3Request r, String bucketName) {
        if (r.http.getHeader("Origin") == null || r.http.getHeader("Access-Control-Request-Method") == null)
            throw new S3Exception(S3ErrorCode.BAD_REQUEST);
        namespace.bucket(bucketName);
        throw new S3Exception(S3ErrorCode.ACCESS_FORBIDDEN);
    }

    /** Verifies the signature, if any: a request without credentials goes on as anonymous (null user). */
    private void authenticate(S3Request r) {
        AuthResult result = verifier.verify(r);
        if (!(result instanceof AuthResult.Authenticated a)) return;
        User user = namespace.user(a.accessKey());
        if (user == null) throw new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        r.auth = a;
        r.user = user;
    }

    /** The request, which must be signed (operations outside any bucket, which no ACL grants). */
    private static S3Request signedIn(S3Request r) {
        if (r.user == null) throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
        return r;
    }

    private static String caller(S3Request r) {
        return r.user == null ? null : r.user.userId();
    }

    /** The bucket, on which the caller must hold {@code needed} (NoSuchBucket first, as S3 answers). */
    private Bucket bucket(S3Request r, String name, Permission needed) {
        Bucket b = namespace.bucket(name);
        if (!Access.allows(b.acl(), caller(r), needed)) throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
        return b;
    }

    /** The bucket, which must be the caller's own (DeleteBucket). */
    private Bucket owned(S3Request r, String name) {
        Bucket b = namespace.bucket(name);
        if (!b.ownerUserId().equals(caller(r))) throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
        return b;
    }

    /** An object's bucket and the ACL that allowed the access. */
    private record Authorized(Bucket bucket, Acl acl) {}

    /**
     * Access to an object, decided by its own ACL (one metadata read). A missing key is NoSuchKey to a
     * caller who may list the bucket, else AccessDenied (S3 does not reveal what it cannot list).
     */
    private Authorized object(S3Request r, String bucketName, String key, Permission needed) {
        Bucket b = namespace.bucket(bucketName);
        Acl stored;
        try {
            stored = namespace.openObject(b, key, false).info().acl();
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.NO_SUCH_KEY
                    && !Access.allows(b.acl(), caller(r), Permission.READ))
                throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
            throw e;
        }
        Acl acl = Access.objectAcl(b.acl(), stored);
        if (!Access.allows(acl, caller(r), needed)) throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
        return new Authorized(b, acl);
    }

    private void fail(S3Request r, Throwable t) {
        S3Exception e = S3Errors.toS3(t, r.requestId);
        r.status = e.code().httpStatus();
        if (r.responded()) {
            LOG.warn("request {} failed after its response started; cutting the connection: {}", r.requestId, e.code());
            r.abort();
            return;
        }
        var headers = S3Server.headers().add("Content-Type", "application/xml");
        if (e.code() == S3ErrorCode.INVALID_RANGE && r.rangeObjectSize >= 0)
            headers.add("Content-Range", "bytes */" + r.rangeObjectSize);
        r.respond(e.code().httpStatus(), headers, S3Errors.body(e, r.resource(), r.requestId));
    }
}
