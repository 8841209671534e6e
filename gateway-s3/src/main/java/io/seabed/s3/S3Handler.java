package io.seabed.s3;

import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.User;
import io.seabed.s3.auth.AuthResult;
import io.seabed.s3.auth.SigV4Verifier;
import io.seabed.s3.http.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request on a worker thread: authenticate, then one exhaustive switch over the operation,
 * then the error path (S3Errors) for whatever went wrong.
 */
final class S3Handler {
    private static final Logger LOG = LoggerFactory.getLogger(S3Handler.class);

    private final Namespace namespace;
    private final SigV4Verifier verifier;
    private final S3Metrics metrics;
    private final BucketOps buckets;
    private final ObjectOps objects;
    private final MultipartOps multipart;

    S3Handler(Namespace namespace, SigV4Verifier verifier, S3Config config, S3Metrics metrics) {
        this.namespace = namespace;
        this.verifier = verifier;
        this.metrics = metrics;
        this.buckets = new BucketOps(namespace, config);
        this.objects = new ObjectOps(namespace, config, metrics);
        this.multipart = new MultipartOps(namespace, config, objects);
    }

    /** Whether the operation reads a request body (the others never touch it). */
    static boolean readsBody(S3Op op) {
        return switch (op) {
            case S3Op.PutObject p -> true;
            case S3Op.UploadPart p -> true;
            case S3Op.CompleteMultipartUpload c -> true;
            case S3Op.CreateBucket c -> true;
            case S3Op.DeleteObjects d -> true;
            default -> false;
        };
    }

    void handle(S3Request r, S3Op op, long startNanos) {
        r.operation = op.getClass().getSimpleName();
        try {
            authenticate(r);
            dispatch(r, op);
        } catch (ResponseBody.ClientGoneException e) {
            r.status = 499;
            if (r.responded()) r.abort();
        } catch (Throwable t) {
            fail(r, t);
        } finally {
            metrics.inFlight.decrementAndGet();
            metrics.record(r.operation, r.status, System.nanoTime() - startNanos);
        }
    }

    private void dispatch(S3Request r, S3Op op) {
        switch (op) {
            case S3Op.ListBuckets l -> buckets.listBuckets(r);
            case S3Op.CreateBucket c -> buckets.create(r, c.bucket());
            case S3Op.HeadBucket h -> buckets.head(r, owned(r, h.bucket()));
            case S3Op.DeleteBucket d -> buckets.delete(r, owned(r, d.bucket()));
            case S3Op.GetBucketLocation g -> buckets.location(r, owned(r, g.bucket()));
            case S3Op.ListObjects l -> buckets.listObjects(r, owned(r, l.bucket()), l.v2());
            case S3Op.ListObjectVersions l -> buckets.listVersions(r, owned(r, l.bucket()));
            case S3Op.PutObject p -> objects.put(r, owned(r, p.bucket()), p.key());
            case S3Op.GetObject g -> objects.get(r, owned(r, g.bucket()), g.key(), true);
            case S3Op.HeadObject h -> objects.get(r, owned(r, h.bucket()), h.key(), false);
            case S3Op.GetObjectAttributes g -> objects.attributes(r, owned(r, g.bucket()), g.key());
            case S3Op.DeleteObject d -> objects.delete(r, owned(r, d.bucket()), d.key());
            case S3Op.DeleteObjects d -> buckets.deleteObjects(r, owned(r, d.bucket()));
            case S3Op.CopyObject c -> {
                CopySource input = CopySource.parse(c.copySource());
                objects.copy(r, owned(r, input.bucket()), input.key(), owned(r, c.bucket()), c.key());
            }
            case S3Op.UploadPartCopy u -> {
                CopySource input = CopySource.parse(u.copySource());
                multipart.uploadPartCopy(r, owned(r, input.bucket()), input.key(), owned(r, u.bucket()), u);
            }
            case S3Op.CreateMultipartUpload c -> multipart.create(r, owned(r, c.bucket()), c.key());
            case S3Op.UploadPart u -> multipart.uploadPart(r, owned(r, u.bucket()), u);
            case S3Op.CompleteMultipartUpload c -> multipart.complete(r, owned(r, c.bucket()), c);
            case S3Op.ListMultipartUploads l -> multipart.listUploads(r, owned(r, l.bucket()));
            case S3Op.ListParts l -> multipart.listParts(r, owned(r, l.bucket()), l);
            case S3Op.AbortMultipartUpload a -> multipart.abort(r, owned(r, a.bucket()), a);
            case S3Op.Unsupported u ->
                throw new S3Exception(S3ErrorCode.NOT_IMPLEMENTED, u.operation() + " is not implemented.");
            case S3Op.NotAllowed n -> throw new S3Exception(S3ErrorCode.METHOD_NOT_ALLOWED);
        }
    }

    private void authenticate(S3Request r) {
        AuthResult result = verifier.verify(r);
        if (!(result instanceof AuthResult.Authenticated a)) {
            // Anonymous access is never granted (no public ACLs or policies yet); a missing bucket is
            // still reported as missing, as S3 does.
            if (r.bucket != null) namespace.bucket(r.bucket);
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
        }
        User user = namespace.user(a.accessKey());
        if (user == null) throw new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        r.auth = a;
        r.user = user;
    }

    /**
     * The bucket, which must belong to the caller: a bucket is its owner's (as in S3, where users of
     * one account are still separate principals until ACLs or policies say otherwise), so tenants
     * never see each other's buckets either.
     */
    private Bucket owned(S3Request r, String name) {
        Bucket b = namespace.bucket(name);
        if (!b.ownerUserId().equals(r.user.userId())) throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
        return b;
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
