package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Browser form uploads (PostObject) as a browser sends them: SigV4- and SigV2-signed policies, anonymous uploads
 * into a public-read-write bucket, success_action_status and _redirect, ${filename}, metadata, tags, ACL and
 * checksum fields, and each way a form can be refused (policy conditions, expiry, size range, signature, missing
 * file, broken framing) answering its S3 error with nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostObjectTest {
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private InProcessSeabed seabed;
    private S3Client s3;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        s3.createBucket(b -> b.bucket("forms"));
        s3.createBucket(b -> b.bucket("public-forms").acl("public-read-write"));
    }

    @AfterAll
    void stop() {
        if (s3 != null) s3.close();
        if (seabed != null) seabed.close();
    }

    /** One form field or the file (value null, content in {@code file}). */
    private record Field(String name, String value, String filename, byte[] file) {
        static Field of(String name, String value) {
            return new Field(name, value, null, null);
        }

        static Field file(String filename, byte[] content) {
            return new Field("file", null, filename, content);
        }
    }

    private HttpResponse<String> post(String bucket, List<Field> fields) throws Exception {
        String boundary = "seabed" + Long.toHexString(new Random().nextLong());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Field f : fields) {
            String disposition = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.name() + "\""
                    + (f.filename() != null ? "; filename=\"" + f.filename() + "\"" : "") + "\r\n\r\n";
            body.writeBytes(disposition.getBytes(StandardCharsets.UTF_8));
            body.writeBytes(f.file() != null ? f.file() : f.value().getBytes(StandardCharsets.UTF_8));
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(bucket, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }

    private HttpResponse<String> send(String bucket, String contentType, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(seabed.endpoint + "/" + bucket))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String policy(String expiration, String conditions) {
        String json = "{\"expiration\":\"" + expiration + "\",\"conditions\":[" + conditions + "]}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String inAnHour() {
        return Instant.now().plusSeconds(3600).toString();
    }

    private static byte[] hmac(String algorithm, byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** The SigV4 fields of a form signing {@code policy} (x-amz-algorithm, -credential, -date, -signature). */
    private static List<Field> sigV4(String policy) throws Exception {
        Instant now = Instant.now();
        String date = AMZ_DATE.format(now).substring(0, 8);
        byte[] key = ("AWS4" + InProcessSeabed.SECRET_KEY).getBytes(StandardCharsets.UTF_8);
        for (String part : new String[] {date, "us-east-1", "s3", "aws4_request"}) key = hmac("HmacSHA256", key, part);
        return List.of(
                Field.of("policy", policy),
                Field.of("x-amz-algorithm", "AWS4-HMAC-SHA256"),
                Field.of("x-amz-credential", InProcessSeabed.ACCESS_KEY + "/" + date + "/us-east-1/s3/aws4_request"),
                Field.of("x-amz-date", AMZ_DATE.format(now)),
                Field.of("x-amz-signature", HexFormat.of().formatHex(hmac("HmacSHA256", key, policy))));
    }

    private static List<Field> sigV2(String policy) throws Exception {
        return List.of(
                Field.of("AWSAccessKeyId", InProcessSeabed.ACCESS_KEY),
                Field.of("policy", policy),
                Field.of(
                        "signature",
                        Base64.getEncoder()
                                .encodeToString(hmac(
                                        "HmacSHA1",
                                        InProcessSeabed.SECRET_KEY.getBytes(StandardCharsets.UTF_8),
                                        policy))));
    }

    private static List<Field> form(List<Field> signature, Field... rest) {
        List<Field> all = new ArrayList<>();
        all.add(Field.of("key", "uploads/${filename}"));
        all.addAll(signature);
        all.addAll(List.of(rest));
        return all;
    }

    private static final String CONDITIONS = "{\"bucket\":\"forms\"},[\"starts-with\",\"$key\",\"uploads/\"],"
            + "[\"starts-with\",\"$Content-Type\",\"image/\"],[\"eq\",\"$x-amz-meta-camera\",\"x100\"],"
            + "{\"acl\":\"public-read\"},[\"starts-with\",\"$tagging\",\"\"],[\"content-length-range\",1,1048576]";

    @Test
    void sigV4PolicyUploadStoresFileWithFieldsAsMetadata() throws Exception {
        byte[] photo = new byte[300_000];
        new Random(3).nextBytes(photo);
        var r = post(
                "forms",
                form(
                        sigV4(policy(inAnHour(), CONDITIONS)),
                        Field.of("Content-Type", "image/jpeg"),
                        Field.of("x-amz-meta-camera", "x100"),
                        Field.of("acl", "public-read"),
                        Field.of(
                                "tagging",
                                "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"),
                        Field.file("cat.jpg", photo),
                        Field.of("after-the-file", "ignored")));
        assertEquals(204, r.statusCode(), r.body());
        var got = s3.getObjectAsBytes(b -> b.bucket("forms").key("uploads/cat.jpg"));
        assertArrayEquals(photo, got.asByteArray());
        assertEquals("image/jpeg", got.response().contentType());
        assertEquals(Map.of("camera", "x100"), got.response().metadata());
        assertEquals(
                r.headers().firstValue("ETag").orElseThrow(), got.response().eTag());
        assertEquals(
                List.of(Tag.builder().key("k").value("v").build()),
                s3.getObjectTagging(b -> b.bucket("forms").key("uploads/cat.jpg"))
                        .tagSet());
        // public-read: an anonymous GET works.
        var anonymous = http.send(
                HttpRequest.newBuilder(URI.create(seabed.endpoint + "/forms/uploads/cat.jpg"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, anonymous.statusCode());
    }

    @Test
    void sigV2PolicyWith201ResponseAndChecksum() throws Exception {
        String policy = policy(inAnHour(), "[\"starts-with\",\"$key\",\"\"],{\"success_action_status\":\"201\"}");
        byte[] data = "hello form".getBytes(StandardCharsets.UTF_8);
        String sha256 = Base64.getEncoder()
                .encodeToString(
                        java.security.MessageDigest.getInstance("SHA-256").digest(data));
        var r = post(
                "forms",
                form(
                        sigV2(policy),
                        Field.of("success_action_status", "201"),
                        Field.of("x-amz-checksum-sha256", sha256),
                        Field.file("note.txt", data)));
        assertEquals(201, r.statusCode(), r.body());
        assertTrue(
                r.body().contains("<Key>uploads/note.txt</Key>") && r.body().contains("<Bucket>forms</Bucket>"),
                r.body());
        var head = s3.headObject(b -> b.bucket("forms").key("uploads/note.txt").checksumMode(ChecksumMode.ENABLED));
        assertEquals(sha256, head.checksumSHA256());
        // A checksum that does not match: BadDigest, the object stays as it was.
        var bad = post(
                "forms",
                form(
                        sigV2(policy),
                        Field.of("success_action_status", "201"),
                        Field.of("x-amz-checksum-sha256", sha256),
                        Field.file("note.txt", "other bytes".getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("<Code>BadDigest</Code>"), bad.body());
        assertArrayEquals(
                data,
                s3.getObjectAsBytes(b -> b.bucket("forms").key("uploads/note.txt"))
                        .asByteArray());
    }

    @Test
    void anonymousUploadIntoPublicBucketAndRedirect() throws Exception {
        var r = post(
                "public-forms",
                List.of(
                        Field.of("key", "anon.txt"),
                        Field.of("success_action_redirect", "http://example.test/done?x=1"),
                        Field.file("f", "anonymous".getBytes(StandardCharsets.UTF_8))));
        assertEquals(303, r.statusCode(), r.body());
        String etag =
                s3.headObject(b -> b.bucket("public-forms").key("anon.txt")).eTag();
        assertEquals(
                "http://example.test/done?x=1&bucket=public-forms&key=anon.txt&etag=" + etag.replace("\"", "%22"),
                r.headers().firstValue("Location").orElseThrow());
        // Owned by the bucket owner, like an anonymous PUT.
        assertEquals(
                "anonymous",
                s3.getObjectAsBytes(b -> b.bucket("public-forms").key("anon.txt"))
                        .asUtf8String());
        // Anonymous into a private bucket: AccessDenied.
        var denied = post("forms", List.of(Field.of("key", "anon.txt"), Field.file("f", new byte[] {1})));
        assertEquals(403, denied.statusCode());
        assertTrue(denied.body().contains("<Code>AccessDenied</Code>"), denied.body());
    }

    @Test
    void refusedFormsStoreNothing() throws Exception {
        byte[] one = {42};
        String good = policy(inAnHour(), "[\"starts-with\",\"$key\",\"uploads/\"]");
        record Case(String what, List<Field> form, int status, String code) {}
        List<Case> cases = List.of(
                new Case(
                        "condition fails",
                        form(sigV4(policy(inAnHour(), "[\"starts-with\",\"$key\",\"other/\"]")), Field.file("x", one)),
                        403,
                        "AccessDenied"),
                new Case(
                        "field not in the policy",
                        form(sigV4(good), Field.of("x-amz-meta-extra", "1"), Field.file("x", one)),
                        403,
                        "AccessDenied"),
                new Case(
                        "expired",
                        form(
                                sigV4(policy(
                                        Instant.now().minusSeconds(60).toString(), "[\"starts-with\",\"$key\",\"\"]")),
                                Field.file("x", one)),
                        403,
                        "AccessDenied"),
                new Case(
                        "too large",
                        form(
                                sigV4(policy(
                                        inAnHour(), "[\"starts-with\",\"$key\",\"\"],[\"content-length-range\",0,0]")),
                                Field.file("x", one)),
                        400,
                        "EntityTooLarge"),
                new Case(
                        "too small",
                        form(
                                sigV4(policy(
                                        inAnHour(), "[\"starts-with\",\"$key\",\"\"],[\"content-length-range\",2,9]")),
                                Field.file("x", one)),
                        400,
                        "EntityTooSmall"),
                new Case(
                        "not a policy",
                        form(sigV4(Base64.getEncoder().encodeToString("{nope".getBytes())), Field.file("x", one)),
                        400,
                        "InvalidPolicyDocument"),
                new Case(
                        "bad date format",
                        form(sigV4(policy("2030-01-01 00:00:00", "")), Field.file("x", one)),
                        400,
                        "InvalidPolicyDocument"),
                new Case(
                        "forged signature",
                        form(
                                List.of(
                                        Field.of("AWSAccessKeyId", InProcessSeabed.ACCESS_KEY),
                                        Field.of("policy", good),
                                        Field.of("signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
                                Field.file("x", one)),
                        403,
                        "SignatureDoesNotMatch"),
                new Case(
                        "unknown access key",
                        form(
                                List.of(
                                        Field.of("AWSAccessKeyId", "NOSUCHKEY"),
                                        Field.of("policy", good),
                                        Field.of("signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
                                Field.file("x", one)),
                        403,
                        "InvalidAccessKeyId"),
                new Case(
                        "missing signature",
                        form(
                                List.of(
                                        Field.of("AWSAccessKeyId", InProcessSeabed.ACCESS_KEY),
                                        Field.of("policy", good)),
                                Field.file("x", one)),
                        400,
                        "InvalidArgument"),
                new Case("no file", form(sigV4(good)), 400, "InvalidArgument"));
        for (Case c : cases) {
            var r = post("forms", c.form());
            assertEquals(c.status(), r.statusCode(), c.what() + ": " + r.body());
            assertTrue(r.body().contains("<Code>" + c.code() + "</Code>"), c.what() + ": " + r.body());
        }
        var notMultipart = send("forms", "text/plain", "key=x".getBytes());
        assertEquals(400, notMultipart.statusCode());
        assertTrue(notMultipart.body().contains("MalformedPOSTRequest"), notMultipart.body());
        var broken = send(
                "forms",
                "multipart/form-data; boundary=zz",
                "--zz\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/x\r\n--zz\r\nContent-Disposi"
                        .getBytes());
        assertEquals(400, broken.statusCode());
        assertTrue(broken.body().contains("MalformedPOSTRequest"), broken.body());
        assertThrows(
                NoSuchKeyException.class,
                () -> s3.headObject(b -> b.bucket("forms").key("uploads/x")));
        // The server is healthy afterwards.
        s3.putObject(b -> b.bucket("forms").key("after").acl(ObjectCannedACL.PRIVATE), RequestBody.fromString("ok"));
        assertEquals(
                "ok", s3.getObjectAsBytes(b -> b.bucket("forms").key("after")).asUtf8String());
    }

    /** A PUT without Content-Length in HTTP chunked framing stores the whole body (its length comes at its end). */
    @Test
    void putWithChunkedTransferEncoding() throws Exception {
        byte[] data = new byte[5_000_000];
        new Random(5).nextBytes(data);
        var presigned = seabed.presigner()
                .presignPutObject(p -> p.signatureDuration(java.time.Duration.ofMinutes(5))
                        .putObjectRequest(g -> g.bucket("forms").key("chunked")))
                .url();
        // An InputStream publisher of unknown length makes the JDK client send Transfer-Encoding: chunked.
        var r = http.send(
                HttpRequest.newBuilder(presigned.toURI())
                        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertArrayEquals(
                data, s3.getObjectAsBytes(b -> b.bucket("forms").key("chunked")).asByteArray());
    }
}
