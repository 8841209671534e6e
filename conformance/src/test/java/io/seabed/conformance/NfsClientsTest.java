package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.nfs.client.NfsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * libnfs's command-line client (Debian {@code libnfs-utils}) against Seabed's NFS front, with S3 on the same
 * buckets: files copied in through NFS read back through S3 and NFS, objects PUT through S3 appear in NFS
 * listings, one path written by both stays one consistent object, and flat buckets are read-only trees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NfsClientsTest {
    private InProcessSeabed seabed;
    private S3Client s3;
    private Path work;

    @BeforeAll
    void start() {
        ExternalClients.require(
                "libnfs-utils (nfs-ls)", "sh", "-c", "command -v nfs-ls && command -v nfs-cp && command -v nfs-cat");
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        work = ExternalClients.tempDir("seabed-nfs");
        s3.createBucket(b ->
                b.bucket("shared").overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", "hierarchical")));
        s3.putBucketTagging(b -> b.bucket("shared")
                .tagging(t -> t.tagSet(s -> s.key("seabed:nfs").value("rw no_root_squash"))));
        s3.createBucket(b -> b.bucket("flat"));
    }

    @AfterAll
    void stop() {
        if (s3 != null) s3.close();
        if (seabed != null) seabed.close();
        if (work != null) TestFiles.deleteTree(work);
    }

    private String url(String path) {
        int port = seabed.server.nfsPort();
        return "nfs://127.0.0.1" + path + "?version=3&nfsport=" + port + "&mountport=" + port;
    }

    private String nfs(String... command) {
        ExternalClients.Result r = ExternalClients.run(Map.of(), work, 120, command);
        assertEquals(0, r.exitCode(), String.join(" ", command) + " failed:\n" + r.output());
        return r.output();
    }

    private ExternalClients.Result nfsMayFail(String... command) {
        return ExternalClients.run(Map.of(), work, 120, command);
    }

    private byte[] s3Get(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** Names in `nfs-ls -R` output: the last column of each line. */
    private static TreeSet<String> lsNames(String output) {
        TreeSet<String> names = new TreeSet<>();
        for (String line : output.split("\n")) {
            String t = line.strip();
            if (t.isEmpty()) continue;
            names.add(t.substring(t.lastIndexOf(' ') + 1));
        }
        return names;
    }

    @Test
    void filesCopiedInThroughNfsReadBackThroughS3AndNfs() throws Exception {
        // Directories made through NFS by our own client (libnfs's tools make none).
        try (NfsClient c = new NfsClient("127.0.0.1", seabed.server.nfsPort())) {
            byte[] root = c.mount("/shared");
            c.mkdir(c.mkdir(root, "in"), "deep");
        }
        Map<String, byte[]> files = Map.of(
                "in/empty", new byte[0],
                "in/small.txt", "hello through NFS\n".getBytes(StandardCharsets.UTF_8),
                "in/deep/big.bin", TestFiles.bytes(5, (3 << 20) + 123),
                "in/deep/odd.bin", TestFiles.bytes(6, 70_001));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path local = work.resolve("up-" + f.getKey().replace('/', '_'));
            Files.write(local, f.getValue());
            nfs("nfs-cp", local.toString(), url("/shared/" + f.getKey()));
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            assertArrayEquals(f.getValue(), s3Get("shared", f.getKey()), "S3 GET " + f.getKey());
            Path back = work.resolve("down-" + f.getKey().replace('/', '_'));
            nfs("nfs-cp", url("/shared/" + f.getKey()), back.toString());
            assertArrayEquals(f.getValue(), Files.readAllBytes(back), "nfs-cp out " + f.getKey());
        }
        assertEquals("hello through NFS\n", nfs("nfs-cat", url("/shared/in/small.txt")));
        List<String> keys = new ArrayList<>();
        for (S3Object o :
                s3.listObjectsV2(b -> b.bucket("shared").prefix("in/")).contents()) keys.add(o.key());
        TreeSet<String> expected = new TreeSet<>(files.keySet());
        expected.addAll(List.of("in/", "in/deep/")); // directories made through NFS are explicit: S3 shows them
        assertEquals(expected, new TreeSet<>(keys));
        String listing = nfs("nfs-ls", "-R", url("/shared/in"));
        assertEquals(
                new TreeSet<>(List.of("deep", "empty", "small.txt", "deep/big.bin", "deep/odd.bin")), lsNames(listing));
    }

    @Test
    void s3WritesAppearThroughNfs() {
        Map<String, String> objects = Map.of(
                "s3/a.txt", "alpha",
                "s3/x/y/z.txt", "deep object",
                "s3/x/sibling", "s");
        objects.forEach((k, v) -> s3.putObject(b -> b.bucket("shared").key(k), RequestBody.fromString(v)));
        String listing = nfs("nfs-ls", "-R", url("/shared/s3"));
        assertEquals(new TreeSet<>(List.of("a.txt", "x", "x/y", "x/y/z.txt", "x/sibling")), lsNames(listing));
        assertTrue(listing.contains(" 11 x/y/z.txt") || listing.matches("(?s).*\\s11\\s+x/y/z\\.txt.*"), listing);
        objects.forEach((k, v) -> assertEquals(v, nfs("nfs-cat", url("/shared/" + k))));
        // A directory below the bucket mounts too.
        assertEquals(new TreeSet<>(List.of("z.txt")), lsNames(nfs("nfs-ls", url("/shared/s3/x/y"))));
    }

    @Test
    void onePathWrittenByBothIsOneObject() throws Exception {
        s3.putObject(b -> b.bucket("shared").key("both/file"), RequestBody.fromString("first, from S3, and long"));
        String etag1 = s3.headObject(b -> b.bucket("shared").key("both/file")).eTag();
        // Overwritten through NFS as a kernel client does for `>`: truncate, then write. (libnfs 4.0's nfs-cp
        // creates GUARDED, so it refuses an existing file on any server.)
        try (NfsClient c = new NfsClient("127.0.0.1", seabed.server.nfsPort())) {
            byte[] file = c.lookup(c.lookup(c.mount("/shared"), "both"), "file");
            c.setattr(file, NfsClient.Sattr.size(0), null);
            c.write(file, 0, "second, NFS".getBytes(StandardCharsets.UTF_8), NfsClient.UNSTABLE);
            c.commit(file);
        }
        assertEquals("second, NFS", new String(s3Get("shared", "both/file"), StandardCharsets.UTF_8));
        assertEquals(11, s3.headObject(b -> b.bucket("shared").key("both/file")).contentLength());
        assertNotEquals(
                etag1, s3.headObject(b -> b.bucket("shared").key("both/file")).eTag());
        s3.putObject(b -> b.bucket("shared").key("both/file"), RequestBody.fromString("third, S3 again"));
        assertEquals("third, S3 again", nfs("nfs-cat", url("/shared/both/file")));
        assertEquals(
                List.of("both/file"),
                s3.listObjectsV2(b -> b.bucket("shared").prefix("both/")).contents().stream()
                        .map(S3Object::key)
                        .toList());
    }

    /** Polls until {@code call} fails with {@code status} (the gateway caches exports and buckets for 5 s). */
    private static void eventuallyStatus(int status, org.junit.jupiter.api.function.Executable call) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            try {
                call.execute();
            } catch (NfsClient.NfsStatus e) {
                if (e.status == status) return;
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (System.nanoTime() > deadline) throw new AssertionError("still no status " + status);
            Thread.sleep(250);
        }
    }

    @Test
    void unexportedAndDeletedBucketsGoStale() throws Exception {
        s3.createBucket(
                b -> b.bucket("brief").overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", "hierarchical")));
        s3.putBucketTagging(b ->
                b.bucket("brief").tagging(t -> t.tagSet(s -> s.key("seabed:nfs").value("rw no_root_squash"))));
        try (NfsClient c = new NfsClient("127.0.0.1", seabed.server.nfsPort())) {
            byte[] root = c.mount("/brief");
            byte[] file = c.create(root, "f");
            s3.putBucketTagging(b -> b.bucket("brief")
                    .tagging(t -> t.tagSet(s -> s.key("seabed:nfs").value("off"))));
            eventuallyStatus(70, () -> c.getattr(file)); // NFS3ERR_STALE
            eventuallyStatus(2, () -> c.mount("/brief")); // MNT3ERR_NOENT
            // Exported again (the server's default options), then deleted: its handles go STALE.
            s3.deleteBucketTagging(b -> b.bucket("brief"));
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (true) {
                try {
                    assertArrayEquals(root, c.mount("/brief"));
                    break;
                } catch (NfsClient.NfsStatus e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(250);
                }
            }
            c.getattr(file);
            s3.deleteObject(b -> b.bucket("brief").key("f"));
            s3.deleteBucket(b -> b.bucket("brief"));
            eventuallyStatus(70, () -> c.getattr(root));
        }
    }

    @Test
    void flatBucketsAreReadOnlyTrees() throws Exception {
        s3.putObject(b -> b.bucket("flat").key("logs/2026/12/03.log"), RequestBody.fromString("a log line\n"));
        s3.putObject(b -> b.bucket("flat").key("top"), RequestBody.fromString("t"));
        String listing = nfs("nfs-ls", "-R", url("/flat"));
        assertEquals(
                new TreeSet<>(List.of("logs", "logs/2026", "logs/2026/12", "logs/2026/12/03.log", "top")),
                lsNames(listing));
        assertEquals("a log line\n", nfs("nfs-cat", url("/flat/logs/2026/12/03.log")));
        Path local = work.resolve("refused");
        Files.writeString(local, "x");
        ExternalClients.Result r = nfsMayFail("nfs-cp", local.toString(), url("/flat/new"));
        assertNotEquals(0, r.exitCode());
        assertTrue(r.output().contains("ROFS"), r.output());
    }
}
