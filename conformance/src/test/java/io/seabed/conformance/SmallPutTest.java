package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Small PUTs without Expect: 100-continue (what wrk, curl, boto3 and aws-cli send for small bodies) run on the
 * event loop and are answered once their commit applies. Goal: over keep-alive connections, concurrently, each
 * is stored byte-exact with the right ETag; a failed condition, a bad Content-MD5 and a missing bucket get their
 * S3 errors, both from the deferred answer and from the checks before it, and store nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SmallPutTest {
    private static final String BUCKET = "small";
    private InProcessSeabed seabed;
    private S3Client s3;
    private RawS3 raw;
    private String host;
    private HttpClient http;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        raw = new RawS3(
                seabed.server.s3Port(), InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY, InstantSource.system());
        host = "127.0.0.1:" + seabed.server.s3Port();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    void stop() {
        http.close();
        s3.close();
        seabed.close();
    }

    private HttpRequest.Builder put(String bucket, String key, byte[] body) {
        String path = "/" + bucket + "/" + key;
        String query = raw.signer.presign("PUT", host, path, "", Duration.ofMinutes(5));
        return HttpRequest.newBuilder(URI.create("http://" + host + path + "?" + query))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static byte[] body(int i) {
        return ("object " + i + " ").repeat(1 + i % 300).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] md5(byte[] b) throws Exception {
        return MessageDigest.getInstance("MD5").digest(b);
    }

    @Test
    void concurrentSmallPutsAreStoredExactly() throws Exception {
        int n = 200;
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++)
            answers.add(http.sendAsync(put(BUCKET, "k" + i, body(i)).build(), HttpResponse.BodyHandlers.ofString()));
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = answers.get(i).join();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    "\"" + HexFormat.of().formatHex(md5(body(i))) + "\"",
                    r.headers().firstValue("ETag").orElse(null));
        }
        for (int i = 0; i < n; i++) {
            int k = i;
            assertArrayEquals(
                    body(i),
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("k" + k)).asByteArray());
        }
    }

    @Test
    void failedConditionIsPreconditionFailedAndKeepsTheObject() throws Exception {
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);
        assertEquals(
                200,
                http.send(put(BUCKET, "cond", first).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        HttpResponse<String> r = http.send(
                put(BUCKET, "cond", "second".getBytes(StandardCharsets.UTF_8))
                        .header("If-None-Match", "*")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(412, r.statusCode(), r.body());
        assertTrue(r.body().contains("<Code>PreconditionFailed</Code>"), r.body());
        assertArrayEquals(
                first, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("cond")).asByteArray());
        // The connection that carried the refusal serves the next request.
        assertEquals(
                200,
                http.send(put(BUCKET, "after", first).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
    }

    @Test
    void badContentMd5IsBadDigestAndStoresNothing() throws Exception {
        byte[] body = "digest me".getBytes(StandardCharsets.UTF_8);
        byte[] wrong = md5("something else".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(
                put(BUCKET, "digest", body)
                        .header("Content-MD5", Base64.getEncoder().encodeToString(wrong))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("<Code>BadDigest</Code>"), r.body());
        assertFalse(exists("digest"));
    }

    @Test
    void missingBucketIsNoSuchBucket() throws Exception {
        HttpResponse<String> r = http.send(
                put("no-such-bucket", "k", "x".getBytes(StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode(), r.body());
        assertTrue(r.body().contains("<Code>NoSuchBucket</Code>"), r.body());
    }

    private boolean exists(String key) {
        try {
            s3.headObject(b -> b.bucket(BUCKET).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }
}
