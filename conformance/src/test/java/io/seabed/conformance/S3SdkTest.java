package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Every S3 operation of the foundation through the AWS SDK v2 with its default configuration (so its
 * default checksums and aws-chunked encodings are exercised), against a server in this JVM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3SdkTest {
    private InProcessSeabed seabed;
    private S3Client s3;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    @Test
    void bucketLifecycle() {
        s3.createBucket(b -> b.bucket("life"));
        s3.headBucket(b -> b.bucket("life"));
        assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("life")));
        assertEquals("", s3.getBucketLocation(b -> b.bucket("life")).locationConstraintAsString());
        s3.putObject(b -> b.bucket("life").key("x"), RequestBody.fromString("x"));
        // us-east-1 semantics: the owner's re-create answers 200 and leaves the bucket as it was.
        s3.createBucket(b -> b.bucket("life"));
        assertEquals(1, s3.listObjectsV2(b -> b.bucket("life")).keyCount());
        S3Exception notEmpty = assertThrows(S3Exception.class, () -> s3.deleteBucket(b -> b.bucket("life")));
        assertEquals("BucketNotEmpty", notEmpty.awsErrorDetails().errorCode());
        assertEquals(409, notEmpty.statusCode());
        s3.deleteObject(b -> b.bucket("life").key("x"));
        s3.deleteBucket(b -> b.bucket("life"));
        assertThrows(NoSuchBucketException.class, () -> s3.headBucket(b -> b.bucket("life")));
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("life")));
    }

    @Test
    void listBucketsPages() {
        for (String n : new String[] {"page-a", "page-b", "page-c"}) s3.createBucket(b -> b.bucket(n));
        List<String> names = new ArrayList<>();
        String token = null;
        for (int i = 0; i < 100; i++) {
            String t = token;
            var page = s3.listBuckets(b -> b.maxBuckets(1).prefix("page-").continuationToken(t));
            page.buckets().forEach(x -> names.add(x.name()));
            token = page.continuationToken();
            if (token == null) break;
        }
        assertEquals(List.of("page-a", "page-b", "page-c"), names);
    }

    @Test
    void putGetHeadDeleteOfEverySize() {
        s3.createBucket(b -> b.bucket("sizes"));
        int[] sizes = {0, 1, 4095, 4096, 4097, 65_536, 300_000, 4 << 20, (4 << 20) + 1, 9_000_000};
        for (int size : sizes) {
            byte[] data = TestFiles.bytes(size, size);
            String key = "obj-" + size;
            s3.putObject(
                    b -> b.bucket("sizes")
                            .key(key)
                            .contentType("application/x-test")
                            .metadata(Map.of("color", "blue")),
                    RequestBody.fromBytes(data));
            ResponseBytes<GetObjectResponse> got =
                    s3.getObjectAsBytes(b -> b.bucket("sizes").key(key));
            assertArrayEquals(data, got.asByteArray(), "size " + size);
            assertEquals("\"" + md5Hex(data) + "\"", got.response().eTag());
            assertEquals("application/x-test", got.response().contentType());
            assertEquals("blue", got.response().metadata().get("color"));
            HeadObjectResponse head = s3.headObject(b -> b.bucket("sizes").key(key));
            assertEquals(size, head.contentLength());
            assertEquals("blue", head.metadata().get("color"));
        }
        byte[] replaced = TestFiles.bytes(99, 5000);
        s3.putObject(b -> b.bucket("sizes").key("obj-4096"), RequestBody.fromBytes(replaced));
        assertArrayEquals(
                replaced,
                s3.getObjectAsBytes(b -> b.bucket("sizes").key("obj-4096")).asByteArray());
        for (int size : sizes) s3.deleteObject(b -> b.bucket("sizes").key("obj-" + size));
        assertThrows(
                NoSuchKeyException.class,
                () -> s3.getObject(b -> b.bucket("sizes").key("obj-1")));
        s3.deleteObject(b -> b.bucket("sizes").key("never-there"));
        assertEquals(0, s3.listObjectsV2(b -> b.bucket("sizes")).keyCount());
    }

    @Test
    void ranges() {
        s3.createBucket(b -> b.bucket("ranges"));
        byte[] small = TestFiles.bytes(1, 1000);
        byte[] large = TestFiles.bytes(2, 5_000_000);
        s3.putObject(b -> b.bucket("ranges").key("small"), RequestBody.fromBytes(small));
        s3.putObject(b -> b.bucket("ranges").key("large"), RequestBody.fromBytes(large));
        for (var e : Map.of("small", small, "large", large).entrySet()) {
            byte[] d = e.getValue();
            String key = e.getKey();
            assertRange(key, "bytes=0-9", d, 0, 10);
            assertRange(key, "bytes=10-", d, 10, d.length - 10);
            assertRange(key, "bytes=-7", d, d.length - 7, 7);
            assertRange(key, "bytes=5-" + (d.length + 100), d, 5, d.length - 5);
            S3Exception bad = assertThrows(
                    S3Exception.class,
                    () -> s3.getObject(b -> b.bucket("ranges").key(key).range("bytes=" + d.length + "-")));
            assertEquals(416, bad.statusCode());
            assertEquals("InvalidRange", bad.awsErrorDetails().errorCode());
        }
        assertRange("large", "bytes=4194300-4194310", large, 4_194_300, 11);
    }

    private void assertRange(String key, String range, byte[] data, int offset, int length) {
        ResponseBytes<GetObjectResponse> got =
                s3.getObjectAsBytes(b -> b.bucket("ranges").key(key).range(range));
        byte[] expected = java.util.Arrays.copyOfRange(data, offset, offset + length);
        assertArrayEquals(expected, got.asByteArray(), key + " " + range);
        assertEquals(
                "bytes " + offset + "-" + (offset + length - 1) + "/" + data.length,
                got.response().contentRange());
    }

    @Test
    void listObjectsV2MatchesSortedKeys() {
        s3.createBucket(b -> b.bucket("listing"));
        TreeSet<String> keys = new TreeSet<>();
        String[] dirs = {"a/", "a/b/", "b/", "", "c-", "a/b/c/", "ü/"};
        for (int i = 0; i < 60; i++) keys.add(dirs[i % dirs.length] + "k" + (i * 7919 % 97));
        keys.add("a");
        keys.add("a0");
        keys.add("a/");
        for (String k : keys) s3.putObject(b -> b.bucket("listing").key(k), RequestBody.fromString(k));
        assertEquals(new ArrayList<>(keys), listAll(null, null, 7));
        for (String prefix : new String[] {"a/", "a/b", "b/", "zz", "ü"}) {
            List<String> expected =
                    keys.stream().filter(k -> k.startsWith(prefix)).toList();
            assertEquals(expected, listAll(prefix, null, 5), "prefix " + prefix);
        }
        List<String> expectedRollup = new ArrayList<>(new TreeSet<>(keys.stream()
                .map(k -> k.contains("/") ? k.substring(0, k.indexOf('/') + 1) : k)
                .toList()));
        assertEquals(expectedRollup, listAll(null, "/", 3));
        List<String> underA = new ArrayList<>(new TreeSet<>(keys.stream()
                .filter(k -> k.startsWith("a/"))
                .map(k -> {
                    int i = k.indexOf('/', 2);
                    return i < 0 ? k : k.substring(0, i + 1);
                })
                .toList()));
        assertEquals(underA, listAll("a/", "/", 2));
        ListObjectsV2Response after =
                s3.listObjectsV2(b -> b.bucket("listing").startAfter("b/").maxKeys(1000));
        assertEquals(
                keys.tailSet("b/", false).stream().toList(),
                after.contents().stream().map(S3Object::key).toList());
        ListObjectsV2Response capped = s3.listObjectsV2(b -> b.bucket("listing").maxKeys(2));
        assertTrue(capped.isTruncated());
        assertEquals(2, capped.keyCount());
    }

    /** Pages through ListObjectsV2, returning keys and common prefixes merged in S3 order. */
    private List<String> listAll(String prefix, String delimiter, int pageSize) {
        List<String> out = new ArrayList<>();
        String token = null;
        for (int pages = 0; pages < 1000; pages++) {
            ListObjectsV2Request.Builder req = ListObjectsV2Request.builder()
                    .bucket("listing")
                    .maxKeys(pageSize)
                    .prefix(prefix)
                    .delimiter(delimiter);
            if (token != null) req.continuationToken(token);
            ListObjectsV2Response page = s3.listObjectsV2(req.build());
            TreeSet<String> merged = new TreeSet<>();
            page.contents().forEach(o -> merged.add(o.key()));
            page.commonPrefixes().stream().map(CommonPrefix::prefix).forEach(merged::add);
            assertTrue(merged.size() <= pageSize);
            out.addAll(merged);
            if (!page.isTruncated()) return out;
            token = page.nextContinuationToken();
        }
        throw new AssertionError("listing did not end");
    }

    @Test
    void multipartUploadCompleteAndAbort() {
        s3.createBucket(b -> b.bucket("multi"));
        byte[] p1 = TestFiles.bytes(11, 5 << 20);
        byte[] p2 = TestFiles.bytes(12, 5 << 20);
        byte[] p3 = TestFiles.bytes(13, 1234);
        String id = s3.createMultipartUpload(b -> b.bucket("multi").key("big").contentType("video/test"))
                .uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        byte[][] datas = {p1, p2, p3};
        MessageDigest md5OfMd5s = md5();
        for (int i = 0; i < 3; i++) {
            int n = i + 1;
            byte[] d = datas[i];
            String etag = s3.uploadPart(
                            b -> b.bucket("multi").key("big").uploadId(id).partNumber(n), RequestBody.fromBytes(d))
                    .eTag();
            assertEquals("\"" + md5Hex(d) + "\"", etag);
            md5OfMd5s.update(md5().digest(d));
            parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
        }
        String etag = s3.completeMultipartUpload(
                        b -> b.bucket("multi").key("big").uploadId(id).multipartUpload(m -> m.parts(parts)))
                .eTag();
        assertEquals("\"" + HexFormat.of().formatHex(md5OfMd5s.digest()) + "-3\"", etag);
        ResponseBytes<GetObjectResponse> got =
                s3.getObjectAsBytes(b -> b.bucket("multi").key("big"));
        byte[] all = new byte[p1.length + p2.length + p3.length];
        System.arraycopy(p1, 0, all, 0, p1.length);
        System.arraycopy(p2, 0, all, p1.length, p2.length);
        System.arraycopy(p3, 0, all, p1.length + p2.length, p3.length);
        assertArrayEquals(all, got.asByteArray());
        assertEquals("video/test", got.response().contentType());
        assertEquals(etag, got.response().eTag());

        String aborted =
                s3.createMultipartUpload(b -> b.bucket("multi").key("gone")).uploadId();
        s3.uploadPart(b -> b.bucket("multi").key("gone").uploadId(aborted).partNumber(1), RequestBody.fromBytes(p3));
        s3.abortMultipartUpload(b -> b.bucket("multi").key("gone").uploadId(aborted));
        assertThrows(
                NoSuchUploadException.class,
                () -> s3.uploadPart(
                        b -> b.bucket("multi").key("gone").uploadId(aborted).partNumber(2), RequestBody.fromBytes(p3)));
        assertThrows(
                NoSuchKeyException.class,
                () -> s3.headObject(b -> b.bucket("multi").key("gone")));

        String small =
                s3.createMultipartUpload(b -> b.bucket("multi").key("tiny")).uploadId();
        List<CompletedPart> tinyParts = new ArrayList<>();
        for (int n = 1; n <= 2; n++) {
            int pn = n;
            String e = s3.uploadPart(
                            b -> b.bucket("multi").key("tiny").uploadId(small).partNumber(pn),
                            RequestBody.fromBytes(p3))
                    .eTag();
            tinyParts.add(CompletedPart.builder().partNumber(n).eTag(e).build());
        }
        S3Exception tooSmall = assertThrows(
                S3Exception.class,
                () -> s3.completeMultipartUpload(
                        b -> b.bucket("multi").key("tiny").uploadId(small).multipartUpload(m -> m.parts(tinyParts))));
        assertEquals("EntityTooSmall", tooSmall.awsErrorDetails().errorCode());
    }

    @Test
    void asyncClientRoundTrip() throws Exception {
        s3.createBucket(b -> b.bucket("async"));
        byte[] data = TestFiles.bytes(5, 6_000_000);
        try (S3AsyncClient async = seabed.asyncClient()) {
            async.putObject(b -> b.bucket("async").key("k"), AsyncRequestBody.fromBytes(data))
                    .get();
            byte[] got = async.getObject(b -> b.bucket("async").key("k"), AsyncResponseTransformer.toBytes())
                    .get()
                    .asByteArray();
            assertArrayEquals(data, got);
        }
    }

    @Test
    void presignedGetAndPut() throws Exception {
        s3.createBucket(b -> b.bucket("presign"));
        byte[] data = TestFiles.bytes(7, 10_000);
        s3.putObject(b -> b.bucket("presign").key("a b+c"), RequestBody.fromBytes(data));
        try (S3Presigner presigner = seabed.presigner()) {
            var url = presigner
                    .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                            .getObjectRequest(g -> g.bucket("presign").key("a b+c")))
                    .url();
            HttpResponse<byte[]> got = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(url.toURI()).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, got.statusCode(), url + " -> " + new String(got.body(), StandardCharsets.UTF_8));
            assertArrayEquals(data, got.body());
            var putUrl = presigner
                    .presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                            .putObjectRequest(g -> g.bucket("presign").key("uploaded")))
                    .url();
            HttpResponse<String> put = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(putUrl.toURI())
                                    .PUT(HttpRequest.BodyPublishers.ofByteArray(data))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, put.statusCode(), put.body());
            assertArrayEquals(
                    data,
                    s3.getObjectAsBytes(b -> b.bucket("presign").key("uploaded"))
                            .asByteArray());
        }
    }

    @Test
    void unsupportedOperationsAnswerNotImplemented() {
        s3.createBucket(b -> b.bucket("unsupported"));
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.putBucketVersioning(b -> b.bucket("unsupported")
                        .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED))));
        assertEquals(501, e.statusCode());
        assertEquals("NotImplemented", e.awsErrorDetails().errorCode());
        // Reading the configuration answers what S3 answers for a bucket never versioned (clients ask it).
        var versioning = s3.getBucketVersioning(b -> b.bucket("unsupported"));
        assertNull(versioning.status());
        assertNull(versioning.mfaDelete());
        e = assertThrows(S3Exception.class, () -> s3.getBucketPolicy(b -> b.bucket("unsupported")));
        assertEquals("NotImplemented", e.awsErrorDetails().errorCode());
    }

    static String md5Hex(byte[] data) {
        return HexFormat.of().formatHex(md5().digest(data));
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
