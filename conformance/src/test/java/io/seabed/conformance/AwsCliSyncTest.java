package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * aws-cli against Seabed: {@code s3 sync} both ways with {@code --delete}, and {@code s3api} calls one by one
 * (metadata, listing with a delimiter, copy, batch delete, a multipart upload by hand, tagging).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsCliSyncTest {
    /** Above aws-cli's multipart_threshold (8 MiB), so sync uploads it in parts. */
    private static final int BIG_FILE_BYTES = (9 << 20) + 5;

    private InProcessSeabed seabed;
    private S3Client s3;
    private Path work;
    private Map<String, String> env;

    @BeforeAll
    void start() {
        ExternalClients.require("aws-cli", "aws", "--version");
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        work = ExternalClients.tempDir("seabed-awscli-sync");
        env = ExternalClients.awsEnv(work);
    }

    @AfterAll
    void stop() {
        if (s3 != null) s3.close();
        if (seabed != null) seabed.close();
        if (work != null) TestFiles.deleteTree(work);
    }

    private String aws(String... args) {
        List<String> cmd = new ArrayList<>(List.of("aws", "--endpoint-url", seabed.endpoint.toString()));
        cmd.addAll(List.of(args));
        ExternalClients.Result r = ExternalClients.run(env, work, 120, cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), String.join(" ", args) + " failed:\n" + r.output());
        return r.output();
    }

    /** Tab-separated text of {@code s3api} output selected by a JMESPath {@code query}. */
    private String s3api(String query, String... args) {
        List<String> cmd = new ArrayList<>(List.of("s3api"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--query", query, "--output", "text"));
        return aws(cmd.toArray(String[]::new)).strip();
    }

    @Test
    void syncBothWaysWithDeletions() throws IOException {
        Path up = work.resolve("sync-up");
        Path down = work.resolve("sync-down");
        Map<String, byte[]> files = writeTree(up);
        aws("s3", "mb", "s3://cli-sync");
        aws("s3", "sync", "--only-show-errors", up.toString(), "s3://cli-sync/tree");
        assertEquals(prefixed("tree/", files), bucketSizes("cli-sync"));
        String etag =
                s3.headObject(h -> h.bucket("cli-sync").key("tree/a/big.bin")).eTag();
        assertTrue(etag.endsWith("-2\""), "big.bin should have gone up in 2 parts: " + etag);
        aws("s3", "sync", "--only-show-errors", "s3://cli-sync/tree", down.toString());
        TestFiles.assertTree(files, down);

        // Local changes go up: a changed size makes sync copy a file whatever the clocks say.
        byte[] changed = TestFiles.bytes(30, 4321);
        Files.write(up.resolve("a/b/three.txt"), changed);
        files.put("a/b/three.txt", changed);
        Files.delete(up.resolve("one.txt"));
        files.remove("one.txt");
        aws("s3", "sync", "--only-show-errors", "--delete", up.toString(), "s3://cli-sync/tree");
        assertEquals(prefixed("tree/", files), bucketSizes("cli-sync"));
        aws("s3", "sync", "--only-show-errors", "--delete", "s3://cli-sync/tree", down.toString());
        TestFiles.assertTree(files, down);

        // Bucket changes come down: one object replaced, one deleted, one added.
        byte[] replaced = TestFiles.bytes(31, 777);
        s3.putObject(p -> p.bucket("cli-sync").key("tree/a/two.txt"), RequestBody.fromBytes(replaced));
        files.put("a/two.txt", replaced);
        s3.deleteObject(d -> d.bucket("cli-sync").key("tree/a/b/three.txt"));
        files.remove("a/b/three.txt");
        byte[] added = TestFiles.bytes(32, 10);
        s3.putObject(p -> p.bucket("cli-sync").key("tree/new/added.txt"), RequestBody.fromBytes(added));
        files.put("new/added.txt", added);
        aws("s3", "sync", "--only-show-errors", "--delete", "s3://cli-sync/tree", up.toString());
        TestFiles.assertTree(files, up);
        assertEquals(
                "", aws("s3", "sync", "--dryrun", "--delete", up.toString(), "s3://cli-sync/tree"), "nothing to sync");
    }

    /** A hierarchical bucket through aws-cli: the same sync, and the tree it leaves seen through the file system. */
    @Test
    void syncWithAHierarchicalBucket() throws IOException {
        Path up = work.resolve("tree-up");
        Path down = work.resolve("tree-down");
        Map<String, byte[]> files = writeTree(up);
        s3.createBucket(b ->
                b.bucket("cli-tree").overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", "hierarchical")));
        aws("s3", "sync", "--only-show-errors", up.toString(), "s3://cli-tree/t");
        assertEquals(prefixed("t/", files), bucketSizes("cli-tree"));
        aws("s3", "sync", "--only-show-errors", "s3://cli-tree/t", down.toString());
        TestFiles.assertTree(files, down);
        assertEquals("PRE t/", aws("s3", "ls", "s3://cli-tree/").strip());

        // The same bytes as files: a/b/c/d/deep.bin through the bucket's file system.
        var namespace = seabed.server.namespace();
        var fs = namespace.fileSystem(namespace.bucket("cli-tree"));
        long dir = fs.rootIno();
        for (String name : List.of("t", "a", "b", "c", "d"))
            dir = fs.lookup(dir, name).ino();
        var deep = fs.lookup(dir, "deep.bin");
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) deep.size());
        fs.read(deep.ino(), 0, bytes);
        assertArrayEquals(files.get("a/b/c/d/deep.bin"), bytes.array());

        // Deleting the only file of a/b/c/d takes its implicit parents c/ and d/ with it.
        Files.delete(up.resolve("a/b/c/d/deep.bin"));
        files.remove("a/b/c/d/deep.bin");
        aws("s3", "sync", "--only-show-errors", "--delete", up.toString(), "s3://cli-tree/t");
        assertEquals(prefixed("t/", files), bucketSizes("cli-tree"));
        long b = fs.lookup(fs.lookup(fs.lookup(fs.rootIno(), "t").ino(), "a").ino(), "b")
                .ino();
        assertEquals(
                List.of("three.txt"),
                fs.readdir(b, 0, 100, false).entries().stream()
                        .map(e -> e.name())
                        .filter(n -> !n.equals(".") && !n.equals(".."))
                        .toList());
        aws("s3", "rm", "--recursive", "--only-show-errors", "s3://cli-tree/t");
        aws("s3", "rb", "s3://cli-tree");
    }

    @Test
    void s3apiObjectCalls() throws IOException {
        aws("s3api", "create-bucket", "--bucket", "cli-api");
        Path doc = Files.writeString(work.resolve("doc.json"), "{\"a\": 1}\n");
        s3api(
                "ETag",
                "put-object",
                "--bucket",
                "cli-api",
                "--key",
                "docs/doc.json",
                "--body",
                doc.toString(),
                "--metadata",
                "owner=alice,purpose=test",
                "--content-type",
                "application/json");
        String head = s3api(
                "[ContentType, ContentLength, Metadata.owner, Metadata.purpose]",
                "head-object",
                "--bucket",
                "cli-api",
                "--key",
                "docs/doc.json");
        assertEquals("application/json\t9\talice\ttest", head);

        for (String key : List.of("docs/x/1", "docs/x/2", "docs/y/1", "docs/z", "other")) {
            s3.putObject(p -> p.bucket("cli-api").key(key), RequestBody.fromString(key));
        }
        String prefixes = s3api(
                "CommonPrefixes[].Prefix",
                "list-objects-v2",
                "--bucket",
                "cli-api",
                "--prefix",
                "docs/",
                "--delimiter",
                "/");
        assertEquals("docs/x/\tdocs/y/", prefixes);
        String keys = s3api(
                "Contents[].Key", "list-objects-v2", "--bucket", "cli-api", "--prefix", "docs/", "--delimiter", "/");
        assertEquals("docs/doc.json\tdocs/z", keys);

        s3api(
                "CopyObjectResult.ETag",
                "copy-object",
                "--bucket",
                "cli-api",
                "--key",
                "copies/doc.json",
                "--copy-source",
                "cli-api/docs/doc.json");
        String copied = s3api(
                "[ContentType, Metadata.owner]", "head-object", "--bucket", "cli-api", "--key", "copies/doc.json");
        assertEquals("application/json\talice", copied, "a copy keeps content type and metadata");
        Path back = work.resolve("doc-back.json");
        s3api("ContentLength", "get-object", "--bucket", "cli-api", "--key", "copies/doc.json", back.toString());
        assertArrayEquals(Files.readAllBytes(doc), Files.readAllBytes(back));

        s3api(
                "VersionId",
                "put-object-tagging",
                "--bucket",
                "cli-api",
                "--key",
                "copies/doc.json",
                "--tagging",
                "{\"TagSet\": [{\"Key\": \"size\", \"Value\": \"s\"}, {\"Key\": \"color\", \"Value\": \"blue\"}]}");
        String tags =
                s3api("TagSet[].[Key, Value]", "get-object-tagging", "--bucket", "cli-api", "--key", "copies/doc.json");
        assertEquals(List.of("color\tblue", "size\ts"), tags.lines().toList());

        String deleted = s3api(
                "[join(',', Deleted[].Key), length(Errors || `[]`)]",
                "delete-objects",
                "--bucket",
                "cli-api",
                "--delete",
                "{\"Objects\": [{\"Key\": \"docs/x/1\"}, {\"Key\": \"docs/x/2\"}, {\"Key\": \"never-was\"}],"
                        + " \"Quiet\": false}");
        assertEquals("docs/x/1,docs/x/2,never-was\t0", deleted, "a missing key counts as deleted");
        List<String> left = s3.listObjectsV2(l -> l.bucket("cli-api")).contents().stream()
                .map(S3Object::key)
                .toList();
        assertEquals(List.of("copies/doc.json", "docs/doc.json", "docs/y/1", "docs/z", "other"), left);
    }

    @Test
    void s3apiMultipartUploadByHand() throws IOException {
        aws("s3api", "create-bucket", "--bucket", "cli-multipart");
        byte[] part1 = TestFiles.bytes(40, 5 << 20);
        byte[] part2 = TestFiles.bytes(41, 1000);
        Path file1 = Files.write(work.resolve("part1"), part1);
        Path file2 = Files.write(work.resolve("part2"), part2);
        String bucketKey = "--bucket=cli-multipart";
        String uploadId = s3api(
                "UploadId",
                "create-multipart-upload",
                bucketKey,
                "--key=by/hand",
                "--content-type=text/x-seabed",
                "--metadata=made=by-hand");
        String etag1 = s3api(
                "ETag",
                "upload-part",
                bucketKey,
                "--key=by/hand",
                "--upload-id=" + uploadId,
                "--part-number=1",
                "--body=" + file1);
        String etag2 = s3api(
                "ETag",
                "upload-part",
                bucketKey,
                "--key=by/hand",
                "--upload-id=" + uploadId,
                "--part-number=2",
                "--body=" + file2);
        assertEquals(
                "1\t5242880\n2\t1000",
                s3api(
                        "Parts[].[PartNumber, Size]",
                        "list-parts",
                        bucketKey,
                        "--key=by/hand",
                        "--upload-id=" + uploadId));

        // The ETags come back quoted ("\"…\""); the parts document carries them as they are.
        Path parts = Files.writeString(
                work.resolve("parts.json"),
                "{\"Parts\": [{\"ETag\": " + jsonString(etag1) + ", \"PartNumber\": 1}, {\"ETag\": " + jsonString(etag2)
                        + ", \"PartNumber\": 2}]}",
                StandardCharsets.UTF_8);
        String etag = s3api(
                "ETag",
                "complete-multipart-upload",
                bucketKey,
                "--key=by/hand",
                "--upload-id=" + uploadId,
                "--multipart-upload=file://" + parts);
        assertTrue(etag.matches("\"[0-9a-f]{32}-2\""), etag);
        String head =
                s3api("[ETag, ContentLength, ContentType, Metadata.made]", "head-object", bucketKey, "--key=by/hand");
        assertEquals(etag + "\t" + (part1.length + part2.length) + "\ttext/x-seabed\tby-hand", head);
        Path back = work.resolve("by-hand");
        s3api("ETag", "get-object", bucketKey, "--key=by/hand", back.toString());
        byte[] whole = Files.readAllBytes(back);
        assertArrayEquals(part1, Arrays.copyOfRange(whole, 0, part1.length));
        assertArrayEquals(part2, Arrays.copyOfRange(whole, part1.length, whole.length));
        assertEquals("None", s3api("Uploads", "list-multipart-uploads", bucketKey));
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private Map<String, Long> bucketSizes(String bucket) {
        Map<String, Long> sizes = new TreeMap<>();
        s3.listObjectsV2Paginator(l -> l.bucket(bucket)).contents().forEach(o -> sizes.put(o.key(), o.size()));
        return sizes;
    }

    private static Map<String, Long> prefixed(String prefix, Map<String, byte[]> files) {
        Map<String, Long> sizes = new TreeMap<>();
        files.forEach((name, bytes) -> sizes.put(prefix + name, (long) bytes.length));
        return sizes;
    }

    /** Nested small files, names with spaces and (where this JVM can name files in UTF-8) non-ASCII letters. */
    private static Map<String, byte[]> writeTree(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("one.txt", TestFiles.bytes(20, 20));
        files.put("empty", new byte[0]);
        files.put("a/two.txt", TestFiles.bytes(21, 2000));
        files.put("a/b/three.txt", TestFiles.bytes(22, 1));
        files.put("a/b/c/d/deep.bin", TestFiles.bytes(23, 70_000));
        files.put("a/big.bin", TestFiles.bytes(24, BIG_FILE_BYTES));
        files.put("sp ace/file name.txt", TestFiles.bytes(25, 300));
        files.put(
                TestFiles.unicodeName("sp ace/f\u00fc r \u6f22\u5b57.txt", "sp ace/f u r.txt"),
                TestFiles.bytes(26, 64));
        TestFiles.write(root, files);
        return files;
    }
}
