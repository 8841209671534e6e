package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/** Object and bucket tagging through the AWS SDK v2 (after ceph/s3-tests' tagging tests). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaggingTest {
    private static final String BUCKET = "tagging";

    private InProcessSeabed seabed;
    private S3Client s3;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private void put(String key, String data) {
        s3.putObject(p -> p.bucket(BUCKET).key(key), RequestBody.fromString(data));
    }

    private Map<String, String> tags(String key) {
        return s3.getObjectTagging(g -> g.bucket(BUCKET).key(key)).tagSet().stream()
                .collect(Collectors.toMap(Tag::key, Tag::value));
    }

    private void putTags(String key, List<Tag> tags) {
        s3.putObjectTagging(p -> p.bucket(BUCKET).key(key).tagging(t -> t.tagSet(tags)));
    }

    private static List<Tag> tagList(int n, int keyChars, int valueChars) {
        List<Tag> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String k = (i + "k" + "x".repeat(keyChars)).substring(0, Math.max(keyChars, 1));
            String v = "v".repeat(valueChars);
            out.add(Tag.builder().key(keyChars > 0 ? k : "key" + i).value(v).build());
        }
        return out;
    }

    private static S3Exception fails(int status, String code, Executable call) {
        S3Exception e = assertThrows(S3Exception.class, call);
        assertEquals(status, e.statusCode());
        assertEquals(code, e.awsErrorDetails().errorCode());
        return e;
    }

    @Test
    void getObjectTaggingOfUntaggedObjectIsEmpty() {
        put("untagged", "data");
        assertTrue(tags("untagged").isEmpty());
        assertEquals(null, s3.headObject(h -> h.bucket(BUCKET).key("untagged")).tagCount());
    }

    @Test
    void putGetDeleteObjectTagging() {
        put("modify", "data");
        putTags("modify", List.of(Tag.builder().key("key").value("val").build()));
        assertEquals(Map.of("key", "val"), tags("modify"));
        putTags("modify", List.of(Tag.builder().key("key2").value("val2").build()));
        assertEquals(Map.of("key2", "val2"), tags("modify"));
        assertEquals(1, s3.headObject(h -> h.bucket(BUCKET).key("modify")).tagCount());
        s3.getObject(g -> g.bucket(BUCKET).key("modify"), (resp, in) -> {
            assertEquals(1, resp.tagCount());
            return null;
        });
        String etag = s3.headObject(h -> h.bucket(BUCKET).key("modify")).eTag();
        assertEquals(
                204,
                s3.deleteObjectTagging(d -> d.bucket(BUCKET).key("modify"))
                        .sdkHttpResponse()
                        .statusCode());
        assertTrue(tags("modify").isEmpty());
        assertEquals(etag, s3.headObject(h -> h.bucket(BUCKET).key("modify")).eTag());
        assertEquals(
                "data", s3.getObjectAsBytes(g -> g.bucket(BUCKET).key("modify")).asUtf8String());
    }

    @Test
    void limits() {
        put("limits", "data");
        putTags("limits", tagList(10, 0, 1));
        assertEquals(10, tags("limits").size());
        S3Exception e = fails(400, "InvalidTag", () -> putTags("limits", tagList(11, 0, 1)));
        assertTrue(e.awsErrorDetails().errorMessage().contains("cannot be greater than 10"));
        assertEquals(10, tags("limits").size());
        putTags("limits", tagList(10, 128, 256));
        fails(400, "InvalidTag", () -> putTags("limits", tagList(1, 129, 1)));
        fails(400, "InvalidTag", () -> putTags("limits", tagList(1, 1, 257)));
        fails(
                400,
                "InvalidTag",
                () -> putTags(
                        "limits",
                        List.of(
                                Tag.builder().key("a").value("1").build(),
                                Tag.builder().key("a").value("2").build())));
        assertEquals(10, tags("limits").size());
    }

    @Test
    void missingObjectAndMalformedDocument() {
        fails(404, "NoSuchKey", () -> tags("absent"));
        fails(404, "NoSuchKey", () -> putTags("absent", tagList(1, 0, 1)));
    }

    @Test
    void putObjectWithTaggingHeader() {
        s3.putObject(p -> p.bucket(BUCKET).key("with-tags").tagging("foo=bar&bar"), RequestBody.fromString("data"));
        List<Tag> set =
                s3.getObjectTagging(g -> g.bucket(BUCKET).key("with-tags")).tagSet();
        assertEquals(
                List.of(
                        Tag.builder().key("bar").value("").build(),
                        Tag.builder().key("foo").value("bar").build()),
                set);
        assertEquals(2, s3.headObject(h -> h.bucket(BUCKET).key("with-tags")).tagCount());
        s3.putObject(p -> p.bucket(BUCKET).key("encoded").tagging("a%20b=c%26d"), RequestBody.fromString("data"));
        assertEquals(Map.of("a b", "c&d"), tags("encoded"));
        fails(
                400,
                "InvalidTag",
                () -> s3.putObject(
                        p -> p.bucket(BUCKET).key("too-many").tagging("a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11"),
                        RequestBody.fromString("data")));
    }

    @Test
    void copyKeepsOrReplacesTags() {
        s3.putObject(p -> p.bucket(BUCKET).key("copy-in").tagging("a=1"), RequestBody.fromString("data"));
        s3.copyObject(c -> c.sourceBucket(BUCKET)
                .sourceKey("copy-in")
                .destinationBucket(BUCKET)
                .destinationKey("copy-kept"));
        assertEquals(Map.of("a", "1"), tags("copy-kept"));
        s3.copyObject(c -> c.sourceBucket(BUCKET)
                .sourceKey("copy-in")
                .destinationBucket(BUCKET)
                .destinationKey("copy-replaced")
                .taggingDirective(TaggingDirective.REPLACE)
                .tagging("b=2"));
        assertEquals(Map.of("b", "2"), tags("copy-replaced"));
        s3.copyObject(c -> c.sourceBucket(BUCKET)
                .sourceKey("copy-in")
                .destinationBucket(BUCKET)
                .destinationKey("copy-meta")
                .metadataDirective(MetadataDirective.REPLACE)
                .tagging("ignored=1"));
        assertEquals(Map.of("a", "1"), tags("copy-meta"));
        s3.copyObject(c -> c.sourceBucket(BUCKET)
                .sourceKey("copy-in")
                .destinationBucket(BUCKET)
                .destinationKey("copy-cleared")
                .taggingDirective(TaggingDirective.REPLACE));
        assertTrue(tags("copy-cleared").isEmpty());
    }

    @Test
    void multipartTagsApplyAtComplete() {
        String id = s3.createMultipartUpload(c -> c.bucket(BUCKET).key("mp").tagging("Hello=World&foo=bar"))
                .uploadId();
        String etag = s3.uploadPart(
                        u -> u.bucket(BUCKET).key("mp").uploadId(id).partNumber(1), RequestBody.fromString("x"))
                .eTag();
        s3.completeMultipartUpload(c -> c.bucket(BUCKET)
                .key("mp")
                .uploadId(id)
                .multipartUpload(m ->
                        m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        List<Tag> set = s3.getObjectTagging(g -> g.bucket(BUCKET).key("mp")).tagSet();
        assertEquals(List.of("Hello", "foo"), set.stream().map(Tag::key).toList());
        s3.deleteObjectTagging(d -> d.bucket(BUCKET).key("mp"));
        assertTrue(tags("mp").isEmpty());
    }

    @Test
    void bucketTagging() {
        s3.createBucket(b -> b.bucket("tagged-bucket"));
        fails(404, "NoSuchTagSet", () -> s3.getBucketTagging(g -> g.bucket("tagged-bucket")));
        s3.putBucketTagging(p -> p.bucket("tagged-bucket")
                .tagging(t -> t.tagSet(Tag.builder().key("Hello").value("World").build())));
        List<Tag> set = s3.getBucketTagging(g -> g.bucket("tagged-bucket")).tagSet();
        assertEquals(List.of(Tag.builder().key("Hello").value("World").build()), set);
        assertEquals(
                204,
                s3.deleteBucketTagging(d -> d.bucket("tagged-bucket"))
                        .sdkHttpResponse()
                        .statusCode());
        fails(404, "NoSuchTagSet", () -> s3.getBucketTagging(g -> g.bucket("tagged-bucket")));
        assertFalse(s3.listBuckets().buckets().isEmpty());
    }
}
