package io.seabed.s3;

/** Every S3 operation the router recognizes; the handler switches over them exhaustively. */
public sealed interface S3Op {
    record ListBuckets() implements S3Op {}

    record CreateBucket(String bucket) implements S3Op {}

    record HeadBucket(String bucket) implements S3Op {}

    record DeleteBucket(String bucket) implements S3Op {}

    record GetBucketLocation(String bucket) implements S3Op {}

    /** Always the configuration of a bucket that was never versioned (versioning is not built). */
    record GetBucketVersioning(String bucket) implements S3Op {}

    record ListObjects(String bucket, boolean v2) implements S3Op {}

    record ListObjectVersions(String bucket) implements S3Op {}

    record PutObject(String bucket, String key) implements S3Op {}

    record GetObject(String bucket, String key) implements S3Op {}

    record HeadObject(String bucket, String key) implements S3Op {}

    record GetObjectAttributes(String bucket, String key) implements S3Op {}

    record DeleteObject(String bucket, String key) implements S3Op {}

    record DeleteObjects(String bucket) implements S3Op {}

    /** A CORS preflight (OPTIONS) for a bucket or an object in it; never authenticated. */
    record Preflight(String bucket) implements S3Op {}

    /** A browser form upload (POST to the bucket, multipart/form-data). */
    record PostObject(String bucket) implements S3Op {}

    record CopyObject(String bucket, String key, String copySource) implements S3Op {}

    record UploadPartCopy(String bucket, String key, String uploadId, String partNumber, String copySource)
            implements S3Op {}

    record CreateMultipartUpload(String bucket, String key) implements S3Op {}

    record UploadPart(String bucket, String key, String uploadId, String partNumber) implements S3Op {}

    record CompleteMultipartUpload(String bucket, String key, String uploadId) implements S3Op {}

    record ListMultipartUploads(String bucket) implements S3Op {}

    record ListParts(String bucket, String key, String uploadId) implements S3Op {}

    record AbortMultipartUpload(String bucket, String key, String uploadId) implements S3Op {}

    record GetBucketAcl(String bucket) implements S3Op {}

    record PutBucketAcl(String bucket) implements S3Op {}

    record GetObjectAcl(String bucket, String key) implements S3Op {}

    record PutObjectAcl(String bucket, String key) implements S3Op {}

    record GetObjectTagging(String bucket, String key) implements S3Op {}

    record PutObjectTagging(String bucket, String key) implements S3Op {}

    record DeleteObjectTagging(String bucket, String key) implements S3Op {}

    record GetBucketTagging(String bucket) implements S3Op {}

    record PutBucketTagging(String bucket) implements S3Op {}

    record DeleteBucketTagging(String bucket) implements S3Op {}

    /** A known S3 operation Seabed does not implement yet: answered NotImplemented. */
    record Unsupported(String operation) implements S3Op {}

    /** A method the resource does not allow. */
    record NotAllowed(String method) implements S3Op {}
}
