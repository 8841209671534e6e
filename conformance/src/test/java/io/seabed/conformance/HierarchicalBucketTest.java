package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.namespace.Bucket;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FileSystem.CreateMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Hierarchical buckets through the S3 front: CreateBucket with {@code x-seabed-bucket-mode}, the file system of
 * the bucket on the all-in-one server's chains, the S3 view of its tree (keys are paths, PathConflict, listings,
 * implicit parents, multipart and copy), DeleteBucket refusing a bucket with files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HierarchicalBucketTest {
    private InProcessSeabed seabed;
    private S3Client s3;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private void create(String name, String mode) {
        s3.createBucket(b -> b.bucket(name).overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", mode)));
    }

    @Test
    void theModeHeaderChoosesAndIsChecked() {
        create("tree", "hierarchical");
        create("plain", "flat");
        s3.createBucket(b -> b.bucket("default-mode"));
        assertTrue(seabed.server.namespace().bucket("tree").hierarchical());
        assertFalse(seabed.server.namespace().bucket("plain").hierarchical());
        assertFalse(seabed.server.namespace().bucket("default-mode").hierarchical());
        S3Exception e = assertThrows(S3Exception.class, () -> create("odd", "sideways"));
        assertEquals(400, e.statusCode());
        assertEquals("InvalidArgument", e.awsErrorDetails().errorCode());
        assertThrows(S3Exception.class, () -> s3.headBucket(b -> b.bucket("odd")));
        s3.headBucket(b -> b.bucket("tree"));
        s3.putObject(p -> p.bucket("plain").key("k"), RequestBody.fromString("v"));
    }

    @Test
    void objectsArePathsAndDeleteNeedsAnEmptyTree() {
        create("files", "hierarchical");
        s3.putObject(
                p -> p.bucket("files").key("docs/2026/report.txt").contentType("text/plain"),
                RequestBody.fromString("quarterly"));
        s3.putObject(p -> p.bucket("files").key("docs/readme"), RequestBody.fromString("read me"));
        s3.putObject(p -> p.bucket("files").key("empty/"), RequestBody.empty());
        assertEquals(
                "quarterly",
                s3.getObjectAsBytes(g -> g.bucket("files").key("docs/2026/report.txt"))
                        .asUtf8String());
        var head = s3.headObject(h -> h.bucket("files").key("docs/2026/report.txt"));
        assertEquals("text/plain", head.contentType());
        assertEquals(9L, head.contentLength());
        var top = s3.listObjectsV2(l -> l.bucket("files").delimiter("/"));
        assertEquals(
                java.util.List.of("docs/", "empty/"),
                top.commonPrefixes().stream().map(c -> c.prefix()).toList());
        var all = s3.listObjectsV2(l -> l.bucket("files"));
        assertEquals(
                java.util.List.of("docs/2026/report.txt", "docs/readme", "empty/"),
                all.contents().stream().map(o -> o.key()).toList());

        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.putObject(p -> p.bucket("files").key("docs/readme/x"), RequestBody.fromString("v")));
        assertEquals(409, e.statusCode());
        assertEquals("PathConflict", e.awsErrorDetails().errorCode());
        e = assertThrows(
                S3Exception.class, () -> s3.putObject(p -> p.bucket("files").key("a//b"), RequestBody.fromString("v")));
        assertEquals(400, e.statusCode());
        assertEquals("InvalidArgument", e.awsErrorDetails().errorCode());
        e = assertThrows(
                S3Exception.class, () -> s3.listObjectsV2(l -> l.bucket("files").delimiter("|")));
        assertEquals(400, e.statusCode());
        // Multipart: the parts' bytes are copied into the file at completion.
        String id = s3.createMultipartUpload(c -> c.bucket("files").key("big/part.bin"))
                .uploadId();
        byte[] first = new byte[5 << 20];
        java.util.Arrays.fill(first, (byte) 'x');
        String e1 = s3.uploadPart(
                        u -> u.bucket("files").key("big/part.bin").uploadId(id).partNumber(1),
                        RequestBody.fromBytes(first))
                .eTag();
        String e2 = s3.uploadPart(
                        u -> u.bucket("files").key("big/part.bin").uploadId(id).partNumber(2),
                        RequestBody.fromString("tail"))
                .eTag();
        s3.completeMultipartUpload(c -> c.bucket("files")
                .key("big/part.bin")
                .uploadId(id)
                .multipartUpload(m -> m.parts(
                        p -> p.partNumber(1).eTag(e1), p -> p.partNumber(2).eTag(e2))));
        byte[] got =
                s3.getObjectAsBytes(g -> g.bucket("files").key("big/part.bin")).asByteArray();
        assertEquals(first.length + 4, got.length);
        assertEquals("tail", new String(got, first.length, 4, StandardCharsets.UTF_8));
        s3.copyObject(c -> c.sourceBucket("files")
                .sourceKey("docs/readme")
                .destinationBucket("files")
                .destinationKey("big/copy"));
        assertEquals(
                "read me",
                s3.getObjectAsBytes(g -> g.bucket("files").key("big/copy")).asUtf8String());

        // The same tree through the file system.
        Bucket bucket = seabed.server.namespace().bucket("files");
        FileSystem fs = seabed.server.namespace().fileSystem(bucket);
        var docs = fs.lookup(fs.rootIno(), "docs");
        var file = fs.create(docs.ino(), "f", CreateMode.GUARDED, 0644, 0, 0, null);
        fs.write(file.ino(), 0, ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals(
                "hello",
                s3.getObjectAsBytes(g -> g.bucket("files").key("docs/f")).asUtf8String());

        e = assertThrows(S3Exception.class, () -> s3.deleteBucket(d -> d.bucket("files")));
        assertEquals("BucketNotEmpty", e.awsErrorDetails().errorCode());
        s3.deleteObject(d -> d.bucket("files").key("docs/")); // not empty: stays
        for (String key :
                new String[] {"docs/f", "docs/readme", "docs/2026/report.txt", "empty/", "big/part.bin", "big/copy"})
            s3.deleteObject(d -> d.bucket("files").key(key));
        assertTrue(s3.listObjectsV2(l -> l.bucket("files")).contents().isEmpty());
        // "docs" and "docs/2026" were made by the PUT (implicit) and went with their last file.
        s3.deleteBucket(d -> d.bucket("files"));
        assertThrows(S3Exception.class, () -> s3.headBucket(b -> b.bucket("files")));
    }
}
