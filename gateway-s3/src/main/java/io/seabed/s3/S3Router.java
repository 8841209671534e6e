package io.seabed.s3;

import java.util.Map;
import java.util.Set;

/**
 * Maps method + bucket/key + query keywords + headers to an {@link S3Op}: the one table of S3
 * routing (path-style addressing: /bucket/key).
 */
public final class S3Router {
    private S3Router() {}

    /** Bucket sub-resources that name operations Seabed does not implement yet. */
    static final Set<String> BUCKET_UNSUPPORTED = Set.of(
            "policy",
            "policyStatus",
            "cors",
            "lifecycle",
            "website",
            "logging",
            "notification",
            "replication",
            "encryption",
            "object-lock",
            "accelerate",
            "requestPayment",
            "analytics",
            "inventory",
            "metrics",
            "intelligent-tiering",
            "ownershipControls",
            "publicAccessBlock");

    /** Object sub-resources that name operations Seabed does not implement yet. */
    static final Set<String> OBJECT_UNSUPPORTED = Set.of("retention", "legal-hold", "restore", "select", "torrent");

    /**
     * @param bucket the bucket, or null for the service (path "/")
     * @param key the object key, or null for a bucket request
     * @param query decoded query parameters
     * @param copySource the x-amz-copy-source header, or null
     */
    public static S3Op route(String method, String bucket, String key, Map<String, String> query, String copySource) {
        if (bucket == null) return method.equals("GET") ? new S3Op.ListBuckets() : new S3Op.NotAllowed(method);
        if (method.equals("OPTIONS")) return new S3Op.Preflight(bucket);
        if (key == null) return bucketOp(method, bucket, query);
        return objectOp(method, bucket, key, query, copySource);
    }

    private static S3Op bucketOp(String method, String bucket, Map<String, String> query) {
        for (String q : query.keySet())
            if (BUCKET_UNSUPPORTED.contains(q)) return new S3Op.Unsupported(method + " bucket ?" + q);
        if (query.containsKey("acl"))
            return switch (method) {
                case "GET" -> new S3Op.GetBucketAcl(bucket);
                case "PUT" -> new S3Op.PutBucketAcl(bucket);
                default -> new S3Op.NotAllowed(method);
            };
        if (query.containsKey("tagging"))
            return switch (method) {
                case "GET" -> new S3Op.GetBucketTagging(bucket);
                case "PUT" -> new S3Op.PutBucketTagging(bucket);
                case "DELETE" -> new S3Op.DeleteBucketTagging(bucket);
                default -> new S3Op.NotAllowed(method);
            };
        if (query.containsKey("versioning"))
            return switch (method) {
                case "GET" -> new S3Op.GetBucketVersioning(bucket);
                case "PUT" -> new S3Op.Unsupported("PUT bucket ?versioning");
                default -> new S3Op.NotAllowed(method);
            };
        if (query.containsKey("uploads"))
            return method.equals("GET") ? new S3Op.ListMultipartUploads(bucket) : new S3Op.NotAllowed(method);
        if (query.containsKey("delete"))
            return method.equals("POST") ? new S3Op.DeleteObjects(bucket) : new S3Op.NotAllowed(method);
        return switch (method) {
            case "PUT" -> new S3Op.CreateBucket(bucket);
            case "HEAD" -> new S3Op.HeadBucket(bucket);
            case "DELETE" -> new S3Op.DeleteBucket(bucket);
            case "GET" -> {
                if (query.containsKey("location")) yield new S3Op.GetBucketLocation(bucket);
                if (query.containsKey("versions")) yield new S3Op.ListObjectVersions(bucket);
                yield new S3Op.ListObjects(bucket, "2".equals(query.get("list-type")));
            }
            case "POST" -> new S3Op.PostObject(bucket);
            default -> new S3Op.NotAllowed(method);
        };
    }

    private static S3Op objectOp(
            String method, String bucket, String key, Map<String, String> query, String copySource) {
        for (String q : query.keySet())
            if (OBJECT_UNSUPPORTED.contains(q)) return new S3Op.Unsupported(method + " object ?" + q);
        String uploadId = query.get("uploadId");
        if (query.containsKey("acl"))
            return switch (method) {
                case "GET" -> new S3Op.GetObjectAcl(bucket, key);
                case "PUT" -> new S3Op.PutObjectAcl(bucket, key);
                default -> new S3Op.NotAllowed(method);
            };
        if (query.containsKey("tagging"))
            return switch (method) {
                case "GET" -> new S3Op.GetObjectTagging(bucket, key);
                case "PUT" -> new S3Op.PutObjectTagging(bucket, key);
                case "DELETE" -> new S3Op.DeleteObjectTagging(bucket, key);
                default -> new S3Op.NotAllowed(method);
            };
        if (query.containsKey("attributes"))
            return method.equals("GET") ? new S3Op.GetObjectAttributes(bucket, key) : new S3Op.NotAllowed(method);
        return switch (method) {
            case "PUT" -> {
                if (copySource != null)
                    yield uploadId != null
                            ? new S3Op.UploadPartCopy(bucket, key, uploadId, query.get("partNumber"), copySource)
                            : new S3Op.CopyObject(bucket, key, copySource);
                if (uploadId != null) yield new S3Op.UploadPart(bucket, key, uploadId, query.get("partNumber"));
                yield new S3Op.PutObject(bucket, key);
            }
            case "GET" ->
                uploadId != null ? new S3Op.ListParts(bucket, key, uploadId) : new S3Op.GetObject(bucket, key);
            case "HEAD" -> new S3Op.HeadObject(bucket, key);
            case "DELETE" ->
                uploadId != null
                        ? new S3Op.AbortMultipartUpload(bucket, key, uploadId)
                        : new S3Op.DeleteObject(bucket, key);
            case "POST" -> {
                if (query.containsKey("uploads")) yield new S3Op.CreateMultipartUpload(bucket, key);
                if (uploadId != null) yield new S3Op.CompleteMultipartUpload(bucket, key, uploadId);
                yield new S3Op.Unsupported("POST object");
            }
            default -> new S3Op.NotAllowed(method);
        };
    }
}
