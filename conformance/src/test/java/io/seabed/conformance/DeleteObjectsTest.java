package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** DeleteObjects (POST /bucket?delete): per-key results, Quiet mode, and the limits on the request. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeleteObjectsTest {
    private InProcessSeabed seabed;
    private S3Client s3;
    private RawS3 raw;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        raw = new RawS3(
                seabed.server.s3Port(), InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY, InstantSource.system());
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private void put(String bucket, String... keys) {
        for (String k : keys) s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString(k));
    }

    private TreeSet<String> keys(String bucket) {
        TreeSet<String> out = new TreeSet<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) out.add(o.key());
        return out;
    }

    private static List<ObjectIdentifier> ids(String... keys) {
        List<ObjectIdentifier> out = new ArrayList<>();
        for (String k : keys) out.add(ObjectIdentifier.builder().key(k).build());
        return out;
    }

    @Test
    void deletesAndReportsEachKey() {
        s3.createBucket(b -> b.bucket("del"));
        put("del", "a", " spaced key ", "dir/é", "keep");
        DeleteObjectsResponse r = s3.deleteObjects(
                b -> b.bucket("del").delete(d -> d.objects(ids("a", " spaced key ", "dir/é", "never-existed"))));
        TreeSet<String> deleted = new TreeSet<>();
        for (DeletedObject d : r.deleted()) deleted.add(d.key());
        assertEquals(new TreeSet<>(List.of("a", " spaced key ", "dir/é", "never-existed")), deleted);
        assertTrue(r.errors().isEmpty());
        assertEquals(new TreeSet<>(List.of("keep")), keys("del"));
    }

    @Test
    void quietReportsOnlyErrors() {
        s3.createBucket(b -> b.bucket("quiet"));
        put("quiet", "x", "y");
        String tooLong = "k".repeat(1025);
        DeleteObjectsResponse r = s3.deleteObjects(
                b -> b.bucket("quiet").delete(d -> d.quiet(true).objects(ids("x", tooLong, "y"))));
        assertTrue(r.deleted().isEmpty());
        assertEquals(1, r.errors().size());
        assertEquals(tooLong, r.errors().getFirst().key());
        assertEquals("KeyTooLongError", r.errors().getFirst().code());
        assertTrue(keys("quiet").isEmpty());
    }

    @Test
    void versionIdOtherThanNullIsAnError() {
        s3.createBucket(b -> b.bucket("ver"));
        put("ver", "v", "w");
        DeleteObjectsResponse r = s3.deleteObjects(b -> b.bucket("ver")
                .delete(d -> d.objects(
                        ObjectIdentifier.builder().key("v").versionId("null").build(),
                        ObjectIdentifier.builder()
                                .key("w")
                                .versionId("3HL4kqtJlcpXroDTDmJ")
                                .build())));
        assertEquals(1, r.deleted().size());
        assertEquals("v", r.deleted().getFirst().key());
        assertEquals("InvalidArgument", r.errors().getFirst().code());
        assertEquals(new TreeSet<>(List.of("w")), keys("ver"));
    }

    @Test
    void moreThanAThousandKeysIsMalformedXmlAndDeletesNothing() {
        s3.createBucket(b -> b.bucket("many"));
        put("many", "k0");
        String[] names = new String[1001];
        for (int i = 0; i < names.length; i++) names[i] = "k" + i;
        S3Exception e = assertThrows(
                S3Exception.class, () -> s3.deleteObjects(b -> b.bucket("many").delete(d -> d.objects(ids(names)))));
        assertEquals(400, e.statusCode());
        assertEquals("MalformedXML", e.awsErrorDetails().errorCode());
        assertEquals(new TreeSet<>(List.of("k0")), keys("many"));
    }

    @Test
    void badBodiesAreMalformedXml() {
        s3.createBucket(b -> b.bucket("badxml"));
        put("badxml", "stay");
        for (String body : new String[] {
            "<Delete><Object><Key>stay</Key></Object>",
            "<Delete></Delete>",
            "<Remove><Object><Key>stay</Key></Object></Remove>",
            "<Delete><Object><VersionId>null</VersionId></Object></Delete>",
            "not xml"
        }) {
            RawS3.Response r = raw.send("POST", "/badxml", "delete", body.getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.status(), body);
            assertEquals("MalformedXML", r.errorCode(), body);
        }
        // Neither Content-MD5 nor x-amz-checksum-* is required.
        RawS3.Response ok = raw.send(
                "POST",
                "/badxml",
                "delete",
                "<Delete><Object><Key>stay</Key></Object></Delete>".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, ok.status(), ok.body());
        assertTrue(keys("badxml").isEmpty());
    }

    @Test
    void missingBucketIsNoSuchBucket() {
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.deleteObjects(b -> b.bucket("no-such-bucket").delete(d -> d.objects(ids("a")))));
        assertEquals("NoSuchBucket", e.awsErrorDetails().errorCode());
    }
}
