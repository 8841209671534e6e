package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Bad input gets the precise S3 error, changes nothing, and leaves the server healthy: after each
 * test the bucket's listing must be exactly what it was and a normal request must succeed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private InProcessSeabed seabed;
    private S3Client s3;
    private RawS3 raw;
    private List<String> before;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        raw = new RawS3(
                seabed.server.s3Port(), InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY, InstantSource.system());
        s3.createBucket(b -> b.bucket("bad"));
        s3.putObject(b -> b.bucket("bad").key("keep"), RequestBody.fromString("kept"));
        before = keys();
    }

    @AfterEach
    void nothingChangedAndHealthy() {
        assertEquals(before, keys());
        assertEquals(
                "kept", s3.getObjectAsBytes(b -> b.bucket("bad").key("keep")).asUtf8String());
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private List<String> keys() {
        return s3.listObjectsV2(b -> b.bucket("bad")).contents().stream()
                .map(S3Object::key)
                .toList();
    }

    @Test
    void wrongSecretIsSignatureDoesNotMatch() {
        try (S3Client wrong = seabed.client(InProcessSeabed.ACCESS_KEY, "not-the-secret-key-at-all")) {
            S3Exception e = assertThrows(
                    S3Exception.class,
                    () -> wrong.putObject(b -> b.bucket("bad").key("w"), RequestBody.fromString("x")));
            assertEquals("SignatureDoesNotMatch", e.awsErrorDetails().errorCode());
            assertEquals(403, e.statusCode());
        }
    }

    @Test
    void unknownKeyIsInvalidAccessKeyId() {
        try (S3Client stranger = seabed.client("NOSUCHACCESSKEY00000", "whatever-secret-000000")) {
            S3Exception e = assertThrows(S3Exception.class, () -> stranger.listObjectsV2(b -> b.bucket("bad")));
            assertEquals("InvalidAccessKeyId", e.awsErrorDetails().errorCode());
            assertEquals(403, e.statusCode());
        }
    }

    @Test
    void expiredPresignedUrlIsAccessDenied() throws Exception {
        RawS3 past = new RawS3(
                seabed.server.s3Port(),
                InProcessSeabed.ACCESS_KEY,
                InProcessSeabed.SECRET_KEY,
                InstantSource.fixed(Instant.now().minus(Duration.ofMinutes(10))));
        String host = "127.0.0.1:" + seabed.server.s3Port();
        String query = past.signer.presign("GET", host, "/bad/keep", "", Duration.ofSeconds(60));
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(java.net.URI.create("http://" + host + "/bad/keep?" + query))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("<Code>AccessDenied</Code>"), r.body());
    }

    @Test
    void invalidBucketNames() {
        for (String name : new String[] {"UPPER", "a", "has_underscore", "-dash", "192.168.1.1", "a..b"}) {
            RawS3.Response r = raw.send("PUT", "/" + name, "", new byte[0]);
            assertEquals(400, r.status(), name);
            assertEquals("InvalidBucketName", r.errorCode(), name);
        }
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> !b.name().equals("bad")));
    }

    @Test
    void keyOverLimitIsKeyTooLong() {
        String key = "k".repeat(1025);
        S3Exception e = assertThrows(
                S3Exception.class, () -> s3.putObject(b -> b.bucket("bad").key(key), RequestBody.fromString("x")));
        assertEquals("KeyTooLongError", e.awsErrorDetails().errorCode());
    }

    @Test
    void unsatisfiableRangeIs416() {
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.getObject(b -> b.bucket("bad").key("keep").range("bytes=100-200")));
        assertEquals(416, e.statusCode());
        assertEquals("InvalidRange", e.awsErrorDetails().errorCode());
    }

    @Test
    void bodyShorterThanContentLengthStoresNothing() {
        for (int size : new int[] {100, 200_000, 9_000_000}) {
            byte[] body = TestFiles.bytes(size, size);
            RawS3.Response r = raw.send("PUT", "/bad/short-" + size, "", body, body.length, body.length / 2);
            // The client half-closed its side: the server either answers IncompleteBody or closes.
            if (r.status() != RawS3.NO_RESPONSE) {
                assertEquals(400, r.status(), r.body());
                assertEquals("IncompleteBody", r.errorCode());
            }
        }
    }

    @Test
    void wrongPayloadHashIsRefused() {
        byte[] body = "payload".getBytes(StandardCharsets.UTF_8);
        String host = "127.0.0.1:" + seabed.server.s3Port();
        var signed = raw.signer.sign("PUT", host, "/bad/hash", "", java.util.Map.of(), RawS3.sha256Hex(new byte[1]));
        StringBuilder head = new StringBuilder("PUT /bad/hash HTTP/1.1\r\nHost: " + host + "\r\n");
        signed.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        RawS3.Response r = raw.sendRaw(head.toString(), body);
        assertEquals(400, r.status());
        assertEquals("XAmzContentSHA256Mismatch", r.errorCode());
    }

    @Test
    void badContentMd5IsBadDigest() {
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.putObject(
                        b -> b.bucket("bad").key("md5").contentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="),
                        RequestBody.fromString("not empty")));
        assertEquals("BadDigest", e.awsErrorDetails().errorCode());
    }

    @Test
    void anonymousRequestIsAccessDenied() {
        RawS3.Response r =
                raw.sendRaw("GET /bad HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", new byte[0]);
        assertEquals(403, r.status());
        assertEquals("AccessDenied", r.errorCode());
        assertFalse(r.body().contains("Exception"), r.body());
    }

    /** CORS preflight: without Origin it is BadRequest; with one, refused (no bucket has CORS rules). */
    @Test
    void preflightWithoutCorsRules() {
        RawS3.Response bare =
                raw.sendRaw("OPTIONS /bad/keep HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", new byte[0]);
        assertEquals(400, bare.status(), bare.body());
        assertEquals("BadRequest", bare.errorCode());
        RawS3.Response refused = raw.sendRaw(
                "OPTIONS /bad/keep HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://example.test\r\n"
                        + "Access-Control-Request-Method: GET\r\nConnection: close\r\n\r\n",
                new byte[0]);
        assertEquals(403, refused.status(), refused.body());
        assertEquals("AccessForbidden", refused.errorCode());
    }

    @Test
    void malformedCompleteXmlIsMalformedXml() {
        String id = s3.createMultipartUpload(b -> b.bucket("bad").key("mp")).uploadId();
        RawS3.Response r = raw.send(
                "POST",
                "/bad/mp",
                "uploadId=" + id,
                "<CompleteMultipartUpload><Part>".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, r.status());
        assertEquals("MalformedXML", r.errorCode());
        s3.abortMultipartUpload(b -> b.bucket("bad").key("mp").uploadId(id));
    }
}
