package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** GetObject and HeadObject with partNumber=N. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartNumberTest {
    static final int PART1_BYTES = 5 << 20;
    static final int PART2_BYTES = 1000;

    private InProcessSeabed seabed;
    private S3Client s3;
    private byte[] data;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        s3.createBucket(b -> b.bucket("parts"));
        data = new byte[PART1_BYTES + PART2_BYTES];
        new Random(7).nextBytes(data);
        String id = s3.createMultipartUpload(b -> b.bucket("parts").key("mp")).uploadId();
        String e1 = s3.uploadPart(
                        b -> b.bucket("parts").key("mp").uploadId(id).partNumber(1),
                        RequestBody.fromBytes(Arrays.copyOfRange(data, 0, PART1_BYTES)))
                .eTag();
        String e2 = s3.uploadPart(
                        b -> b.bucket("parts").key("mp").uploadId(id).partNumber(2),
                        RequestBody.fromBytes(Arrays.copyOfRange(data, PART1_BYTES, data.length)))
                .eTag();
        String location = s3.completeMultipartUpload(b -> b.bucket("parts")
                        .key("mp")
                        .uploadId(id)
                        .multipartUpload(m -> m.parts(
                                CompletedPart.builder().partNumber(1).eTag(e1).build(),
                                CompletedPart.builder().partNumber(2).eTag(e2).build())))
                .location();
        // An absolute URL, as S3 gives.
        if (!location.equals(seabed.endpoint + "/parts/mp")) throw new AssertionError("Location " + location);
        s3.putObject(b -> b.bucket("parts").key("single"), RequestBody.fromString("single"));
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    @Test
    void getAndHeadOfEachPart() {
        ResponseBytes<GetObjectResponse> second =
                s3.getObjectAsBytes(b -> b.bucket("parts").key("mp").partNumber(2));
        assertArrayEquals(Arrays.copyOfRange(data, PART1_BYTES, data.length), second.asByteArray());
        assertEquals(
                "bytes " + PART1_BYTES + "-" + (data.length - 1) + "/" + data.length,
                second.response().contentRange());
        assertEquals(2, second.response().partsCount());
        HeadObjectResponse first =
                s3.headObject(b -> b.bucket("parts").key("mp").partNumber(1));
        assertEquals(PART1_BYTES, first.contentLength());
        assertEquals("bytes 0-" + (PART1_BYTES - 1) + "/" + data.length, first.contentRange());
        assertEquals(2, first.partsCount());
        // As S3: the parts count answers partNumber reads only.
        assertNull(s3.headObject(b -> b.bucket("parts").key("mp")).partsCount());
    }

    @Test
    void singlePutObjectIsItsOwnPartOne() {
        ResponseBytes<GetObjectResponse> one =
                s3.getObjectAsBytes(b -> b.bucket("parts").key("single").partNumber(1));
        assertEquals("single", one.asUtf8String());
        assertNull(one.response().partsCount());
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("parts").key("single").partNumber(2)));
        assertEquals(400, e.statusCode());
        assertEquals("InvalidPart", e.awsErrorDetails().errorCode());
    }

    @Test
    void badPartNumbers() {
        S3Exception beyond = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("parts").key("mp").partNumber(3)));
        // ceph/s3-tests (test_multipart_get_part, test_non_multipart_get_part) expect 400 InvalidPart.
        assertEquals(400, beyond.statusCode());
        assertEquals("InvalidPart", beyond.awsErrorDetails().errorCode());
        S3Exception head = assertThrows(
                S3Exception.class,
                () -> s3.headObject(b -> b.bucket("parts").key("mp").partNumber(3)));
        assertEquals(400, head.statusCode());
        S3Exception zero = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(b -> b.bucket("parts").key("mp").partNumber(0)));
        assertEquals(400, zero.statusCode());
        assertEquals("InvalidArgument", zero.awsErrorDetails().errorCode());
        S3Exception both = assertThrows(
                S3Exception.class,
                () -> s3.getObjectAsBytes(
                        b -> b.bucket("parts").key("mp").partNumber(1).range("bytes=0-1")));
        assertEquals(400, both.statusCode());
        assertEquals("InvalidRequest", both.awsErrorDetails().errorCode());
    }
}
