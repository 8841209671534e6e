package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An acknowledged write survives kill -9: a child server takes a stream of PUTs of mixed sizes (100 B
 * to 2 MB, inline and chunked) from several threads, is killed with SIGKILL mid-stream, and restarts.
 * Every acknowledged object must read back byte-exact, and every listed object must read completely
 * (no partial object is ever visible). A clean SIGTERM stop must exit 0 and keep everything too.
 */
class CrashTest {
    @TempDir
    Path data;

    static S3Client client(ChildSeabed child) {
        return S3Client.builder()
                .endpointOverride(child.endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        InProcessSeabed.credentials(InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY))
                .forcePathStyle(true)
                .build();
    }

    static int sizeOf(long seed) {
        int[] sizes = {100, 4000, 70_000, 600_000, 2_000_000};
        return sizes[(int) (seed % sizes.length)];
    }

    /** Flat, and hierarchical (keys in directories: each PUT's commit also makes or finds its parent). */
    @ParameterizedTest
    @ValueSource(strings = {"flat", "hierarchical"})
    void acknowledgedPutsSurviveSigkill(String mode) throws Exception {
        Map<String, Long> acked = new ConcurrentHashMap<>();
        boolean tree = mode.equals("hierarchical");
        try (ChildSeabed child = new ChildSeabed(data);
                S3Client s3 = client(child)) {
            s3.createBucket(
                    b -> b.bucket("crash").overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", mode)));
            AtomicLong seeds = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++)
                writers.add(Thread.ofPlatform().start(() -> {
                    while (true) {
                        long seed = seeds.incrementAndGet();
                        String key = (tree ? "dir" + seed % 5 + "/" : "") + "k" + seed;
                        try {
                            s3.putObject(
                                    b -> b.bucket("crash").key(key),
                                    RequestBody.fromBytes(TestFiles.bytes(seed, sizeOf(seed))));
                            acked.put(key, seed);
                        } catch (RuntimeException e) {
                            return; // the server died under this PUT: not acknowledged
                        }
                    }
                }));
            Thread.sleep(4000);
            child.kill();
            for (Thread w : writers) w.join(60_000);
        }
        assertTrue(acked.size() > 10, "too few PUTs acknowledged before the kill: " + acked.size());
        try (ChildSeabed child = new ChildSeabed(data);
                S3Client s3 = client(child)) {
            for (Map.Entry<String, Long> e : acked.entrySet()) {
                long seed = e.getValue();
                byte[] got = s3.getObjectAsBytes(b -> b.bucket("crash").key(e.getKey()))
                        .asByteArray();
                assertArrayEquals(TestFiles.bytes(seed, sizeOf(seed)), got, e.getKey());
            }
            List<S3Object> listed = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket("crash")).contents().forEach(listed::add);
            assertTrue(listed.size() >= acked.size());
            for (S3Object o : listed) {
                long seed = Long.parseLong(o.key().substring(o.key().lastIndexOf('k') + 1));
                assertEquals(sizeOf(seed), o.size(), o.key());
                byte[] got =
                        s3.getObjectAsBytes(b -> b.bucket("crash").key(o.key())).asByteArray();
                assertArrayEquals(TestFiles.bytes(seed, sizeOf(seed)), got, "listed " + o.key());
            }
        }
    }

    @Test
    void sigtermStopsCleanlyAndKeepsData() throws Exception {
        byte[] data1 = TestFiles.bytes(1, 3_000_000);
        try (ChildSeabed child = new ChildSeabed(data);
                S3Client s3 = client(child)) {
            s3.createBucket(b -> b.bucket("term"));
            s3.putObject(b -> b.bucket("term").key("a"), RequestBody.fromBytes(data1));
            s3.putObject(b -> b.bucket("term").key("b"), RequestBody.fromString("small"));
            assertEquals(0, child.terminate(), child.output());
        }
        try (ChildSeabed child = new ChildSeabed(data);
                S3Client s3 = client(child)) {
            assertArrayEquals(
                    data1, s3.getObjectAsBytes(b -> b.bucket("term").key("a")).asByteArray());
            assertEquals(
                    "small", s3.getObjectAsBytes(b -> b.bucket("term").key("b")).asUtf8String());
        }
    }
}
