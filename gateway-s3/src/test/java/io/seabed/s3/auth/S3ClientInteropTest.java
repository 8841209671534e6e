package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Goal: what the real {@code S3Client} and {@code S3Presigner} send verifies, and their aws-chunked PutObject
 * bodies decode to the payload. Method: an {@link SdkHttpClient} that records each request instead of sending it;
 * random keys, metadata, list prefixes. Seeded: replay with -Dseabed.seed=N.
 */
class S3ClientInteropTest {
    private static final SigV4Verifier VERIFIER = new SigV4Verifier(SdkSigning.SECRETS, AuthLimits.DEFAULTS);
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(SdkSigning.ACCESS_KEY, SdkSigning.SECRET));
    private static final String EMPTY_LIST = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult"
            + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name><IsTruncated>false</IsTruncated>"
            + "</ListBucketResult>";

    private record Captured(SdkHttpRequest request, byte[] body) {
        AuthRequest toAuthRequest() {
            TreeMap<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(request.headers());
            headers.putIfAbsent("Host", List.of(SdkSigning.hostHeader(request)));
            return AuthRequest.of(
                    request.method().name(),
                    request.encodedPath(),
                    request.encodedQueryParameters().orElse(""),
                    headers,
                    InstantSource.system());
        }
    }

    /** Records requests and answers 200 (an empty listing for GET). */
    private static final class CapturingHttpClient implements SdkHttpClient {
        final List<Captured> captured = new ArrayList<>();

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    byte[] body = request.contentStreamProvider()
                            .map(SdkSigning::readAll)
                            .orElse(new byte[0]);
                    captured.add(new Captured(request.httpRequest(), body));
                    byte[] response = request.httpRequest().method().name().equals("GET")
                            ? EMPTY_LIST.getBytes(StandardCharsets.UTF_8)
                            : new byte[0];
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder()
                                    .statusCode(200)
                                    .putHeader("ETag", "\"0\"")
                                    .putHeader("Content-Length", Integer.toString(response.length))
                                    .build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(response)))
                            .build();
                }

                @Override
                public void abort() {}
            };
        }

        @Override
        public void close() {}
    }

    @Test
    void putObjectAndListObjectsFromTheS3Client() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        for (String endpoint : new String[] {"http://127.0.0.1:9000", "https://s3.example.test"}) {
            CapturingHttpClient http = new CapturingHttpClient();
            try (S3Client s3 = S3Client.builder()
                    .httpClient(http)
                    .endpointOverride(URI.create(endpoint))
                    .forcePathStyle(true)
                    .region(Region.US_EAST_1)
                    .credentialsProvider(CREDENTIALS)
                    .build()) {
                for (int round = 0; round < 30; round++) {
                    String context = "seed=" + seed + " endpoint=" + endpoint + " round=" + round;
                    String key = "k" + SdkSigning.randomText(random, 10);
                    byte[] payload = new byte[random.nextInt(round % 10 == 0 ? 300_000 : 2000)];
                    random.nextBytes(payload);
                    s3.putObject(
                            r -> r.bucket("bucket")
                                    .key(key)
                                    .metadata(Map.of("note", SdkSigning.randomHeaderValue(random))),
                            RequestBody.fromBytes(payload));
                    checkPut(http.captured.removeLast(), payload, context);
                    s3.listObjectsV2(r -> r.bucket("bucket")
                            .prefix(SdkSigning.randomText(random, 6))
                            .startAfter(key)
                            .delimiter("/"));
                    Captured list = http.captured.removeLast();
                    assertInstanceOf(AuthResult.Authenticated.class, VERIFIER.verify(list.toAuthRequest()), context);
                }
            }
        }
    }

    private static void checkPut(Captured put, byte[] payload, String context) {
        AuthRequest request = put.toAuthRequest();
        AuthResult.Authenticated auth =
                assertInstanceOf(AuthResult.Authenticated.class, VERIFIER.verify(request), context);
        switch (auth.payloadMode()) {
            case SIGNED -> {
                PayloadVerifier verifier = new PayloadVerifier(auth.contentSha256Hex());
                verifier.update(ByteBuffer.wrap(put.body()));
                verifier.finish();
                assertArrayEquals(payload, put.body(), context);
            }
            case UNSIGNED -> assertArrayEquals(payload, put.body(), context);
            case STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER -> {
                AwsChunkedDecoder decoder = AwsChunkedDecoder.forRequest(auth, request, AuthLimits.DEFAULTS);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                decoder.feed(ByteBuffer.wrap(put.body()), slice -> {
                    byte[] bytes = new byte[slice.remaining()];
                    slice.get(bytes);
                    out.writeBytes(bytes);
                });
                decoder.finish();
                assertArrayEquals(payload, out.toByteArray(), context);
                assertTrue(
                        auth.payloadMode() == PayloadMode.STREAMING_SIGNED || decoder.trailerChecksumBase64() != null);
            }
        }
    }

    @Test
    void presignedGetAndPutFromTheS3Presigner() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        try (S3Presigner presigner = S3Presigner.builder()
                .region(Region.EU_WEST_3)
                .credentialsProvider(CREDENTIALS)
                .endpointOverride(URI.create("http://127.0.0.1:9000"))
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            for (int round = 0; round < 50; round++) {
                String key = "k" + SdkSigning.randomText(random, 10);
                SdkHttpRequest get = presigner
                        .presignGetObject(r -> r.signatureDuration(Duration.ofMinutes(10))
                                .getObjectRequest(
                                        g -> g.bucket("bucket").key(key).responseContentType("text/a b")))
                        .httpRequest();
                SdkHttpRequest put = presigner
                        .presignPutObject(r -> r.signatureDuration(Duration.ofHours(1))
                                .putObjectRequest(p -> p.bucket("bucket").key(key)))
                        .httpRequest();
                for (SdkHttpRequest presigned : List.of(get, put)) {
                    AuthResult.Authenticated auth = assertInstanceOf(
                            AuthResult.Authenticated.class,
                            VERIFIER.verify(new Captured(presigned, null).toAuthRequest()),
                            "seed=" + seed + " round=" + round + " " + presigned);
                    assertTrue(auth.presigned());
                    assertEquals("eu-west-3", auth.region());
                }
            }
        }
    }
}
