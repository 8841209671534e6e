package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.s3.checksum.Crc64Nvme;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectAttributesResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.ObjectPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * S3 flexible checksums with the AWS SDK v2 (default config: it sends a checksum with every upload and
 * validates the checksum of every whole-object GET): stored on PUT, returned with x-amz-checksum-mode,
 * per part and COMPOSITE or FULL_OBJECT on multipart, GetObjectAttributes, kept by CopyObject.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChecksumTest {
    private static final String BUCKET = "sums";
    private static final int PART_BYTES = 5 << 20;

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

    @Test
    void defaultClientStoresItsCrc32() {
        byte[] data = TestFiles.bytes(1, 100_000);
        PutObjectResponse put = s3.putObject(b -> b.bucket(BUCKET).key("default"), RequestBody.fromBytes(data));
        assertEquals(base64(ChecksumAlgorithm.CRC32, data), put.checksumCRC32());
        assertEquals(ChecksumType.FULL_OBJECT, put.checksumType());

        assertNull(s3.headObject(b -> b.bucket(BUCKET).key("default")).checksumCRC32());
        HeadObjectResponse head =
                s3.headObject(b -> b.bucket(BUCKET).key("default").checksumMode(ChecksumMode.ENABLED));
        assertEquals(put.checksumCRC32(), head.checksumCRC32());
        assertEquals(ChecksumType.FULL_OBJECT, head.checksumType());

        ResponseBytes<GetObjectResponse> got =
                s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("default").checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(data, got.asByteArray());
        assertEquals(put.checksumCRC32(), got.response().checksumCRC32());

        // A range covers no stored checksum: none comes back.
        GetObjectResponse range = s3.getObjectAsBytes(b ->
                        b.bucket(BUCKET).key("default").range("bytes=10-99").checksumMode(ChecksumMode.ENABLED))
                .response();
        assertNull(range.checksumCRC32());
    }

    @Test
    void everyAlgorithmOnPutAndGet() {
        byte[] data = TestFiles.bytes(2, 70_000);
        for (ChecksumAlgorithm algorithm : List.of(
                ChecksumAlgorithm.CRC32,
                ChecksumAlgorithm.CRC32_C,
                ChecksumAlgorithm.CRC64_NVME,
                ChecksumAlgorithm.SHA1,
                ChecksumAlgorithm.SHA256)) {
            String key = "put-" + algorithm;
            String expected = base64(algorithm, data);
            PutObjectResponse put = s3.putObject(
                    b -> withValue(b.bucket(BUCKET).key(key), algorithm, expected), RequestBody.fromBytes(data));
            assertEquals(
                    expected,
                    value(
                            algorithm,
                            put.checksumCRC32(),
                            put.checksumCRC32C(),
                            put.checksumCRC64NVME(),
                            put.checksumSHA1(),
                            put.checksumSHA256()),
                    key);
            HeadObjectResponse h = s3.headObject(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED));
            assertEquals(
                    expected,
                    value(
                            algorithm,
                            h.checksumCRC32(),
                            h.checksumCRC32C(),
                            h.checksumCRC64NVME(),
                            h.checksumSHA1(),
                            h.checksumSHA256()),
                    key);
            if (algorithm == ChecksumAlgorithm.CRC64_NVME) continue; // the SDK validates it only with the CRT
            ResponseBytes<GetObjectResponse> got =
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED));
            assertArrayEquals(data, got.asByteArray());
            GetObjectResponse g = got.response();
            assertEquals(
                    expected,
                    value(
                            algorithm,
                            g.checksumCRC32(),
                            g.checksumCRC32C(),
                            g.checksumCRC64NVME(),
                            g.checksumSHA1(),
                            g.checksumSHA256()),
                    key);
        }
    }

    @Test
    void wrongChecksumIsBadDigestAndStoresNothing() {
        byte[] data = TestFiles.bytes(3, 1000);
        String wrong = base64(ChecksumAlgorithm.SHA256, new byte[] {1});
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.putObject(
                        b -> b.bucket(BUCKET).key("bad").checksumSHA256(wrong), RequestBody.fromBytes(data)));
        assertEquals(400, e.statusCode());
        assertEquals("BadDigest", e.awsErrorDetails().errorCode());
        assertThrows(
                NoSuchKeyException.class,
                () -> s3.headObject(b -> b.bucket(BUCKET).key("bad")));
    }

    @Test
    void multipartComposite() {
        byte[][] parts = {TestFiles.bytes(4, PART_BYTES), TestFiles.bytes(5, 3000)};
        String id = s3.createMultipartUpload(
                        b -> b.bucket(BUCKET).key("composite").checksumAlgorithm(ChecksumAlgorithm.SHA256))
                .uploadId();
        List<CompletedPart> completed = uploadParts("composite", id, ChecksumAlgorithm.SHA256, parts);

        ListPartsResponse listed =
                s3.listParts(b -> b.bucket(BUCKET).key("composite").uploadId(id));
        assertEquals(ChecksumAlgorithm.SHA256, listed.checksumAlgorithm());
        assertEquals(ChecksumType.COMPOSITE, listed.checksumType());
        for (int i = 0; i < parts.length; i++)
            assertEquals(
                    base64(ChecksumAlgorithm.SHA256, parts[i]),
                    listed.parts().get(i).checksumSHA256());

        String expected = composite(ChecksumAlgorithm.SHA256, parts);
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(
                b -> b.bucket(BUCKET).key("composite").uploadId(id).multipartUpload(m -> m.parts(completed)));
        assertEquals(expected, done.checksumSHA256());
        assertEquals(ChecksumType.COMPOSITE, done.checksumType());

        HeadObjectResponse head =
                s3.headObject(b -> b.bucket(BUCKET).key("composite").checksumMode(ChecksumMode.ENABLED));
        assertEquals(expected, head.checksumSHA256());
        assertEquals(ChecksumType.COMPOSITE, head.checksumType());
        // The SDK skips validating a composite checksum; a part's is validated.
        assertArrayEquals(
                concat(parts),
                s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("composite").checksumMode(ChecksumMode.ENABLED))
                        .asByteArray());
        ResponseBytes<GetObjectResponse> part2 = s3.getObjectAsBytes(
                b -> b.bucket(BUCKET).key("composite").partNumber(2).checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(parts[1], part2.asByteArray());
        assertEquals(
                base64(ChecksumAlgorithm.SHA256, parts[1]), part2.response().checksumSHA256());

        GetObjectAttributesResponse attributes = s3.getObjectAttributes(b -> b.bucket(BUCKET)
                .key("composite")
                .objectAttributes(
                        ObjectAttributes.E_TAG,
                        ObjectAttributes.CHECKSUM,
                        ObjectAttributes.OBJECT_PARTS,
                        ObjectAttributes.STORAGE_CLASS,
                        ObjectAttributes.OBJECT_SIZE));
        assertEquals(done.eTag().replace("\"", ""), attributes.eTag());
        assertEquals(expected, attributes.checksum().checksumSHA256());
        assertEquals(ChecksumType.COMPOSITE, attributes.checksum().checksumType());
        assertEquals(PART_BYTES + 3000L, attributes.objectSize());
        assertEquals(2, attributes.objectParts().totalPartsCount());
        List<ObjectPart> listedParts = attributes.objectParts().parts();
        assertEquals(2, listedParts.size());
        assertEquals(3000L, listedParts.get(1).size());
        assertEquals(
                base64(ChecksumAlgorithm.SHA256, parts[1]), listedParts.get(1).checksumSHA256());

        GetObjectAttributesResponse page = s3.getObjectAttributes(
                b -> b.bucket(BUCKET).key("composite").maxParts(1).objectAttributes(ObjectAttributes.OBJECT_PARTS));
        assertTrue(page.objectParts().isTruncated());
        assertEquals(1, page.objectParts().nextPartNumberMarker());
        assertEquals(1, page.objectParts().parts().size());
        assertNull(page.eTag());
    }

    @Test
    void multipartFullObjectCrcs() {
        byte[][] parts = {TestFiles.bytes(6, PART_BYTES), TestFiles.bytes(7, PART_BYTES), TestFiles.bytes(8, 777)};
        for (ChecksumAlgorithm algorithm :
                List.of(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32_C, ChecksumAlgorithm.CRC64_NVME)) {
            String key = "full-" + algorithm;
            String id = s3.createMultipartUpload(b -> b.bucket(BUCKET)
                            .key(key)
                            .checksumAlgorithm(algorithm)
                            .checksumType(ChecksumType.FULL_OBJECT))
                    .uploadId();
            List<CompletedPart> completed = uploadParts(key, id, algorithm, parts);
            CompleteMultipartUploadResponse done = s3.completeMultipartUpload(
                    b -> b.bucket(BUCKET).key(key).uploadId(id).multipartUpload(m -> m.parts(completed)));
            String expected = base64(algorithm, concat(parts));
            assertEquals(
                    expected,
                    value(algorithm, done.checksumCRC32(), done.checksumCRC32C(), done.checksumCRC64NVME(), null, null),
                    key);
            assertEquals(ChecksumType.FULL_OBJECT, done.checksumType());
            HeadObjectResponse h = s3.headObject(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED));
            assertEquals(
                    expected,
                    value(algorithm, h.checksumCRC32(), h.checksumCRC32C(), h.checksumCRC64NVME(), null, null),
                    key);
            if (algorithm == ChecksumAlgorithm.CRC64_NVME) continue; // the SDK validates it only with the CRT
            // The SDK validates the whole object against the combined CRC.
            ResponseBytes<GetObjectResponse> got =
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED));
            assertArrayEquals(concat(parts), got.asByteArray());
            GetObjectResponse g = got.response();
            assertEquals(
                    expected,
                    value(algorithm, g.checksumCRC32(), g.checksumCRC32C(), g.checksumCRC64NVME(), null, null),
                    key);
            assertEquals(ChecksumType.FULL_OBJECT, g.checksumType());
        }
    }

    @Test
    void crc64nvmeDefaultsToFullObjectAndCrc32ToComposite() {
        String nvme = s3.createMultipartUpload(
                        b -> b.bucket(BUCKET).key("defaults").checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME))
                .uploadId();
        assertEquals(
                ChecksumType.FULL_OBJECT,
                s3.listParts(b -> b.bucket(BUCKET).key("defaults").uploadId(nvme))
                        .checksumType());
        String crc = s3.createMultipartUpload(
                        b -> b.bucket(BUCKET).key("defaults").checksumAlgorithm(ChecksumAlgorithm.CRC32))
                .uploadId();
        assertEquals(
                ChecksumType.COMPOSITE,
                s3.listParts(b -> b.bucket(BUCKET).key("defaults").uploadId(crc))
                        .checksumType());
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.createMultipartUpload(b -> b.bucket(BUCKET)
                        .key("defaults")
                        .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                        .checksumType(ChecksumType.FULL_OBJECT)));
        assertEquals("InvalidRequest", e.awsErrorDetails().errorCode());
        s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("defaults").uploadId(nvme));
        s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("defaults").uploadId(crc));
    }

    @Test
    void completeChecksPartChecksumsAndTheObjectChecksum() {
        byte[][] parts = {TestFiles.bytes(9, 2000)};
        String id = s3.createMultipartUpload(
                        b -> b.bucket(BUCKET).key("checked").checksumAlgorithm(ChecksumAlgorithm.SHA256))
                .uploadId();
        // A part sent with another algorithm than the upload's is refused.
        S3Exception mismatch = assertThrows(
                S3Exception.class,
                () -> s3.uploadPart(
                        b -> b.bucket(BUCKET)
                                .key("checked")
                                .uploadId(id)
                                .partNumber(1)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        RequestBody.fromBytes(parts[0])));
        assertEquals("InvalidRequest", mismatch.awsErrorDetails().errorCode());
        List<CompletedPart> completed = uploadParts("checked", id, ChecksumAlgorithm.SHA256, parts);
        CompletedPart wrongPart = completed.getFirst().toBuilder()
                .checksumSHA256(base64(ChecksumAlgorithm.SHA256, new byte[] {7}))
                .build();
        S3Exception invalidPart = assertThrows(
                S3Exception.class,
                () -> s3.completeMultipartUpload(
                        b -> b.bucket(BUCKET).key("checked").uploadId(id).multipartUpload(m -> m.parts(wrongPart))));
        assertEquals("InvalidPart", invalidPart.awsErrorDetails().errorCode());
        S3Exception badDigest = assertThrows(
                S3Exception.class,
                () -> s3.completeMultipartUpload(b -> b.bucket(BUCKET)
                        .key("checked")
                        .uploadId(id)
                        .checksumSHA256(base64(ChecksumAlgorithm.SHA256, new byte[] {8}) + "-1")
                        .multipartUpload(m -> m.parts(completed))));
        assertEquals("BadDigest", badDigest.awsErrorDetails().errorCode());
        assertThrows(
                NoSuchKeyException.class,
                () -> s3.headObject(b -> b.bucket(BUCKET).key("checked")));
        // The upload survived both refusals.
        String expected = composite(ChecksumAlgorithm.SHA256, parts);
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(BUCKET)
                .key("checked")
                .uploadId(id)
                .checksumSHA256(expected)
                .multipartUpload(m -> m.parts(completed)));
        assertEquals(expected, done.checksumSHA256());
    }

    @Test
    void copyKeepsAFullObjectChecksumAndPartCopyComputesOne() {
        byte[] data = TestFiles.bytes(10, 50_000);
        s3.putObject(
                b -> b.bucket(BUCKET).key("copy-in").checksumAlgorithm(ChecksumAlgorithm.CRC32_C),
                RequestBody.fromBytes(data));
        s3.copyObject(b -> b.sourceBucket(BUCKET)
                .sourceKey("copy-in")
                .destinationBucket(BUCKET)
                .destinationKey("copy-out"));
        HeadObjectResponse head =
                s3.headObject(b -> b.bucket(BUCKET).key("copy-out").checksumMode(ChecksumMode.ENABLED));
        assertEquals(base64(ChecksumAlgorithm.CRC32_C, data), head.checksumCRC32C());
        String sha = s3.copyObject(b -> b.sourceBucket(BUCKET)
                        .sourceKey("copy-in")
                        .destinationBucket(BUCKET)
                        .destinationKey("copy-sha")
                        .checksumAlgorithm(ChecksumAlgorithm.SHA256))
                .copyObjectResult()
                .checksumSHA256();
        assertEquals(base64(ChecksumAlgorithm.SHA256, data), sha);
        assertEquals(
                sha,
                s3.headObject(b -> b.bucket(BUCKET).key("copy-sha").checksumMode(ChecksumMode.ENABLED))
                        .checksumSHA256());

        String id = s3.createMultipartUpload(
                        b -> b.bucket(BUCKET).key("part-copy").checksumAlgorithm(ChecksumAlgorithm.SHA1))
                .uploadId();
        String etag = s3.uploadPartCopy(b -> b.sourceBucket(BUCKET)
                        .sourceKey("copy-in")
                        .destinationBucket(BUCKET)
                        .destinationKey("part-copy")
                        .uploadId(id)
                        .partNumber(1)
                        .copySourceRange("bytes=0-999"))
                .copyPartResult()
                .eTag();
        byte[] first = Arrays.copyOf(data, 1000);
        String partSum = base64(ChecksumAlgorithm.SHA1, first);
        assertEquals(
                partSum,
                s3.listParts(b -> b.bucket(BUCKET).key("part-copy").uploadId(id))
                        .parts()
                        .getFirst()
                        .checksumSHA1());
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(BUCKET)
                .key("part-copy")
                .uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder()
                        .partNumber(1)
                        .eTag(etag)
                        .checksumSHA1(partSum)
                        .build())));
        assertEquals(composite(ChecksumAlgorithm.SHA1, new byte[][] {first}), done.checksumSHA1());
    }

    @Test
    void attributesOfASinglePut() {
        byte[] data = TestFiles.bytes(11, 1024);
        PutObjectResponse put = s3.putObject(
                b -> b.bucket(BUCKET).key("attrs").checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromBytes(data));
        GetObjectAttributesResponse a = s3.getObjectAttributes(b -> b.bucket(BUCKET)
                .key("attrs")
                .objectAttributes(
                        ObjectAttributes.E_TAG,
                        ObjectAttributes.CHECKSUM,
                        ObjectAttributes.OBJECT_PARTS,
                        ObjectAttributes.STORAGE_CLASS,
                        ObjectAttributes.OBJECT_SIZE));
        assertEquals(put.eTag().replace("\"", ""), a.eTag());
        assertEquals(put.checksumSHA256(), a.checksum().checksumSHA256());
        assertEquals(1024L, a.objectSize());
        assertEquals("STANDARD", a.storageClassAsString());
        assertNull(a.objectParts());
        assertThrows(
                NoSuchKeyException.class,
                () -> s3.getObjectAttributes(
                        b -> b.bucket(BUCKET).key("absent").objectAttributes(ObjectAttributes.E_TAG)));
    }

    private List<CompletedPart> uploadParts(String key, String id, ChecksumAlgorithm algorithm, byte[][] parts) {
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            byte[] d = parts[i];
            UploadPartResponse r = s3.uploadPart(
                    b -> {
                        b.bucket(BUCKET).key(key).uploadId(id).partNumber(n).checksumAlgorithm(algorithm);
                        // The SDK computes CRC64NVME only with the CRT, which is not on the test classpath.
                        if (algorithm == ChecksumAlgorithm.CRC64_NVME) b.checksumCRC64NVME(base64(algorithm, d));
                    },
                    RequestBody.fromBytes(d));
            String sum = value(
                    algorithm,
                    r.checksumCRC32(),
                    r.checksumCRC32C(),
                    r.checksumCRC64NVME(),
                    r.checksumSHA1(),
                    r.checksumSHA256());
            assertEquals(base64(algorithm, d), sum, key + " part " + n);
            CompletedPart.Builder p = CompletedPart.builder().partNumber(n).eTag(r.eTag());
            switch (algorithm) {
                case CRC32 -> p.checksumCRC32(sum);
                case CRC32_C -> p.checksumCRC32C(sum);
                case CRC64_NVME -> p.checksumCRC64NVME(sum);
                case SHA1 -> p.checksumSHA1(sum);
                case SHA256 -> p.checksumSHA256(sum);
                default -> throw new IllegalArgumentException(algorithm.toString());
            }
            completed.add(p.build());
        }
        return completed;
    }

    /** The request with the checksum value given (the SDK computes CRC64NVME only with the CRT). */
    private static PutObjectRequest.Builder withValue(
            PutObjectRequest.Builder b, ChecksumAlgorithm algorithm, String value) {
        b.checksumAlgorithm(algorithm);
        return algorithm == ChecksumAlgorithm.CRC64_NVME ? b.checksumCRC64NVME(value) : b;
    }

    private static String value(
            ChecksumAlgorithm algorithm, String crc32, String crc32c, String crc64nvme, String sha1, String sha256) {
        return switch (algorithm) {
            case CRC32 -> crc32;
            case CRC32_C -> crc32c;
            case CRC64_NVME -> crc64nvme;
            case SHA1 -> sha1;
            case SHA256 -> sha256;
            default -> throw new IllegalArgumentException(algorithm.toString());
        };
    }

    /** The checksum computed here, independently of the server (CRC64NVME: the gateway's, unit-tested). */
    private static byte[] raw(ChecksumAlgorithm algorithm, byte[] data) {
        return switch (algorithm) {
            case CRC32 -> crc(new CRC32(), 4, data);
            case CRC32_C -> crc(new CRC32C(), 4, data);
            case CRC64_NVME -> crc(new Crc64Nvme(), 8, data);
            case SHA1 -> digest("SHA-1", data);
            case SHA256 -> digest("SHA-256", data);
            default -> throw new IllegalArgumentException(algorithm.toString());
        };
    }

    private static String base64(ChecksumAlgorithm algorithm, byte[] data) {
        return Base64.getEncoder().encodeToString(raw(algorithm, data));
    }

    private static String composite(ChecksumAlgorithm algorithm, byte[][] parts) {
        ByteBuffer all = ByteBuffer.allocate(parts.length * 64);
        for (byte[] p : parts) all.put(raw(algorithm, p));
        byte[] concatenated = Arrays.copyOf(all.array(), all.position());
        return base64(algorithm, concatenated) + "-" + parts.length;
    }

    private static byte[] crc(Checksum crc, int widthBytes, byte[] data) {
        crc.update(data, 0, data.length);
        long v = crc.getValue();
        byte[] out = new byte[widthBytes];
        for (int i = widthBytes - 1; i >= 0; i--) {
            out[i] = (byte) v;
            v >>>= 8;
        }
        return out;
    }

    private static byte[] digest(String name, byte[] data) {
        try {
            return MessageDigest.getInstance(name).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name, e);
        }
    }

    private static byte[] concat(byte[][] parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer out = ByteBuffer.allocate(n);
        for (byte[] p : parts) out.put(p);
        return out.array();
    }
}
