package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Virtual-hosted-style addressing (http://BUCKET.localhost:PORT/KEY, the server's default domain): the AWS SDK in its
 * default addressing mode, a presigned URL fetched with curl, and path-style requests to the same server still work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualHostTest {
    private InProcessSeabed seabed;
    private S3Client hosted;
    private S3Client pathStyle;
    private URI endpoint;

    /** *.localhost is loopback (RFC 6761); glibc does not resolve it, so the SDK's HTTP client is told. */
    private static final DnsResolver LOCALHOST_NAMES = new DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            if (host.equals("localhost") || host.endsWith(".localhost"))
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
            return SystemDefaultDnsResolver.INSTANCE.resolve(host);
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
        }
    };

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        endpoint = URI.create("http://localhost:" + seabed.endpoint.getPort());
        hosted = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        InProcessSeabed.credentials(InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY))
                .httpClient(
                        Apache5HttpClient.builder().dnsResolver(LOCALHOST_NAMES).build())
                .build();
        pathStyle = seabed.client();
    }

    @AfterAll
    void stop() {
        if (hosted != null) hosted.close();
        if (pathStyle != null) pathStyle.close();
        if (seabed != null) seabed.close();
    }

    @Test
    void sdkInDefaultAddressingModeUsesBucketHosts() {
        hosted.createBucket(b -> b.bucket("vhost"));
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        hosted.putObject(
                b -> b.bucket("vhost").key("dir/a b+c.bin").metadata(Map.of("k", "v")), RequestBody.fromBytes(data));
        var got = hosted.getObjectAsBytes(b -> b.bucket("vhost").key("dir/a b+c.bin"));
        assertArrayEquals(data, got.asByteArray());
        assertEquals("v", got.response().metadata().get("k"));
        assertEquals(
                List.of("dir/a b+c.bin"),
                hosted.listObjectsV2(b -> b.bucket("vhost").prefix("dir/")).contents().stream()
                        .map(S3Object::key)
                        .toList());
        // The same object through path-style requests to the same server.
        assertArrayEquals(
                data,
                pathStyle
                        .getObjectAsBytes(b -> b.bucket("vhost").key("dir/a b+c.bin"))
                        .asByteArray());

        // Multipart and copy go through the bucket host too.
        String uploadId =
                hosted.createMultipartUpload(b -> b.bucket("vhost").key("mp")).uploadId();
        byte[] part1 = new byte[5 << 20];
        new Random(8).nextBytes(part1);
        byte[] part2 = "tail".getBytes(StandardCharsets.UTF_8);
        String e1 = hosted.uploadPart(
                        b -> b.bucket("vhost").key("mp").uploadId(uploadId).partNumber(1), RequestBody.fromBytes(part1))
                .eTag();
        String e2 = hosted.uploadPart(
                        b -> b.bucket("vhost").key("mp").uploadId(uploadId).partNumber(2), RequestBody.fromBytes(part2))
                .eTag();
        hosted.completeMultipartUpload(b -> b.bucket("vhost")
                .key("mp")
                .uploadId(uploadId)
                .multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        CompletedPart.builder().partNumber(2).eTag(e2).build())));
        assertEquals(
                part1.length + part2.length,
                hosted.headObject(b -> b.bucket("vhost").key("mp")).contentLength());
        hosted.copyObject(b -> b.sourceBucket("vhost")
                .sourceKey("dir/a b+c.bin")
                .destinationBucket("vhost")
                .destinationKey("copy"));
        assertArrayEquals(
                data,
                hosted.getObjectAsBytes(b -> b.bucket("vhost").key("copy")).asByteArray());
        hosted.deleteObject(b -> b.bucket("vhost").key("copy"));
        assertEquals(2, hosted.listObjectsV2(b -> b.bucket("vhost")).keyCount());
    }

    @Test
    void presignedVirtualHostedUrlWorksWithCurl() {
        ExternalClients.require("curl", "curl", "--version");
        pathStyle.createBucket(b -> b.bucket("vhost-presign"));
        pathStyle.putObject(b -> b.bucket("vhost-presign").key("k e y"), RequestBody.fromString("presigned body"));
        try (S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        InProcessSeabed.credentials(InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY))
                .build()) {
            String url = presigner
                    .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                            .getObjectRequest(g -> g.bucket("vhost-presign").key("k e y")))
                    .url()
                    .toString();
            assertTrue(url.startsWith("http://vhost-presign.localhost:"), url);
            Path dir = ExternalClients.tempDir("seabed-vhost");
            try {
                // curl resolves *.localhost to loopback itself; --resolve makes that explicit for older curls.
                String host = "vhost-presign.localhost:" + endpoint.getPort();
                var r = ExternalClients.run(
                        Map.of(), dir, 60, "curl", "-sS", "--fail", "--resolve", host + ":127.0.0.1", url);
                assertEquals(0, r.exitCode(), r.output());
                assertEquals("presigned body", r.output());
            } finally {
                TestFiles.deleteTree(dir);
            }
        }
    }
}
