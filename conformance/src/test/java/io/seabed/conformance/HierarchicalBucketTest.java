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
 * the bucket on the all-in-one server's chains, DeleteBucket refusing a bucket with files, and object operations
 * answering NotImplemented until the S3 view of such buckets is built.
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
    void objectOperationsAreNotImplementedYetAndDeleteNeedsAnEmptyTree() {
        create("files", "hierarchical");
        S3Exception e = assertThrows(
                S3Exception.class, () -> s3.putObject(p -> p.bucket("files").key("a"), RequestBody.fromString("v")));
        assertEquals(501, e.statusCode());
        assertEquals("NotImplemented", e.awsErrorDetails().errorCode());
        e = assertThrows(S3Exception.class, () -> s3.listObjectsV2(l -> l.bucket("files")));
        assertEquals(501, e.statusCode());
        e = assertThrows(
                S3Exception.class, () -> s3.getObject(g -> g.bucket("files").key("a")));
        assertEquals(501, e.statusCode());

        Bucket bucket = seabed.server.namespace().bucket("files");
        FileSystem fs = seabed.server.namespace().fileSystem(bucket);
        var dir = fs.mkdir(fs.rootIno(), "d", 0755, 0, 0);
        var file = fs.create(dir.ino(), "f", CreateMode.GUARDED, 0644, 0, 0, null);
        fs.write(file.ino(), 0, ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer back = ByteBuffer.allocate(16);
        assertEquals(5, fs.read(file.ino(), 0, back));
        e = assertThrows(S3Exception.class, () -> s3.deleteBucket(d -> d.bucket("files")));
        assertEquals("BucketNotEmpty", e.awsErrorDetails().errorCode());
        fs.remove(dir.ino(), "f");
        fs.rmdir(fs.rootIno(), "d");
        s3.deleteBucket(d -> d.bucket("files"));
        assertThrows(S3Exception.class, () -> s3.headBucket(b -> b.bucket("files")));
    }
}
