package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seabed.s3.S3Config;
import io.seabed.s3.S3Server;
import io.seabed.s3.auth.AwsChunkedEncoder;
import io.seabed.s3.auth.PayloadMode;
import io.seabed.s3.auth.SigV4Signer;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Goal: a matrix of malformed requests, each answered with the error AWS S3 gives (code and HTTP status), storing
 * nothing and leaving the server healthy. Method: exact bytes over raw sockets (signed with SigV4 where the
 * request must get past authentication) or the SDK; after every test the bucket's listing and its uploads must be
 * exactly what they were, and a normal GET must still succeed. BadInputTest covers the cases not repeated here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputMatrixTest {
    private static final String BUCKET = "matrix";
    private static final String KEPT = "kept";
    /** The largest XML body the server reads (S3Config's default). */
    private static final int XML_BYTES_MAX = S3Config.XML_BODY_BYTES_MAX_DEFAULT;

    private InProcessSeabed seabed;
    private S3Client s3;
    private RawS3 raw;
    private String host;
    private List<String> before;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        raw = new RawS3(
                seabed.server.s3Port(), InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY, InstantSource.system());
        host = "127.0.0.1:" + seabed.server.s3Port();
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.putObject(b -> b.bucket(BUCKET).key("keep"), RequestBody.fromString(KEPT));
        before = keys();
    }

    @AfterEach
    void nothingChangedAndHealthy() {
        assertEquals(before, keys());
        assertEquals(
                List.of(),
                s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
                        .map(MultipartUpload::key)
                        .toList());
        assertEquals(
                KEPT, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("keep")).asUtf8String());
        assertTrue(
                s3.getObjectTagging(b -> b.bucket(BUCKET).key("keep")).tagSet().isEmpty());
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private List<String> keys() {
        return s3.listObjectsV2(b -> b.bucket(BUCKET)).contents().stream()
                .map(S3Object::key)
                .toList();
    }

    // ---- XML bodies ----

    @Test
    void malformedDeleteObjectsIsMalformedXml() {
        for (String body : new String[] {
            "<Delete><Object><Key>keep</Key></Object>", "not xml", "", "<Delete><Object><Key>keep</Object></Delete>"
        }) {
            assertError(send("POST", "/" + BUCKET, "delete", Map.of(), utf8(body)), 400, "MalformedXML", body);
        }
    }

    @Test
    void deleteObjectsOfMoreThanAThousandKeysIsMalformedXml() {
        StringBuilder xml = new StringBuilder("<Delete><Object><Key>keep</Key></Object>");
        for (int i = 0; i < 1000; i++) xml.append("<Object><Key>k").append(i).append("</Key></Object>");
        assertError(send("POST", "/" + BUCKET, "delete", Map.of(), utf8(xml + "</Delete>")), 400, "MalformedXML");
    }

    @Test
    void malformedCompleteMultipartUploadIsMalformedXml() {
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("mp")).uploadId();
        try {
            for (String body : new String[] {
                "",
                "<CompleteMultipartUpload/>",
                "<Delete><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></Delete>",
                "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>e</ETag></Part>"
                        + "</CompleteMultipartUpload>",
                "<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>"
            }) {
                assertError(
                        send("POST", "/" + BUCKET + "/mp", "uploadId=" + id, Map.of(), utf8(body)),
                        400,
                        "MalformedXML",
                        body);
            }
        } finally {
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("mp").uploadId(id));
        }
    }

    /** XML bodies over the limit are MaxMessageLengthExceeded, whether Content-Length declares it or not. */
    @Test
    void xmlBodiesOverTheLimitAreMaxMessageLengthExceeded() {
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("mp")).uploadId();
        try {
            Map<String, byte[]> requests = new LinkedHashMap<>();
            requests.put("POST /" + BUCKET + "/mp?uploadId=" + id, padded("CompleteMultipartUpload"));
            requests.put("POST /" + BUCKET + "?delete", padded("Delete"));
            requests.put("PUT /" + BUCKET + "/keep?tagging", padded("Tagging"));
            requests.put("PUT /" + BUCKET + "?tagging", padded("Tagging"));
            requests.put("PUT /" + BUCKET + "/keep?acl", padded("AccessControlPolicy"));
            for (Map.Entry<String, byte[]> e : requests.entrySet()) {
                String[] line = e.getKey().split("[ ?]");
                RawS3.Response r = send(line[0], line[1], line[2], Map.of(), e.getValue());
                assertError(r, 400, "MaxMessageLengthExceeded", e.getKey());
            }
            // Without Content-Length (HTTP chunked) the limit stops the read as it passes.
            RawS3.Response r = sendChunked("PUT", "/" + BUCKET + "/keep", "tagging", padded("Tagging"));
            assertError(r, 400, "MaxMessageLengthExceeded", "chunked tagging");
        } finally {
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("mp").uploadId(id));
        }
        S3Exception noTags = assertThrows(S3Exception.class, () -> s3.getBucketTagging(b -> b.bucket(BUCKET)));
        assertEquals("NoSuchTagSet", noTags.awsErrorDetails().errorCode());
    }

    /** A document of XML_BYTES_MAX + 1 bytes: the root element padded with white space. */
    private static byte[] padded(String root) {
        String open = "<" + root + ">";
        String close = "</" + root + ">";
        return utf8(open + " ".repeat(XML_BYTES_MAX + 1 - open.length() - close.length()) + close);
    }

    /**
     * An XML body that is not what was signed (x-amz-content-sha256), or not what Content-MD5 says, is refused as
     * a PUT body is: nothing it asks for happens.
     */
    @Test
    void xmlBodiesAreCheckedLikeObjectBodies() {
        byte[] tags = utf8("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>");
        byte[] other = utf8("<Tagging><TagSet><Tag><Key>k</Key><Value>w</Value></Tag></TagSet></Tagging>");
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("mp")).uploadId();
        try {
            Map<String, byte[]> requests = new LinkedHashMap<>();
            requests.put("PUT /" + BUCKET + "/keep?tagging", tags);
            requests.put("PUT /" + BUCKET + "?tagging", tags);
            requests.put(
                    "PUT /" + BUCKET + "/keep?acl",
                    utf8("<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList/></AccessControlPolicy>"));
            requests.put(
                    "POST /" + BUCKET + "/mp?uploadId=" + id,
                    utf8("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>"
                            + "</CompleteMultipartUpload>"));
            for (Map.Entry<String, byte[]> e : requests.entrySet()) {
                String[] line = e.getKey().split("[ ?]");
                String head = head(
                                line[0],
                                line[1],
                                line[2],
                                Map.of(),
                                sign(line[0], line[1], line[2], Map.of(), RawS3.sha256Hex(other)))
                        + "Content-Length: " + e.getValue().length + "\r\nConnection: close\r\n\r\n";
                assertError(exchange(head, e.getValue(), false), 400, "XAmzContentSHA256Mismatch", e.getKey());
                RawS3.Response r = send(
                        line[0], line[1], line[2], Map.of("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="), e.getValue());
                assertError(r, 400, "BadDigest", "Content-MD5 " + e.getKey());
            }
        } finally {
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("mp").uploadId(id));
        }
        S3Exception noTags = assertThrows(S3Exception.class, () -> s3.getBucketTagging(b -> b.bucket(BUCKET)));
        assertEquals("NoSuchTagSet", noTags.awsErrorDetails().errorCode());
    }

    // ---- headers ----

    @Test
    void headersOverTheLimitAreRequestHeaderSectionTooLarge() {
        String oneBig = "X-Padding: " + "p".repeat(17 * 1024) + "\r\n";
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 400; i++)
            many.append("X-Padding-")
                    .append(i)
                    .append(": ")
                    .append("q".repeat(40))
                    .append("\r\n");
        for (String headers : new String[] {oneBig, many.toString()}) {
            RawS3.Response r = exchange(
                    ("GET /" + BUCKET + "/keep HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII),
                    new byte[0],
                    false);
            assertError(r, 400, "RequestHeaderSectionTooLarge");
        }
        // A request line over the limit (here its query) is refused the same way.
        RawS3.Response r = exchange(
                ("GET /" + BUCKET + "?prefix=" + "a".repeat(17 * 1024) + " HTTP/1.1\r\nHost: " + host
                                + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII),
                new byte[0],
                false);
        assertError(r, 400, "RequestHeaderSectionTooLarge");
    }

    @Test
    void contentLengthThatIsNotALengthIsBadRequest() {
        for (String length : new String[] {"abc", "-1", "1e3", "5, 6"}) {
            RawS3.Response r = exchange(
                    ("PUT /" + BUCKET + "/cl HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + length
                                    + "\r\nConnection: close\r\n\r\nhello")
                            .getBytes(StandardCharsets.US_ASCII),
                    new byte[0],
                    false);
            assertError(r, 400, "BadRequest", length);
        }
    }

    @Test
    void userMetadataOverTwoKilobytesIsMetadataTooLarge() {
        Map<String, String> big = Map.of("a", "v".repeat(1500), "b", "w".repeat(600));
        S3Exception put = assertThrows(
                S3Exception.class,
                () -> s3.putObject(b -> b.bucket(BUCKET).key("meta").metadata(big), RequestBody.fromString("x")));
        assertSdkError(put, 400, "MetadataTooLarge");
        S3Exception create = assertThrows(
                S3Exception.class,
                () -> s3.createMultipartUpload(b -> b.bucket(BUCKET).key("meta").metadata(big)));
        assertSdkError(create, 400, "MetadataTooLarge");
        S3Exception copy = assertThrows(
                S3Exception.class,
                () -> s3.copyObject(b -> b.sourceBucket(BUCKET)
                        .sourceKey("keep")
                        .destinationBucket(BUCKET)
                        .destinationKey("meta")
                        .metadataDirective("REPLACE")
                        .metadata(big)));
        assertSdkError(copy, 400, "MetadataTooLarge");
    }

    // ---- part numbers and listing parameters ----

    @Test
    void invalidPartNumbersAreInvalidArgument() {
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("mp")).uploadId();
        try {
            for (String n : new String[] {"0", "10001", "-1", "abc", "", "1.5", "99999999999"}) {
                String query = "partNumber=" + n + "&uploadId=" + id;
                assertError(
                        send("PUT", "/" + BUCKET + "/mp", query, Map.of(), utf8("part")),
                        400,
                        "InvalidArgument",
                        "UploadPart " + n);
                assertError(
                        send(
                                "PUT",
                                "/" + BUCKET + "/mp",
                                query,
                                Map.of("x-amz-copy-source", "/" + BUCKET + "/keep"),
                                new byte[0]),
                        400,
                        "InvalidArgument",
                        "UploadPartCopy " + n);
                assertError(
                        send("GET", "/" + BUCKET + "/keep", "partNumber=" + n, Map.of(), new byte[0]),
                        400,
                        "InvalidArgument",
                        "GetObject " + n);
                assertEquals(
                        400,
                        send("HEAD", "/" + BUCKET + "/keep", "partNumber=" + n, Map.of(), new byte[0])
                                .status(),
                        "HeadObject " + n);
            }
            assertTrue(s3.listParts(b -> b.bucket(BUCKET).key("mp").uploadId(id))
                    .parts()
                    .isEmpty());
        } finally {
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("mp").uploadId(id));
        }
    }

    @Test
    void pageSizesThatAreNotNonNegativeIntegersAreInvalidArgument() {
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("mp")).uploadId();
        try {
            for (String v : new String[] {"-1", "abc", "99999999999", "1.5"}) {
                assertError(
                        send("GET", "/" + BUCKET, "list-type=2&max-keys=" + v, Map.of(), new byte[0]),
                        400,
                        "InvalidArgument",
                        "ListObjectsV2 max-keys=" + v);
                assertError(
                        send("GET", "/" + BUCKET, "max-keys=" + v, Map.of(), new byte[0]),
                        400,
                        "InvalidArgument",
                        "ListObjects max-keys=" + v);
                assertError(
                        send("GET", "/" + BUCKET, "uploads&max-uploads=" + v, Map.of(), new byte[0]),
                        400,
                        "InvalidArgument",
                        "ListMultipartUploads max-uploads=" + v);
                assertError(
                        send("GET", "/" + BUCKET + "/mp", "max-parts=" + v + "&uploadId=" + id, Map.of(), new byte[0]),
                        400,
                        "InvalidArgument",
                        "ListParts max-parts=" + v);
                assertError(
                        send(
                                "GET",
                                "/" + BUCKET + "/mp",
                                "part-number-marker=" + v + "&uploadId=" + id,
                                Map.of(),
                                new byte[0]),
                        400,
                        "InvalidArgument",
                        "ListParts part-number-marker=" + v);
            }
        } finally {
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("mp").uploadId(id));
        }
    }

    // ---- ranges and dates ----

    /** S3 ignores a Range it cannot parse (the whole object, 200) and answers 416 to one no byte satisfies. */
    @Test
    void badRangesAreIgnoredOrUnsatisfiable() {
        for (String range : new String[] {
            "bytes=abc", "bytes=3-1", "bytes=0-1,2-3", "pages=0-1", "bytes=", "bytes=--1", "bytes=1", "bytes=-", "0-1"
        }) {
            RawS3.Response r = send("GET", "/" + BUCKET + "/keep", "", Map.of("range", range), new byte[0]);
            assertEquals(200, r.status(), range + ": " + r.body());
            assertEquals(KEPT, r.body(), range);
            assertFalse(r.headers().containsKey("content-range"), range);
        }
        for (String range : new String[] {"bytes=4-", "bytes=4-10", "bytes=99999999999999999-"}) {
            RawS3.Response r = send("GET", "/" + BUCKET + "/keep", "", Map.of("range", range), new byte[0]);
            assertError(r, 416, "InvalidRange", range);
            assertEquals("bytes */4", r.headers().get("content-range"), range);
        }
    }

    /** Conditional headers with dates that do not parse are ignored, as S3 does. */
    @Test
    void unparseableConditionalDatesAreIgnored() {
        for (String header : new String[] {"if-modified-since", "if-unmodified-since"}) {
            for (String date : new String[] {"yesterday", "Mon, 32 Foo 2020 25:61:61 GMT", "2020-01-01", ""}) {
                RawS3.Response r = send("GET", "/" + BUCKET + "/keep", "", Map.of(header, date), new byte[0]);
                assertEquals(200, r.status(), header + ": " + date + ": " + r.body());
                assertEquals(KEPT, r.body());
            }
        }
    }

    /** A request without a valid date is AccessDenied (SigV4 and SigV2); a valid but far-off one is skewed. */
    @Test
    void badRequestDatesAreAccessDenied() {
        for (String date : new String[] {"Bad Date", "", "20261301T000000Z", "Tue, 07 Jul 2026 21:53:04 GMT"}) {
            String head = signedHead("PUT", "/" + BUCKET + "/dated", "", Map.of(), RawS3.sha256Hex(utf8("x")))
                    .replaceFirst("(?m)^x-amz-date: .*$", "x-amz-date: " + date);
            assertError(exchange(head, utf8("x"), false), 403, "AccessDenied", "x-amz-date: " + date);
        }
        String noAmzDate = signedHead("PUT", "/" + BUCKET + "/dated", "", Map.of(), RawS3.sha256Hex(utf8("x")))
                .replaceFirst("(?m)^x-amz-date: .*\r\n", "Date: not a date\r\n");
        assertError(exchange(noAmzDate, utf8("x"), false), 403, "AccessDenied", "Date only");
        // Signed in 2010: a valid date, too far from the server's clock.
        SigV4Signer past = new SigV4Signer(
                InProcessSeabed.ACCESS_KEY,
                InProcessSeabed.SECRET_KEY,
                "us-east-1",
                InstantSource.fixed(Instant.parse("2010-07-07T21:53:04Z")));
        var signed = past.sign("PUT", host, "/" + BUCKET + "/dated", "", Map.of(), RawS3.sha256Hex(utf8("x")));
        String skewed = head("PUT", "/" + BUCKET + "/dated", "", Map.of(), signed)
                + "Content-Length: 1\r\nConnection: close\r\n\r\n";
        assertError(exchange(skewed, utf8("x"), false), 403, "RequestTimeTooSkewed", "2010");
        for (String dateHeader : new String[] {"x-amz-date: Bad Date", "x-amz-date: ", "Date: Bad Date"}) {
            String head = "PUT /" + BUCKET + "/dated HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: AWS "
                    + InProcessSeabed.ACCESS_KEY + ":bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==\r\n" + dateHeader
                    + "\r\nContent-Length: 1\r\nConnection: close\r\n\r\n";
            assertError(exchange(head, utf8("x"), false), 403, "AccessDenied", "SigV2 " + dateHeader);
        }
    }

    // ---- checksums ----

    @Test
    void checksumsThatDoNotMatchAreBadDigest() {
        byte[] body = utf8("checksummed body");
        RawS3.Response r = send("PUT", "/" + BUCKET + "/sum", "", Map.of("x-amz-checksum-crc32", "AAAAAA=="), body);
        assertError(r, 400, "BadDigest");
        r = send(
                "PUT",
                "/" + BUCKET + "/sum",
                "",
                Map.of("x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
                body);
        assertError(r, 400, "BadDigest");
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("mp")).uploadId();
        try {
            r = send(
                    "PUT",
                    "/" + BUCKET + "/mp",
                    "partNumber=1&uploadId=" + id,
                    Map.of("x-amz-checksum-crc32c", "AAAAAA=="),
                    body);
            assertError(r, 400, "BadDigest", "UploadPart");
            assertTrue(s3.listParts(b -> b.bucket(BUCKET).key("mp").uploadId(id))
                    .parts()
                    .isEmpty());
        } finally {
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("mp").uploadId(id));
        }
    }

    @Test
    void unknownOrConflictingChecksumAlgorithmsAreInvalidRequest() {
        byte[] body = utf8("checksummed body");
        assertError(
                send("PUT", "/" + BUCKET + "/sum", "", Map.of("x-amz-sdk-checksum-algorithm", "MD6"), body),
                400,
                "InvalidRequest",
                "unknown algorithm");
        assertError(
                send(
                        "PUT",
                        "/" + BUCKET + "/sum",
                        "",
                        Map.of("x-amz-checksum-crc32", "AAAAAA==", "x-amz-checksum-crc32c", "AAAAAA=="),
                        body),
                400,
                "InvalidRequest",
                "two checksum headers");
        assertError(
                send(
                        "PUT",
                        "/" + BUCKET + "/sum",
                        "",
                        Map.of("x-amz-sdk-checksum-algorithm", "CRC32", "x-amz-checksum-crc32c", "AAAAAA=="),
                        body),
                400,
                "InvalidRequest",
                "algorithm and header disagree");
    }

    /**
     * A checksum header that is not base64 of the algorithm's width is InvalidRequest ("Value for
     * x-amz-checksum-crc32 header is invalid."), not BadDigest, refused before the body is read.
     */
    @Test
    void checksumHeaderThatIsNotAValueIsInvalidRequest() {
        byte[] body = utf8("checksummed body");
        for (String value : new String[] {"not base64!", "AAAA", "AAAAAAAAAAA="}) {
            RawS3.Response r = send("PUT", "/" + BUCKET + "/sum", "", Map.of("x-amz-checksum-crc32", value), body);
            assertError(r, 400, "InvalidRequest", value);
            assertEquals("Value for x-amz-checksum-crc32 header is invalid.", message(r));
        }
    }

    // ---- aws-chunked bodies ----

    private static final byte[] PAYLOAD = TestFiles.bytes(7, 20_000);

    /** A signed aws-chunked PUT of PAYLOAD (chunks of 8 KiB), before any damage. */
    private record Chunked(String head, byte[] wire) {
        /** The same request with {@code wire} as its body (Content-Length follows). */
        Chunked withWire(byte[] damaged) {
            return new Chunked(head, damaged);
        }
    }

    private Chunked chunked(PayloadMode mode, long decodedLength) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-encoding", "aws-chunked");
        headers.put("x-amz-decoded-content-length", Long.toString(decodedLength));
        if (mode.trailer()) headers.put("x-amz-trailer", "x-amz-checksum-crc32");
        SigV4Signer.Signed signed = sign("PUT", "/" + BUCKET + "/chunked", "", headers, mode.headerValue());
        byte[] wire = AwsChunkedEncoder.encode(PAYLOAD, 8192, mode, signed.streaming(), ChecksumAlgorithm.CRC32);
        return new Chunked(head("PUT", "/" + BUCKET + "/chunked", "", headers, signed), wire);
    }

    private RawS3.Response send(Chunked c) {
        String head = c.head() + "Content-Length: " + c.wire().length + "\r\nConnection: close\r\n\r\n";
        return exchange(head, c.wire(), false);
    }

    @Test
    void chunkedControlIsStored() {
        // The undamaged request works (else the failures below would prove nothing), then is deleted.
        RawS3.Response ok = send(chunked(PayloadMode.STREAMING_SIGNED, PAYLOAD.length));
        assertEquals(200, ok.status(), ok.body());
        RawS3.Response trailer = send(chunked(PayloadMode.STREAMING_UNSIGNED_TRAILER, PAYLOAD.length));
        assertEquals(200, trailer.status(), trailer.body());
        assertArrayEquals(
                PAYLOAD,
                s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("chunked")).asByteArray());
        s3.deleteObject(b -> b.bucket(BUCKET).key("chunked"));
    }

    @Test
    void truncatedChunkedBodiesAreIncompleteBody() {
        Chunked c = chunked(PayloadMode.STREAMING_SIGNED, PAYLOAD.length);
        String text = latin1(c.wire());
        int firstData = text.indexOf("\r\n") + 2;
        int finalChunk = text.lastIndexOf("0;chunk-signature=");
        for (int length :
                new int[] {5, firstData - 1, firstData + 100, finalChunk, finalChunk + 20, c.wire().length - 2}) {
            RawS3.Response r = send(c.withWire(Arrays.copyOf(c.wire(), length)));
            assertError(r, 400, "IncompleteBody", "cut at " + length);
        }
    }

    @Test
    void framesThatDisagreeWithTheirSizeAreIncompleteBody() {
        Chunked c = chunked(PayloadMode.STREAMING_SIGNED, PAYLOAD.length);
        String text = latin1(c.wire());
        // The first frame says 0x1000 bytes but carries 0x2000: what follows its 4096th byte is no CRLF.
        assertError(send(c.withWire(latin1(text.replaceFirst("^2000;", "1000;")))), 400, "IncompleteBody", "longer");
        // It says 0x2100 but carries 0x2000: the next frame's header is read as data, and the framing breaks.
        assertError(send(c.withWire(latin1(text.replaceFirst("^2000;", "2100;")))), 400, "IncompleteBody", "shorter");
        // A size that is not hexadecimal, and a header without its chunk-signature.
        assertError(send(c.withWire(latin1(text.replaceFirst("^2000;", "2g00;")))), 400, "IncompleteBody", "not hex");
        assertError(
                send(c.withWire(latin1(text.replaceFirst("^2000;chunk-signature=[0-9a-f]{64}", "2000")))),
                400,
                "IncompleteBody",
                "no chunk-signature");
    }

    @Test
    void wrongChunkSignatureIsSignatureDoesNotMatch() {
        Chunked c = chunked(PayloadMode.STREAMING_SIGNED, PAYLOAD.length);
        String text = latin1(c.wire());
        int second = text.indexOf("chunk-signature=", text.indexOf("chunk-signature=") + 1) + 16;
        byte[] damaged = c.wire().clone();
        damaged[second] = (byte) (damaged[second] == 'a' ? 'b' : 'a');
        assertError(send(c.withWire(damaged)), 403, "SignatureDoesNotMatch");
        // The data changed under a correct signature.
        byte[] data = c.wire().clone();
        data[text.indexOf("\r\n") + 10] ^= 1;
        assertError(send(c.withWire(data)), 403, "SignatureDoesNotMatch", "data changed");
    }

    @Test
    void decodedLengthThatDisagreesWithTheFramesIsIncompleteBody() {
        for (long declared : new long[] {PAYLOAD.length - 1, PAYLOAD.length + 1, 0}) {
            assertError(
                    send(chunked(PayloadMode.STREAMING_SIGNED, declared)),
                    400,
                    "IncompleteBody",
                    "declared " + declared);
        }
    }

    @Test
    void badTrailersAreRefused() {
        Chunked c = chunked(PayloadMode.STREAMING_UNSIGNED_TRAILER, PAYLOAD.length);
        String text = latin1(c.wire());
        String wrong = text.replaceFirst("x-amz-checksum-crc32:[^\r]*", "x-amz-checksum-crc32:AAAAAA==");
        assertError(send(c.withWire(latin1(wrong))), 400, "BadDigest", "wrong trailer checksum");
        String invalid = text.replaceFirst("x-amz-checksum-crc32:[^\r]*", "x-amz-checksum-crc32:not base64");
        RawS3.Response r = send(c.withWire(latin1(invalid)));
        assertError(r, 400, "InvalidRequest", "trailer checksum not a value");
        assertEquals("Value for x-amz-checksum-crc32 trailing header is invalid.", message(r));
        String missing = text.replaceFirst("x-amz-checksum-crc32:[^\r]*\r\n", "");
        assertError(send(c.withWire(latin1(missing))), 400, "MalformedTrailerError", "declared trailer missing");
        String other = text.replaceFirst("x-amz-checksum-crc32:", "x-amz-checksum-crc32c:");
        assertError(send(c.withWire(latin1(other))), 400, "MalformedTrailerError", "undeclared trailer");
    }

    // ---- in-flight limit ----

    /**
     * Goal: requests beyond the in-flight limit answer SlowDown and the front recovers. Method: a second S3 front
     * over the same namespace whose limit is 2; two PUTs that send their headers and stall in their bodies hold
     * both places; a third request is refused; once the stalled PUTs are cut (storing nothing), requests succeed.
     */
    @Test
    void requestsOverTheInFlightLimitAreSlowDown() throws Exception {
        Vertx vertx = Vertx.vertx();
        S3Config config = new S3Config(
                2,
                S3Config.HEADER_BYTES_MAX_DEFAULT,
                XML_BYTES_MAX,
                S3Config.BODY_IDLE_MILLIS_DEFAULT,
                S3Config.REGION_DEFAULT,
                List.of());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        S3Server small = new S3Server(vertx, seabed.server.namespace(), config, registry, InstantSource.system());
        try {
            int port = small.listen("127.0.0.1", 0);
            RawS3 smallRaw =
                    new RawS3(port, InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY, InstantSource.system());
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) stalled.add(stalledPut(smallRaw, "/" + BUCKET + "/stalled-" + i));
                // Both hold their places before the third request (else it could take one of them).
                awaitInFlight(registry, 2);
                assertError(smallRaw.send("GET", "/" + BUCKET, "list-type=2", new byte[0]), 503, "SlowDown");
                assertError(smallRaw.send("PUT", "/" + BUCKET + "/third", "", new byte[0]), 503, "SlowDown");
            } finally {
                for (Socket s : stalled) s.close();
            }
            // Cut, the stalled PUTs end (IncompleteBody, nothing stored) and give their places back.
            awaitInFlight(registry, 0);
            RawS3.Response recovered = smallRaw.send("GET", "/" + BUCKET, "list-type=2", new byte[0]);
            assertEquals(200, recovered.status(), recovered.body());
            assertTrue(recovered.body().contains("<Key>keep</Key>"), recovered.body());
        } finally {
            small.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A PUT of 100 bytes that sends its headers and 1 byte, then stalls (the socket stays open). */
    private static Socket stalledPut(RawS3 front, String path) throws IOException {
        String frontHost = "127.0.0.1:" + front.port;
        var signed = front.signer.sign("PUT", frontHost, path, "", Map.of(), PayloadMode.UNSIGNED.headerValue());
        StringBuilder head = new StringBuilder("PUT " + path + " HTTP/1.1\r\nHost: " + frontHost + "\r\n");
        signed.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: 100\r\n\r\nx");
        Socket socket = new Socket("127.0.0.1", front.port);
        socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Waits until the front's in-flight gauge reads {@code count} (10 s at most). */
    private static void awaitInFlight(SimpleMeterRegistry registry, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double value;
        while ((value = registry.get("seabed.s3.requests.inflight").gauge().value()) != count) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("in-flight stayed " + value + ", never " + count + ", within 10 s");
            Thread.sleep(10);
        }
    }

    // ---- helpers ----

    private static void assertError(RawS3.Response r, int status, String code) {
        assertError(r, status, code, "");
    }

    /** The precise error, as an S3 error document that shows no stack trace or exception name. */
    private static void assertError(RawS3.Response r, int status, String code, String context) {
        assertEquals(status, r.status(), context + ": " + r.body());
        assertEquals(code, r.errorCode(), context + ": " + r.body());
        assertTrue(r.body().contains("<RequestId>"), context + ": " + r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), context + ": " + r.body());
    }

    private static void assertSdkError(S3Exception e, int status, String code) {
        assertEquals(status, e.statusCode(), e.getMessage());
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
    }

    private static String message(RawS3.Response r) {
        int a = r.body().indexOf("<Message>");
        int b = r.body().indexOf("</Message>");
        assertTrue(a >= 0 && b > a, r.body());
        return r.body().substring(a + 9, b);
    }

    private SigV4Signer.Signed sign(
            String method, String rawPath, String rawQuery, Map<String, String> headers, String payloadHash) {
        Map<String, List<String>> signedHeaders = new LinkedHashMap<>();
        headers.forEach((k, v) -> signedHeaders.put(k, List.of(v)));
        return raw.signer.sign(method, host, rawPath, rawQuery, signedHeaders, payloadHash);
    }

    /** The request line and headers (each signed), without Content-Length or the blank line. */
    private String head(
            String method, String rawPath, String rawQuery, Map<String, String> headers, SigV4Signer.Signed signed) {
        StringBuilder head = new StringBuilder(method).append(' ').append(rawPath);
        if (!rawQuery.isEmpty()) head.append('?').append(rawQuery);
        head.append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        signed.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        return head.toString();
    }

    /** A complete signed head for a body of the given payload hash, one byte long (for the date tests). */
    private String signedHead(
            String method, String rawPath, String rawQuery, Map<String, String> headers, String payloadHash) {
        return head(method, rawPath, rawQuery, headers, sign(method, rawPath, rawQuery, headers, payloadHash))
                + "Content-Length: 1\r\nConnection: close\r\n\r\n";
    }

    /** A SigV4-signed request (every header of {@code headers} signed, the body's hash as payload hash). */
    private RawS3.Response send(
            String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {
        String head = head(
                        method,
                        rawPath,
                        rawQuery,
                        headers,
                        sign(method, rawPath, rawQuery, headers, RawS3.sha256Hex(body)))
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        return exchange(head, body, method.equals("HEAD"));
    }

    /** A signed request whose body goes HTTP-chunked (no Content-Length), in 64 KiB chunks. */
    private RawS3.Response sendChunked(String method, String rawPath, String rawQuery, byte[] body) {
        String head = head(
                        method,
                        rawPath,
                        rawQuery,
                        Map.of(),
                        sign(method, rawPath, rawQuery, Map.of(), RawS3.sha256Hex(body)))
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int offset = 0; offset < body.length; offset += 64 * 1024) {
            int n = Math.min(64 * 1024, body.length - offset);
            wire.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            wire.write(body, offset, n);
            wire.writeBytes(utf8("\r\n"));
        }
        wire.writeBytes(utf8("0\r\n\r\n"));
        return exchange(head, wire.toByteArray(), false);
    }

    private RawS3.Response exchange(String head, byte[] body, boolean headRequest) {
        return exchange(head.getBytes(StandardCharsets.UTF_8), body, headRequest);
    }

    /**
     * Writes the request from another thread while this one reads the response, so an error answered before the
     * body is read (the server then closes) arrives whole; the response is read by its Content-Length, so a reset
     * after it loses nothing.
     */
    private RawS3.Response exchange(byte[] head, byte[] body, boolean headRequest) {
        Thread writer;
        RawS3.Response response;
        try (Socket socket = new Socket("127.0.0.1", seabed.server.s3Port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(head);
                    out.write(body);
                    out.flush();
                } catch (IOException expected) {
                    // The server answered and closed before taking the whole body: the response says why.
                }
            });
            response = read(socket.getInputStream(), headRequest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return response;
    }

    private static RawS3.Response read(InputStream in, boolean headRequest) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b;
            try {
                b = in.read();
            } catch (SocketException reset) {
                b = -1; // Cut before any response: reported as NO_RESPONSE, like an orderly close.
            }
            if (b < 0) {
                if (head.isEmpty()) return new RawS3.Response(RawS3.NO_RESPONSE, Map.of(), "");
                throw new IOException("the response ended in its head: " + head);
            }
            head.append((char) b);
        }
        String[] lines = head.toString().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(),
                    lines[i].substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        assertNotNull(length, "response without Content-Length: " + head);
        byte[] body = headRequest ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        return new RawS3.Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
