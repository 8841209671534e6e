package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * rclone (Debian's) against Seabed: mkdir, copy of a tree with a multipart file, lsf/ls, check (sizes and MD5s),
 * sync both ways, a deletion synced up, rmdir of a non-empty bucket refused, purge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RcloneTest {
    /** rclone's multipart cutoff and part size (defaults 200M and 5M): the big file goes up in 4 parts. */
    private static final String CUTOFF = "--s3-upload-cutoff=5M";

    private static final String CHUNK_SIZE = "--s3-chunk-size=5M";
    private static final int BIG_FILE_BYTES = (17 << 20) + 123;

    private InProcessSeabed seabed;
    private S3Client s3;
    private Path work;
    private Map<String, String> env;

    @BeforeAll
    void start() throws IOException {
        ExternalClients.require("rclone", "rclone", "version");
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        work = ExternalClients.tempDir("seabed-rclone");
        Path config = Files.createFile(work.resolve("rclone.conf"));
        env = new HashMap<>();
        // The remote comes from the environment alone; RCLONE_CONFIG names an empty file so that no
        // ~/.config/rclone/rclone.conf of the machine takes part.
        env.put("RCLONE_CONFIG", config.toString());
        env.put("RCLONE_CONFIG_SEABED_TYPE", "s3");
        env.put("RCLONE_CONFIG_SEABED_PROVIDER", "Other");
        env.put("RCLONE_CONFIG_SEABED_ACCESS_KEY_ID", InProcessSeabed.ACCESS_KEY);
        env.put("RCLONE_CONFIG_SEABED_SECRET_ACCESS_KEY", InProcessSeabed.SECRET_KEY);
        env.put("RCLONE_CONFIG_SEABED_ENDPOINT", seabed.endpoint.toString());
        env.put("RCLONE_CONFIG_SEABED_REGION", "us-east-1");
        env.put("RCLONE_CONFIG_SEABED_FORCE_PATH_STYLE", "true");
        env.put("HOME", work.toString());
        // A CA bundle named by the host's environment makes the Go AWS SDK fail before the first
        // request ("unable to load custom CA bundle"); the endpoint is plain HTTP, and empty means unset.
        env.put("AWS_CA_BUNDLE", "");
    }

    @AfterAll
    void stop() {
        if (s3 != null) s3.close();
        if (seabed != null) seabed.close();
        if (work != null) TestFiles.deleteTree(work);
    }

    private ExternalClients.Result rclone(String... args) {
        ExternalClients.Result r = run(args);
        assertEquals(0, r.exitCode(), "rclone " + String.join(" ", args) + " failed:\n" + r.output());
        return r;
    }

    private ExternalClients.Result run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("rclone"));
        cmd.addAll(List.of(args));
        return ExternalClients.run(env, work, 120, cmd.toArray(String[]::new));
    }

    @Test
    void copyCheckAndSyncBothWays() throws IOException {
        Path local = work.resolve("up");
        Map<String, byte[]> files = writeTree(local);
        rclone("mkdir", "seabed:rclone-sync");
        assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("rclone-sync")));
        rclone("copy", CUTOFF, CHUNK_SIZE, local.toString(), "seabed:rclone-sync");
        String etag = s3.headObject(h -> h.bucket("rclone-sync").key("big.bin")).eTag();
        assertTrue(etag.endsWith("-4\""), "big.bin should have gone up in 4 parts: " + etag);

        String lsf = rclone("lsf", "-R", "--files-only", "seabed:rclone-sync").output();
        assertEquals(
                files.keySet().stream().sorted().toList(), lsf.lines().sorted().toList());
        String ls = rclone("ls", "seabed:rclone-sync").output();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            assertTrue(
                    ls.lines().anyMatch(l -> l.trim().equals(f.getValue().length + " " + f.getKey())),
                    f.getKey() + " with its size expected in:\n" + ls);
        }
        // check compares sizes and MD5s: Seabed's ETag for single-part objects, and for the multipart
        // one the MD5 rclone put in its metadata.
        String check = rclone("check", local.toString(), "seabed:rclone-sync").output();
        assertTrue(check.contains(files.size() + " matching files"), check);

        Path down = work.resolve("down");
        rclone("sync", "seabed:rclone-sync", down.toString());
        TestFiles.assertTree(files, down);

        Files.delete(local.resolve("sub/b.bin"));
        files.remove("sub/b.bin");
        byte[] changed = TestFiles.bytes(99, 3000);
        Files.write(local.resolve("a.txt"), changed);
        files.put("a.txt", changed);
        rclone("sync", CUTOFF, CHUNK_SIZE, local.toString(), "seabed:rclone-sync");
        String after = rclone("lsf", "-R", "--files-only", "seabed:rclone-sync").output();
        assertEquals(
                files.keySet().stream().sorted().toList(),
                after.lines().sorted().toList());
        rclone("check", local.toString(), "seabed:rclone-sync");
        rclone("sync", "seabed:rclone-sync", down.toString());
        TestFiles.assertTree(files, down);
        assertFalse(Files.exists(down.resolve("sub/b.bin")));
    }

    @Test
    void serverSideCopyAndMove() {
        byte[] bytes = TestFiles.bytes(8, 5000);
        String moved = TestFiles.unicodeName("moved/f\u00fc r", "moved/f u r");
        rclone("mkdir", "seabed:rclone-moves");
        s3.putObject(p -> p.bucket("rclone-moves").key("in/one"), RequestBody.fromBytes(bytes));
        rclone("copyto", "seabed:rclone-moves/in/one", "seabed:rclone-moves/copied/one");
        rclone("moveto", "seabed:rclone-moves/in/one", "seabed:rclone-moves/" + moved);
        String lsf = rclone("lsf", "-R", "--files-only", "seabed:rclone-moves").output();
        assertEquals(List.of("copied/one", moved), lsf.lines().sorted().toList());
        for (String key : List.of("copied/one", moved)) {
            byte[] got =
                    s3.getObjectAsBytes(g -> g.bucket("rclone-moves").key(key)).asByteArray();
            assertArrayEquals(bytes, got, key);
        }
        rclone("purge", "seabed:rclone-moves");
    }

    @Test
    void rmdirRefusesNonEmptyBucketAndPurgeEmptiesIt() throws IOException {
        Path local = work.resolve("purge");
        Files.createDirectories(local.resolve("d"));
        Files.write(local.resolve("d/one"), TestFiles.bytes(1, 10));
        Files.write(local.resolve("two"), TestFiles.bytes(2, 10_000));
        rclone("mkdir", "seabed:rclone-purge");
        rclone("copy", local.toString(), "seabed:rclone-purge");
        ExternalClients.Result refused = run("rmdir", "--retries=1", "seabed:rclone-purge");
        assertNotEquals(0, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("BucketNotEmpty"), refused.output());
        assertEquals(2, s3.listObjectsV2(l -> l.bucket("rclone-purge")).keyCount());

        rclone("purge", "seabed:rclone-purge");
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("rclone-purge")));
        rclone("mkdir", "seabed:rclone-empty");
        rclone("rmdir", "seabed:rclone-empty");
        assertFalse(rclone("lsd", "seabed:").output().contains("rclone-"));
    }

    /**
     * Small files (an empty one, names with spaces and, where this JVM can name files in UTF-8, non-ASCII
     * letters), nested directories, and one file above the multipart cutoff. Returns relative path to content.
     */
    private static Map<String, byte[]> writeTree(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("a.txt", "hello from rclone\n".getBytes(StandardCharsets.UTF_8));
        files.put("empty.txt", new byte[0]);
        files.put("sub/b.bin", TestFiles.bytes(2, 100_000));
        files.put("sub/deeper/c.txt", TestFiles.bytes(3, 17));
        files.put("with space/file name.txt", TestFiles.bytes(4, 1000));
        files.put(
                TestFiles.unicodeName("with space/f\u00fc r \u6f22\u5b57.txt", "with space/f u r.txt"),
                TestFiles.bytes(5, 64));
        files.put("big.bin", TestFiles.bytes(6, BIG_FILE_BYTES));
        TestFiles.write(root, files);
        return files;
    }
}
