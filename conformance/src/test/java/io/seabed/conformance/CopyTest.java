package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** CopyObject and UploadPartCopy through the AWS SDK v2. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CopyTest {
    /** Spans three 4 MiB chunks. */
    static final int LARGE_BYTES = 9 << 20;

    private InProcessSeabed seabed;
    private S3Client s3;
    private byte[] large;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        s3.createBucket(b -> b.bucket("src"));
        s3.createBucket(b -> b.bucket("dst"));
        large = new byte[LARGE_BYTES];
        new Random(11).nextBytes(large);
        s3.putObject(
                b -> b.bucket("src")
                        .key("large")
                        .contentType("application/x-large")
                        .metadata(Map.of("color", "red")),
                RequestBody.fromBytes(large));
        s3.putObject(
                b -> b.bucket("src").key("small").contentType("text/plain").metadata(Map.of("color", "blue")),
                RequestBody.fromString("small body"));
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private byte[] get(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    private static String md5Hex(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    private CopyObjectResponse copy(Consumer<CopyObjectRequest.Builder> request) {
        return s3.copyObject(request);
    }

    @Test
    void copiesDataAndMetadata() throws Exception {
        CopyObjectResponse r = copy(b -> b.sourceBucket("src")
                .sourceKey("large")
                .destinationBucket("dst")
                .destinationKey("large-copy"));
        assertEquals("\"" + md5Hex(large) + "\"", r.copyObjectResult().eTag());
        assertArrayEquals(large, get("dst", "large-copy"));
        HeadObjectResponse h = s3.headObject(b -> b.bucket("dst").key("large-copy"));
        assertEquals("application/x-large", h.contentType());
        assertEquals(Map.of("color", "red"), h.metadata());

        copy(b -> b.sourceBucket("src")
                .sourceKey("small")
                .destinationBucket("dst")
                .destinationKey("dir/small copy"));
        assertEquals("small body", new String(get("dst", "dir/small copy")));
        assertEquals(
                Map.of("color", "blue"),
                s3.headObject(b -> b.bucket("dst").key("dir/small copy")).metadata());
    }

    @Test
    void replaceDirectiveTakesTheRequestMetadata() {
        copy(b -> b.sourceBucket("src")
                .sourceKey("small")
                .destinationBucket("dst")
                .destinationKey("replaced")
                .metadataDirective(MetadataDirective.REPLACE)
                .contentType("application/json")
                .metadata(Map.of("shape", "round")));
        HeadObjectResponse h = s3.headObject(b -> b.bucket("dst").key("replaced"));
        assertEquals("application/json", h.contentType());
        assertEquals(Map.of("shape", "round"), h.metadata());
        assertEquals("small body", new String(get("dst", "replaced")));
    }

    @Test
    void copyOntoItselfNeedsReplace() {
        s3.putObject(b -> b.bucket("src").key("self").metadata(Map.of("v", "1")), RequestBody.fromString("self"));
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> copy(b -> b.sourceBucket("src")
                        .sourceKey("self")
                        .destinationBucket("src")
                        .destinationKey("self")));
        assertEquals(400, e.statusCode());
        assertEquals("InvalidRequest", e.awsErrorDetails().errorCode());
        assertEquals(
                Map.of("v", "1"),
                s3.headObject(b -> b.bucket("src").key("self")).metadata());
        copy(b -> b.sourceBucket("src")
                .sourceKey("self")
                .destinationBucket("src")
                .destinationKey("self")
                .metadataDirective(MetadataDirective.REPLACE)
                .metadata(Map.of("v", "2")));
        assertEquals(
                Map.of("v", "2"),
                s3.headObject(b -> b.bucket("src").key("self")).metadata());
        assertEquals("self", new String(get("src", "self")));
    }

    @Test
    void sourceConditions() {
        String etag = s3.headObject(b -> b.bucket("src").key("small")).eTag();
        Instant modified = s3.headObject(b -> b.bucket("src").key("small")).lastModified();
        Instant past = modified.minusSeconds(3600);
        Instant future = modified.plusSeconds(3600);
        for (Consumer<CopyObjectRequest.Builder> failing : java.util.List.<Consumer<CopyObjectRequest.Builder>>of(
                b -> b.copySourceIfMatch("\"0000\""),
                b -> b.copySourceIfNoneMatch(etag),
                b -> b.copySourceIfUnmodifiedSince(past),
                b -> b.copySourceIfModifiedSince(future),
                b -> b.copySourceIfNoneMatch(etag).copySourceIfModifiedSince(past))) {
            S3Exception e = assertThrows(
                    S3Exception.class,
                    () -> copy(b -> failing.accept(b.sourceBucket("src")
                            .sourceKey("small")
                            .destinationBucket("dst")
                            .destinationKey("cond"))));
            assertEquals(412, e.statusCode());
            assertEquals("PreconditionFailed", e.awsErrorDetails().errorCode());
        }
        assertThrows(NoSuchKeyException.class, () -> get("dst", "cond"));
        copy(b -> b.sourceBucket("src")
                .sourceKey("small")
                .destinationBucket("dst")
                .destinationKey("cond")
                .copySourceIfMatch(etag)
                .copySourceIfUnmodifiedSince(past));
        assertEquals("small body", new String(get("dst", "cond")));
    }

    @Test
    void sourceErrors() {
        assertThrows(
                NoSuchKeyException.class,
                () -> copy(b -> b.sourceBucket("src")
                        .sourceKey("missing")
                        .destinationBucket("dst")
                        .destinationKey("x")));
        assertThrows(
                NoSuchBucketException.class,
                () -> copy(b -> b.sourceBucket("no-such-src")
                        .sourceKey("k")
                        .destinationBucket("dst")
                        .destinationKey("x")));
        S3Exception version = assertThrows(
                S3Exception.class,
                () -> copy(b -> b.sourceBucket("src")
                        .sourceKey("small")
                        .sourceVersionId("3HL4kqtJlcpXroDTDmJ")
                        .destinationBucket("dst")
                        .destinationKey("x")));
        assertEquals("InvalidArgument", version.awsErrorDetails().errorCode());
        copy(b -> b.sourceBucket("src")
                .sourceKey("small")
                .sourceVersionId("null")
                .destinationBucket("dst")
                .destinationKey("x"));
        assertEquals("small body", new String(get("dst", "x")));
    }

    /** A bucket of another tenant is not readable as a copy source. */
    @Test
    void otherTenantsSourceIsAccessDenied() {
        var tenants = seabed.server.namespace().tenants();
        tenants.createTenant("other");
        tenants.createUser(
                "other", "bob", "OTHERTENANTACCESS001", "other-tenant-secret-key-0123456789", "bob-id", "Bob", false);
        try (S3Client bob = seabed.client("OTHERTENANTACCESS001", "other-tenant-secret-key-0123456789")) {
            bob.createBucket(b -> b.bucket("bobs"));
            S3Exception e = assertThrows(
                    S3Exception.class,
                    () -> bob.copyObject(b -> b.sourceBucket("src")
                            .sourceKey("small")
                            .destinationBucket("bobs")
                            .destinationKey("stolen")));
            assertEquals(403, e.statusCode());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
            assertThrows(
                    NoSuchKeyException.class,
                    () -> bob.headObject(b -> b.bucket("bobs").key("stolen")));
        }
    }

    @Test
    void uploadPartCopyRanges() throws Exception {
        int first = 5 << 20;
        String id =
                s3.createMultipartUpload(b -> b.bucket("dst").key("assembled")).uploadId();
        String e1 = s3.uploadPartCopy(b -> b.sourceBucket("src")
                        .sourceKey("large")
                        .copySourceRange("bytes=0-" + (first - 1))
                        .destinationBucket("dst")
                        .destinationKey("assembled")
                        .uploadId(id)
                        .partNumber(1))
                .copyPartResult()
                .eTag();
        assertEquals("\"" + md5Hex(Arrays.copyOfRange(large, 0, first)) + "\"", e1);
        String e2 = s3.uploadPartCopy(b -> b.sourceBucket("src")
                        .sourceKey("large")
                        .copySourceRange("bytes=" + (LARGE_BYTES - first) + "-" + (LARGE_BYTES - 1))
                        .destinationBucket("dst")
                        .destinationKey("assembled")
                        .uploadId(id)
                        .partNumber(2))
                .copyPartResult()
                .eTag();
        String e3 = s3.uploadPartCopy(b -> b.sourceBucket("src")
                        .sourceKey("small")
                        .destinationBucket("dst")
                        .destinationKey("assembled")
                        .uploadId(id)
                        .partNumber(3))
                .copyPartResult()
                .eTag();
        S3Exception past = assertThrows(
                S3Exception.class,
                () -> s3.uploadPartCopy(b -> b.sourceBucket("src")
                        .sourceKey("large")
                        .copySourceRange("bytes=0-" + LARGE_BYTES)
                        .destinationBucket("dst")
                        .destinationKey("assembled")
                        .uploadId(id)
                        .partNumber(4)));
        assertEquals(416, past.statusCode());
        assertEquals("InvalidRange", past.awsErrorDetails().errorCode());
        for (String bad : new String[] {"bytes=5-4", "bytes=-5", "items=0-1"}) {
            S3Exception e = assertThrows(
                    S3Exception.class,
                    () -> s3.uploadPartCopy(b -> b.sourceBucket("src")
                            .sourceKey("large")
                            .copySourceRange(bad)
                            .destinationBucket("dst")
                            .destinationKey("assembled")
                            .uploadId(id)
                            .partNumber(4)));
            assertEquals(400, e.statusCode(), bad);
            assertEquals("InvalidArgument", e.awsErrorDetails().errorCode(), bad);
        }
        S3Exception cond = assertThrows(
                S3Exception.class,
                () -> s3.uploadPartCopy(b -> b.sourceBucket("src")
                        .sourceKey("small")
                        .copySourceIfMatch("\"0000\"")
                        .destinationBucket("dst")
                        .destinationKey("assembled")
                        .uploadId(id)
                        .partNumber(4)));
        assertEquals(412, cond.statusCode());
        s3.completeMultipartUpload(b -> b.bucket("dst")
                .key("assembled")
                .uploadId(id)
                .multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        CompletedPart.builder().partNumber(2).eTag(e2).build(),
                        CompletedPart.builder().partNumber(3).eTag(e3).build())));
        // Parts overlap in the input on purpose: bytes [0, 5 MiB), then [4 MiB, 9 MiB), then the small object.
        byte[] expected = new byte[2 * first + "small body".length()];
        System.arraycopy(large, 0, expected, 0, first);
        System.arraycopy(large, LARGE_BYTES - first, expected, first, first);
        System.arraycopy("small body".getBytes(), 0, expected, 2 * first, "small body".length());
        assertArrayEquals(expected, get("dst", "assembled"));
    }
}
