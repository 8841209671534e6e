package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.CompletedCopy;
import software.amazon.awssdk.transfer.s3.model.CompletedDirectoryDownload;
import software.amazon.awssdk.transfer.s3.model.CompletedDirectoryUpload;
import software.amazon.awssdk.transfer.s3.model.CompletedFileDownload;
import software.amazon.awssdk.transfer.s3.model.CompletedFileUpload;

/**
 * The AWS SDK v2 S3 transfer manager over the SDK's Java multipart client (not CRT): a file in parts up and down,
 * a directory tree up and down, a multipart copy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferManagerTest {
    private static final String BUCKET = "transfers";

    /** The multipart client's threshold and part size: the 40 MiB file is 5 parts. */
    private static final long PART_BYTES = 8L << 20;

    private static final long BIG_FILE_BYTES = 40L << 20;

    /** Each GET the transfer manager's client sent: path, query parameters and Range header ("-" for none). */
    private final List<String> gets = new CopyOnWriteArrayList<>();

    private InProcessSeabed seabed;
    private S3Client s3;
    private S3AsyncClient async;
    private S3TransferManager transfers;
    private Path work;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        s3.createBucket(b -> b.bucket(BUCKET));
        async = S3AsyncClient.builder()
                .endpointOverride(seabed.endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        InProcessSeabed.credentials(InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY))
                .forcePathStyle(true)
                .multipartEnabled(true)
                .multipartConfiguration(m -> m.thresholdInBytes(PART_BYTES).minimumPartSizeInBytes(PART_BYTES))
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        SdkHttpRequest r = context.httpRequest();
                        if (r.method() == SdkHttpMethod.GET) {
                            gets.add(r.encodedPath() + " " + r.rawQueryParameters() + " "
                                    + r.firstMatchingHeader("Range").orElse("-"));
                        }
                    }
                }))
                .build();
        transfers = S3TransferManager.builder().s3Client(async).build();
        work = ExternalClients.tempDir("seabed-transfers");
    }

    @AfterAll
    void stop() {
        if (transfers != null) transfers.close();
        if (async != null) async.close();
        if (s3 != null) s3.close();
        if (seabed != null) seabed.close();
        if (work != null) TestFiles.deleteTree(work);
    }

    @Test
    void fileUploadAndDownloadInParts() throws IOException {
        Path big = work.resolve("big.bin");
        writeRandom(big, BIG_FILE_BYTES);
        CompletedFileUpload upload = transfers
                .uploadFile(u ->
                        u.source(big).putObjectRequest(p -> p.bucket(BUCKET).key("files/big.bin")))
                .completionFuture()
                .join();
        assertTrue(
                upload.response().eTag().endsWith("-5\""),
                "5 parts expected: " + upload.response().eTag());
        HeadObjectResponse head = s3.headObject(h -> h.bucket(BUCKET).key("files/big.bin"));
        assertEquals(BIG_FILE_BYTES, head.contentLength());
        assertEquals(upload.response().eTag(), head.eTag());

        Path back = work.resolve("big-back.bin");
        CompletedFileDownload download = transfers
                .downloadFile(d -> d.destination(back)
                        .getObjectRequest(g -> g.bucket(BUCKET).key("files/big.bin")))
                .completionFuture()
                .join();
        assertEquals(head.eTag(), download.response().eTag());
        assertEquals(-1L, Files.mismatch(big, back), "downloaded bytes differ");
        // The multipart client fetches a multipart object in pieces, in parallel: with SDK 2.57 one GetObject
        // with partNumber per part; a later SDK may use ranges instead.
        List<String> bigGets = gets.stream()
                .filter(g -> g.startsWith("/" + BUCKET + "/files/big.bin "))
                .toList();
        assertEquals(5, bigGets.size(), bigGets::toString);
        for (String get : bigGets) {
            assertTrue(get.contains("partNumber=") || !get.endsWith(" -"), "a part or a range expected: " + get);
        }
    }

    @Test
    void directoryUploadAndDownload() throws IOException {
        Path up = work.resolve("tree-up");
        Map<String, byte[]> files = new TreeMap<>();
        files.put("one.txt", TestFiles.bytes(50, 20));
        files.put("empty", new byte[0]);
        files.put("a/two.txt", TestFiles.bytes(51, 5000));
        files.put("a/b/three.bin", TestFiles.bytes(52, 300_000));
        files.put("a/b/c/above-threshold.bin", TestFiles.bytes(53, (int) PART_BYTES + 4096));
        files.put("sp ace/file name.txt", TestFiles.bytes(54, 33));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = up.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        CompletedDirectoryUpload uploaded = transfers
                .uploadDirectory(u -> u.source(up).bucket(BUCKET).s3Prefix("tree"))
                .completionFuture()
                .join();
        assertEquals(0, uploaded.failedTransfers().size(), uploaded.failedTransfers()::toString);
        Map<String, Long> listed = new TreeMap<>();
        s3.listObjectsV2Paginator(l -> l.bucket(BUCKET).prefix("tree/"))
                .contents()
                .forEach(o -> listed.put(o.key(), o.size()));
        Map<String, Long> expected = new TreeMap<>();
        files.forEach((name, bytes) -> expected.put("tree/" + name, (long) bytes.length));
        assertEquals(expected, listed);
        String etag = s3.headObject(h -> h.bucket(BUCKET).key("tree/a/b/c/above-threshold.bin"))
                .eTag();
        assertTrue(etag.endsWith("-2\""), "2 parts expected: " + etag);

        Path down = work.resolve("tree-down");
        CompletedDirectoryDownload downloaded = transfers
                .downloadDirectory(
                        d -> d.destination(down).bucket(BUCKET).listObjectsV2RequestTransformer(l -> l.prefix("tree/")))
                .completionFuture()
                .join();
        assertEquals(0, downloaded.failedTransfers().size(), downloaded.failedTransfers()::toString);
        Map<String, byte[]> actual = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(down)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                actual.put(down.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        assertEquals(files.keySet(), actual.keySet(), "the prefix is not part of the downloaded paths");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            assertArrayEquals(f.getValue(), actual.get(f.getKey()), f.getKey());
        }
    }

    @Test
    void copyAboveThresholdGoesInParts() throws IOException {
        Path input = work.resolve("copy-input.bin");
        writeRandom(input, 20L << 20);
        transfers
                .uploadFile(u ->
                        u.source(input).putObjectRequest(p -> p.bucket(BUCKET).key("copy/input")))
                .completionFuture()
                .join();
        CompletedCopy copy = transfers
                .copy(c -> c.copyObjectRequest(r -> r.sourceBucket(BUCKET)
                        .sourceKey("copy/input")
                        .destinationBucket(BUCKET)
                        .destinationKey("copy/output")))
                .completionFuture()
                .join();
        String etag = copy.response().copyObjectResult().eTag();
        assertTrue(etag.endsWith("-3\""), "a copy in 3 parts (UploadPartCopy) expected: " + etag);
        Path output = work.resolve("copy-output.bin");
        s3.getObject(g -> g.bucket(BUCKET).key("copy/output"), output);
        assertEquals(-1L, Files.mismatch(input, output), "copied bytes differ");
    }

    private static void writeRandom(Path file, long size) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] block = new byte[1 << 20];
            for (long done = 0, seed = 100; done < size; done += block.length, seed++) {
                byte[] b = TestFiles.bytes(seed, block.length);
                out.write(b, 0, (int) Math.min(block.length, size - done));
            }
        }
    }
}
