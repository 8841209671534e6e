package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Conditional GET/HEAD (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since) and conditional writes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConditionalTest {
    private InProcessSeabed seabed;
    private S3Client s3;
    private String etag;
    private Instant modified;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        s3.createBucket(b -> b.bucket("cond"));
        etag = s3.putObject(b -> b.bucket("cond").key("obj"), RequestBody.fromString("hello"))
                .eTag();
        modified = s3.headObject(b -> b.bucket("cond").key("obj")).lastModified();
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private String get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket("cond").key(key)).asUtf8String();
    }

    @Test
    void ifMatchAndIfNoneMatchOnGet() {
        String bare = etag.substring(1, etag.length() - 1);
        assertEquals(
                "hello",
                s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifMatch(etag))
                        .asUtf8String());
        assertEquals(
                "hello",
                s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifMatch(bare))
                        .asUtf8String());
        assertEquals(
                "hello",
                s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifMatch("*"))
                        .asUtf8String());
        assertEquals(
                "hello",
                s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifMatch("\"zzz\", " + etag))
                        .asUtf8String());
        S3Exception failed = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifMatch("\"nope\"")));
        assertEquals(412, failed.statusCode());
        assertEquals("PreconditionFailed", failed.awsErrorDetails().errorCode());

        S3Exception notModified = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifNoneMatch(bare)));
        assertEquals(304, notModified.statusCode());
        var headers = notModified.awsErrorDetails().sdkHttpResponse().headers();
        assertEquals(List.of(etag), headers.get("ETag"));
        assertTrue(headers.containsKey("Last-Modified"));
        assertEquals(
                "hello",
                s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifNoneMatch("\"other\""))
                        .asUtf8String());
        S3Exception head = assertThrows(
                S3Exception.class,
                () -> s3.headObject(b -> b.bucket("cond").key("obj").ifMatch("\"nope\"")));
        assertEquals(412, head.statusCode());
        S3Exception headStar = assertThrows(
                S3Exception.class,
                () -> s3.headObject(b -> b.bucket("cond").key("obj").ifNoneMatch("*")));
        assertEquals(304, headStar.statusCode());
    }

    @Test
    void datesOnGet() {
        Instant before = modified.minusSeconds(3600);
        Instant after = modified.plusSeconds(3600);
        assertEquals(
                "hello",
                s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifModifiedSince(before))
                        .asUtf8String());
        S3Exception notModified = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifModifiedSince(after)));
        assertEquals(304, notModified.statusCode());
        S3Exception sameSecond = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifModifiedSince(modified)));
        assertEquals(304, sameSecond.statusCode());
        assertEquals(
                "hello",
                s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifUnmodifiedSince(after))
                        .asUtf8String());
        S3Exception failed = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("cond").key("obj").ifUnmodifiedSince(before)));
        assertEquals(412, failed.statusCode());
        assertEquals("PreconditionFailed", failed.awsErrorDetails().errorCode());
    }

    /** S3's precedence: If-Match beats If-Unmodified-Since; If-None-Match beats If-Modified-Since. */
    @Test
    void precedence() {
        Instant before = modified.minusSeconds(3600);
        assertEquals(
                "hello",
                s3.getObjectAsBytes(
                                b -> b.bucket("cond").key("obj").ifMatch(etag).ifUnmodifiedSince(before))
                        .asUtf8String());
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(
                        b -> b.bucket("cond").key("obj").ifNoneMatch(etag).ifModifiedSince(before)));
        assertEquals(304, e.statusCode());
        HeadObjectResponse h = s3.headObject(
                b -> b.bucket("cond").key("obj").ifNoneMatch("\"x\"").ifModifiedSince(modified.plusSeconds(60)));
        assertEquals(etag, h.eTag());
        assertThrows(
                NoSuchKeyException.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("cond").key("missing").ifMatch(etag)));
    }

    @Test
    void putIfNoneMatchStar() {
        s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch("*"), RequestBody.fromString("first"));
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.putObject(
                        b -> b.bucket("cond").key("once").ifNoneMatch("*"), RequestBody.fromString("second")));
        assertEquals(412, e.statusCode());
        assertEquals("PreconditionFailed", e.awsErrorDetails().errorCode());
        assertEquals("first", get("once"));
        byte[] large = new byte[300_000];
        S3Exception chunked = assertThrows(
                S3Exception.class,
                () -> s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch("*"), RequestBody.fromBytes(large)));
        assertEquals(412, chunked.statusCode());
        assertEquals("first", get("once"));
        String etag = s3.headObject(b -> b.bucket("cond").key("once")).eTag();
        S3Exception sameEtag = assertThrows(
                S3Exception.class,
                () -> s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch(etag), RequestBody.fromString("x")));
        assertEquals(412, sameEtag.statusCode());
        assertEquals("first", get("once"));
        s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch("\"abc\""), RequestBody.fromString("third"));
        assertEquals("third", get("once"));
    }

    @Test
    void putIfMatch() {
        String first = s3.putObject(b -> b.bucket("cond").key("cas"), RequestBody.fromString("v1"))
                .eTag();
        String second = s3.putObject(b -> b.bucket("cond").key("cas").ifMatch(first), RequestBody.fromString("v2"))
                .eTag();
        S3Exception stale = assertThrows(
                S3Exception.class,
                () -> s3.putObject(b -> b.bucket("cond").key("cas").ifMatch(first), RequestBody.fromString("v3")));
        assertEquals(412, stale.statusCode());
        assertEquals("PreconditionFailed", stale.awsErrorDetails().errorCode());
        assertEquals("v2", get("cas"));
        assertEquals(second, s3.headObject(b -> b.bucket("cond").key("cas")).eTag());
        S3Exception missing = assertThrows(
                S3Exception.class,
                () -> s3.putObject(b -> b.bucket("cond").key("nokey").ifMatch(first), RequestBody.fromString("v")));
        assertEquals(404, missing.statusCode());
        assertEquals("NoSuchKey", missing.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> get("nokey"));
    }

    /** Goal: two racing If-None-Match: * PUTs of one key cannot both win. Method: 8 at once, count the winners. */
    @Test
    void racingCreatesHaveOneWinner() throws Exception {
        int writers = 8;
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String body = "writer-" + i;
                results.add(pool.submit(() -> {
                    try {
                        s3.putObject(b -> b.bucket("cond").key("race").ifNoneMatch("*"), RequestBody.fromString(body));
                        return true;
                    } catch (S3Exception e) {
                        if (e.statusCode() != 412) throw e;
                        return false;
                    }
                }));
            }
            List<String> winners = new ArrayList<>();
            for (int i = 0; i < writers; i++) if (results.get(i).get()) winners.add("writer-" + i);
            assertEquals(1, winners.size(), winners.toString());
            assertEquals(winners.getFirst(), get("race"));
        }
    }

    @Test
    void completeMultipartUploadIfNoneMatch() {
        s3.putObject(b -> b.bucket("cond").key("mp"), RequestBody.fromString("existing"));
        String uploadId =
                s3.createMultipartUpload(b -> b.bucket("cond").key("mp")).uploadId();
        String partEtag = s3.uploadPart(
                        b -> b.bucket("cond").key("mp").uploadId(uploadId).partNumber(1),
                        RequestBody.fromString("part"))
                .eTag();
        CompletedPart part =
                CompletedPart.builder().partNumber(1).eTag(partEtag).build();
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.completeMultipartUpload(b -> b.bucket("cond")
                        .key("mp")
                        .uploadId(uploadId)
                        .ifNoneMatch("*")
                        .multipartUpload(m -> m.parts(part))));
        assertEquals(412, e.statusCode());
        assertEquals("existing", get("mp"));
        String current = s3.headObject(b -> b.bucket("cond").key("mp")).eTag();
        // The upload survived the failed condition: it completes with a condition that holds.
        s3.completeMultipartUpload(b ->
                b.bucket("cond").key("mp").uploadId(uploadId).ifMatch(current).multipartUpload(m -> m.parts(part)));
        assertEquals("part", get("mp"));
    }
}
