package io.seabed.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParsingTest {
    @Test
    void ranges() {
        assertArrayEquals(new long[] {0, 9}, Ranges.parse("bytes=0-9", 100));
        assertArrayEquals(new long[] {10, 99}, Ranges.parse("bytes=10-", 100));
        assertArrayEquals(new long[] {90, 99}, Ranges.parse("bytes=-10", 100));
        assertArrayEquals(new long[] {0, 99}, Ranges.parse("bytes=-1000", 100));
        assertArrayEquals(new long[] {5, 99}, Ranges.parse("bytes=5-1000", 100));
        assertSame(Ranges.UNSATISFIABLE, Ranges.parse("bytes=100-", 100));
        assertSame(Ranges.UNSATISFIABLE, Ranges.parse("bytes=100-200", 100));
        assertSame(Ranges.UNSATISFIABLE, Ranges.parse("bytes=-0", 100));
        assertSame(Ranges.UNSATISFIABLE, Ranges.parse("bytes=0-", 0));
        for (String ignored : new String[] {null, "items=0-1", "bytes=9-1", "bytes=a-b", "bytes=0-1,3-4", "bytes=-"})
            assertNull(Ranges.parse(ignored, 100), ignored);
    }

    @Test
    void virtualHostedTargets() {
        List<String> domains = List.of("s3.example.test", "localhost");
        S3Target t = S3Target.parse("photos.s3.example.test:9000", "/dir/a%20b", "acl", domains);
        assertEquals("photos", t.bucket());
        assertEquals("photos", t.hostBucket());
        assertEquals("dir/a b", t.key());
        assertEquals(Map.of("acl", ""), t.query());
        S3Target bucketOnly = S3Target.parse("My.Bucket.LOCALHOST", "/", "", domains);
        assertEquals("my.bucket", bucketOnly.bucket());
        assertNull(bucketOnly.key());
        // The domain itself, an IP address, another host, or a suffix that is not a label: path-style.
        for (String host : new String[] {
            "s3.example.test",
            "localhost:9000",
            "127.0.0.1:9000",
            "[::1]:9000",
            "xs3.example.test",
            "b.other.test",
            null
        }) {
            S3Target p = S3Target.parse(host, "/bucket/key", "", domains);
            assertEquals("bucket", p.bucket(), host);
            assertEquals("key", p.key(), host);
            assertNull(p.hostBucket(), host);
        }
    }

    @Test
    void targets() {
        S3Target t = S3Target.parse("/bucket/dir/a%20b%2Bc%E2%82%AC", "prefix=a+b&list-type=2&uploads");
        assertEquals("bucket", t.bucket());
        assertEquals("dir/a b+c€", t.key());
        assertEquals(Map.of("prefix", "a b", "list-type", "2", "uploads", ""), t.query());
        assertNull(S3Target.parse("/", "").bucket());
        assertNull(S3Target.parse("/bucket/", "").key());
        assertEquals("a//b/", S3Target.parse("/b/a//b/", "").key());
        for (String bad : new String[] {"/b/%zz", "/b/%e2%82", "/b/%"})
            assertEquals(
                    S3ErrorCode.INVALID_ARGUMENT,
                    assertThrows(S3Exception.class, () -> S3Target.parse(bad, ""))
                            .code(),
                    bad);
    }

    @Test
    void routes() {
        assertInstanceOf(S3Op.ListBuckets.class, S3Router.route("GET", null, null, Map.of(), null));
        assertInstanceOf(S3Op.ListObjects.class, S3Router.route("GET", "b", null, Map.of("list-type", "2"), null));
        assertInstanceOf(S3Op.GetBucketLocation.class, S3Router.route("GET", "b", null, Map.of("location", ""), null));
        assertInstanceOf(
                S3Op.GetBucketVersioning.class, S3Router.route("GET", "b", null, Map.of("versioning", ""), null));
        assertInstanceOf(S3Op.Unsupported.class, S3Router.route("PUT", "b", null, Map.of("versioning", ""), null));
        assertInstanceOf(S3Op.Unsupported.class, S3Router.route("GET", "b", null, Map.of("policy", ""), null));
        assertInstanceOf(S3Op.PostObject.class, S3Router.route("POST", "b", null, Map.of(), null));
        assertInstanceOf(S3Op.Preflight.class, S3Router.route("OPTIONS", "b", "k", Map.of(), null));
        assertInstanceOf(S3Op.PutObject.class, S3Router.route("PUT", "b", "k", Map.of(), null));
        assertInstanceOf(S3Op.CopyObject.class, S3Router.route("PUT", "b", "k", Map.of(), "/other/key"));
        assertInstanceOf(
                S3Op.UploadPartCopy.class,
                S3Router.route("PUT", "b", "k", Map.of("uploadId", "u", "partNumber", "1"), "other/key"));
        assertInstanceOf(S3Op.DeleteObjects.class, S3Router.route("POST", "b", null, Map.of("delete", ""), null));
        assertInstanceOf(S3Op.NotAllowed.class, S3Router.route("GET", "b", null, Map.of("delete", ""), null));
        assertInstanceOf(
                S3Op.ListMultipartUploads.class, S3Router.route("GET", "b", null, Map.of("uploads", ""), null));
        assertInstanceOf(S3Op.ListParts.class, S3Router.route("GET", "b", "k", Map.of("uploadId", "u"), null));
        assertInstanceOf(
                S3Op.UploadPart.class,
                S3Router.route("PUT", "b", "k", Map.of("uploadId", "u", "partNumber", "1"), null));
        assertInstanceOf(
                S3Op.CreateMultipartUpload.class, S3Router.route("POST", "b", "k", Map.of("uploads", ""), null));
        assertInstanceOf(
                S3Op.CompleteMultipartUpload.class, S3Router.route("POST", "b", "k", Map.of("uploadId", "u"), null));
        assertInstanceOf(
                S3Op.AbortMultipartUpload.class, S3Router.route("DELETE", "b", "k", Map.of("uploadId", "u"), null));
        assertInstanceOf(S3Op.NotAllowed.class, S3Router.route("PATCH", "b", "k", Map.of(), null));
    }
}
