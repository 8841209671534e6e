package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * s3cmd (Debian's) against Seabed, signing with SigV4 (its default) and again with {@code --signature-v2}: mb, put
 * (one multipart), ls/la, info, get, public and private ACLs, sync up and down with deletions, del, rb.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3cmdTest {
    /** 12 MiB in 5 MiB parts: three parts, the last one smaller. */
    private static final int BIG_FILE_BYTES = (12 << 20) + 7;

    private static final String CHUNK_SIZE = "--multipart-chunk-size-mb=5";

    /**
     * s3cmd's default signing. It silently retries with SigV2 after some 400s to a SigV4 request, so these runs
     * log with --debug and fail if any request was signed with SigV2.
     */
    private static final List<String> SIGNATURE_V4 = List.of("--debug");

    private static final List<String> SIGNATURE_V2 = List.of("--signature-v2");

    private InProcessSeabed seabed;
    private S3Client s3;
    private Path work;
    private Path config;
    private Map<String, String> env;

    @BeforeAll
    void start() throws IOException {
        ExternalClients.require("s3cmd", "s3cmd", "--version");
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        work = ExternalClients.tempDir("seabed-s3cmd");
        String host = seabed.endpoint.getHost() + ":" + seabed.endpoint.getPort();
        // host_bucket without %(bucket)s: path-style addressing. Everything else is s3cmd's default,
        // signature_v2 = False included.
        config = Files.writeString(
                work.resolve("s3cfg"),
                String.join(
                        "\n",
                        "[default]",
                        "access_key = " + InProcessSeabed.ACCESS_KEY,
                        "secret_key = " + InProcessSeabed.SECRET_KEY,
                        "host_base = " + host,
                        "host_bucket = " + host,
                        "use_https = False",
                        ""));
        env = Map.of("HOME", work.toString());
    }

    @AfterAll
    void stop() {
        if (s3 != null) s3.close();
        if (seabed != null) seabed.close();
        if (work != null) TestFiles.deleteTree(work);
    }

    private ExternalClients.Result s3cmd(List<String> options, String... args) {
        ExternalClients.Result r = run(options, args);
        String command = "s3cmd " + String.join(" ", options) + " " + String.join(" ", args);
        assertEquals(0, r.exitCode(), command + " failed:\n" + r.output());
        if (options.equals(SIGNATURE_V4)) {
            assertFalse(r.output().contains("Using signature v2"), command + " fell back to SigV2:\n" + r.output());
        }
        return r;
    }

    private ExternalClients.Result run(List<String> options, String... args) {
        List<String> cmd = new ArrayList<>(List.of("s3cmd", "-c", config.toString()));
        cmd.addAll(options);
        cmd.addAll(List.of(args));
        return ExternalClients.run(env, work, 120, cmd.toArray(String[]::new));
    }

    @Test
    void objectsWithSignatureV4() throws IOException {
        objectsRoundTrip("s3cmd-v4", SIGNATURE_V4);
    }

    @Test
    void objectsWithSignatureV2() throws IOException {
        objectsRoundTrip("s3cmd-v2", SIGNATURE_V2);
    }

    @Test
    void syncWithSignatureV4() throws IOException {
        syncRoundTrip("s3cmd-sync-v4", SIGNATURE_V4);
    }

    @Test
    void syncWithSignatureV2() throws IOException {
        syncRoundTrip("s3cmd-sync-v2", SIGNATURE_V2);
    }

    /** mb, put small and multipart, ls/la/info with sizes and MD5s, get, del of one key, rb refused then done. */
    private void objectsRoundTrip(String bucket, List<String> options) throws IOException {
        Path dir = Files.createDirectories(work.resolve(bucket));
        byte[] smallBytes = "hello from s3cmd\n".getBytes(StandardCharsets.UTF_8);
        Path small = Files.write(dir.resolve("small.txt"), smallBytes);
        byte[] bigBytes = TestFiles.bytes(7, BIG_FILE_BYTES);
        Path big = Files.write(dir.resolve("big.bin"), bigBytes);
        String url = "s3://" + bucket + "/";

        s3cmd(options, "mb", url);
        s3cmd(options, "put", small.toString(), url + "dir/small.txt");
        s3cmd(options, "put", CHUNK_SIZE, big.toString(), url + "big.bin");
        String etag = s3.headObject(h -> h.bucket(bucket).key("big.bin")).eTag();
        assertTrue(etag.endsWith("-3\""), "big.bin should have gone up in 3 parts: " + etag);

        String ls = s3cmd(options, "ls", url).output();
        assertListed(ls, BIG_FILE_BYTES, url + "big.bin");
        assertTrue(ls.lines().anyMatch(l -> l.matches("\\s+DIR\\s+" + Pattern.quote(url + "dir/"))), ls);
        String recursive = s3cmd(options, "ls", "--recursive", url).output();
        assertListed(recursive, smallBytes.length, url + "dir/small.txt");
        assertListed(recursive, BIG_FILE_BYTES, url + "big.bin");
        String la = s3cmd(options, "la").output();
        assertListed(la, BIG_FILE_BYTES, url + "big.bin");

        String info = s3cmd(options, "info", url + "big.bin").output();
        assertTrue(info.contains("File size: " + BIG_FILE_BYTES), info);
        // For a multipart object s3cmd shows the MD5 it stored in its x-amz-meta-s3cmd-attrs.
        assertTrue(info.contains("MD5 sum:   " + md5(bigBytes)), info);
        String smallInfo = s3cmd(options, "info", url + "dir/small.txt").output();
        assertTrue(smallInfo.contains("File size: " + smallBytes.length), smallInfo);
        assertTrue(smallInfo.contains("MD5 sum:   " + md5(smallBytes)), smallInfo);

        Path bigBack = dir.resolve("big-back.bin");
        s3cmd(options, "get", url + "big.bin", bigBack.toString());
        assertEquals(-1L, Files.mismatch(big, bigBack), "downloaded bytes differ");
        Path smallBack = dir.resolve("small-back.txt");
        s3cmd(options, "get", url + "dir/small.txt", smallBack.toString());
        assertArrayEquals(smallBytes, Files.readAllBytes(smallBack));

        // Server-side: cp is CopyObject, mv is CopyObject then DeleteObject.
        s3cmd(options, "cp", url + "dir/small.txt", url + "copies/small copy.txt");
        s3cmd(options, "mv", url + "copies/small copy.txt", url + "moved.txt");
        String moved = s3cmd(options, "ls", "--recursive", url).output();
        assertListed(moved, smallBytes.length, url + "moved.txt");
        assertFalse(moved.contains("small copy.txt"), moved);
        assertTrue(s3cmd(options, "info", url).output().contains("Location:  us-east-1"));
        s3cmd(options, "del", url + "moved.txt");

        s3cmd(options, "setacl", "--acl-public", url + "dir/small.txt");
        assertTrue(s3cmd(options, "info", url + "dir/small.txt").output().contains("*anon*: READ"));
        assertEquals(200, anonymousGet(bucket, "dir/small.txt"));
        s3cmd(options, "setacl", "--acl-private", url + "dir/small.txt");
        assertEquals(403, anonymousGet(bucket, "dir/small.txt"));

        s3cmd(options, "del", url + "dir/small.txt");
        assertFalse(s3cmd(options, "ls", "--recursive", url).output().contains("small.txt"));
        ExternalClients.Result refused = run(options, "rb", url);
        assertNotEquals(0, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("BucketNotEmpty"), refused.output());
        s3cmd(options, "del", url + "big.bin");
        s3cmd(options, "rb", url);
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket)));
    }

    /** A tree goes up and comes down; then one file changes, one goes away, and both syncs carry that over. */
    private void syncRoundTrip(String bucket, List<String> options) throws IOException {
        Path up = work.resolve(bucket + "-up");
        Path down = work.resolve(bucket + "-down");
        Map<String, byte[]> files = writeTree(up);
        String url = "s3://" + bucket + "/tree/";
        s3cmd(options, "mb", "s3://" + bucket);
        // A trailing '/' on the local directory syncs its contents, not the directory itself.
        s3cmd(options, "sync", up + "/", url);
        String listing = s3cmd(options, "ls", "--recursive", url).output();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            assertListed(listing, f.getValue().length, url + f.getKey());
        }
        s3cmd(options, "sync", url, down + "/");
        TestFiles.assertTree(files, down);

        Files.delete(up.resolve("a/two.txt"));
        files.remove("a/two.txt");
        byte[] changed = TestFiles.bytes(70, 333);
        Files.write(up.resolve("one.txt"), changed);
        files.put("one.txt", changed);
        s3cmd(options, "sync", "--delete-removed", up + "/", url);
        String after = s3cmd(options, "ls", "--recursive", url).output();
        assertFalse(after.contains("two.txt"), after);
        assertListed(after, changed.length, url + "one.txt");
        s3cmd(options, "sync", "--delete-removed", url, down + "/");
        TestFiles.assertTree(files, down);

        s3cmd(options, "del", "--recursive", "--force", "s3://" + bucket);
        s3cmd(options, "rb", "s3://" + bucket);
    }

    /** {@code listing} has a line for {@code url} with {@code size}, as {@code s3cmd ls} prints it. */
    private static void assertListed(String listing, long size, String url) {
        Pattern line = Pattern.compile("\\S+ \\S+\\s+" + size + "\\s+" + Pattern.quote(url));
        assertTrue(listing.lines().anyMatch(l -> line.matcher(l).matches()), url + " of " + size + " in:\n" + listing);
    }

    private int anonymousGet(String bucket, String key) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(seabed.endpoint + "/" + bucket + "/" + key))
                    .build();
            return http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nested small files, names with spaces and (where this JVM can name files in UTF-8) non-ASCII letters. */
    private static Map<String, byte[]> writeTree(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("one.txt", TestFiles.bytes(10, 20));
        files.put("a/two.txt", TestFiles.bytes(11, 2000));
        files.put("a/b/three.txt", TestFiles.bytes(12, 1));
        files.put("sp ace/file name.txt", TestFiles.bytes(13, 40_000));
        files.put(
                TestFiles.unicodeName("sp ace/f\u00fc r \u6f22\u5b57.txt", "sp ace/f u r.txt"),
                TestFiles.bytes(14, 64));
        TestFiles.write(root, files);
        return files;
    }
}
