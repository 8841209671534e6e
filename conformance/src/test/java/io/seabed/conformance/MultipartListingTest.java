package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** ListMultipartUploads and ListParts, with paging at every page size. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultipartListingTest {
    static final List<String> KEYS = List.of("a", "a", "b/1", "b/2", "b/x/3", "c", "é");

    private InProcessSeabed seabed;
    private S3Client s3;
    private RawS3 raw;
    /** "key uploadId" of every upload, in the order a listing returns them. */
    private final List<String> expected = new ArrayList<>();

    private String withParts;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        raw = new RawS3(
                seabed.server.s3Port(), InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY, InstantSource.system());
        s3.createBucket(b -> b.bucket("mpl"));
        for (String k : KEYS) {
            String id = s3.createMultipartUpload(b -> b.bucket("mpl").key(k)).uploadId();
            expected.add(k + " " + id);
            if (k.equals("b/1")) withParts = id;
        }
        expected.sort(null);
        for (int n = 1; n <= 3; n++) {
            int part = n;
            s3.uploadPart(
                    b -> b.bucket("mpl").key("b/1").uploadId(withParts).partNumber(part),
                    RequestBody.fromString("part " + part));
        }
        s3.createBucket(b -> b.bucket("other"));
        s3.createMultipartUpload(b -> b.bucket("other").key("elsewhere"));
    }

    @AfterAll
    void stop() {
        s3.close();
        seabed.close();
    }

    private static List<String> names(ListMultipartUploadsResponse r) {
        List<String> out = new ArrayList<>();
        for (MultipartUpload u : r.uploads()) out.add(u.key() + " " + u.uploadId());
        return out;
    }

    @Test
    void listsEveryUploadInKeyOrder() {
        ListMultipartUploadsResponse r = s3.listMultipartUploads(b -> b.bucket("mpl"));
        assertEquals(expected, names(r));
        assertFalse(r.isTruncated());
        assertEquals(1000, r.maxUploads());
        MultipartUpload first = r.uploads().getFirst();
        assertTrue(first.initiated() != null && first.initiator().id() != null);
        assertEquals(
                List.of("b/1", "b/2", "b/x/3"),
                s3.listMultipartUploads(b -> b.bucket("mpl").prefix("b/")).uploads().stream()
                        .map(MultipartUpload::key)
                        .toList());
    }

    @Test
    void delimiterRollsUpPrefixes() {
        ListMultipartUploadsResponse r =
                s3.listMultipartUploads(b -> b.bucket("mpl").delimiter("/"));
        assertEquals(
                List.of("a", "a", "c", "é"),
                r.uploads().stream().map(MultipartUpload::key).toList());
        assertEquals(
                List.of("b/"),
                r.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        ListMultipartUploadsResponse under =
                s3.listMultipartUploads(b -> b.bucket("mpl").prefix("b/").delimiter("/"));
        assertEquals(
                List.of("b/1", "b/2"),
                under.uploads().stream().map(MultipartUpload::key).toList());
        assertEquals(
                List.of("b/x/"),
                under.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
    }

    /** Goal: following the markers at every page size, with and without a delimiter, visits each entry once. */
    @Test
    void pagingAtEverySize() {
        for (String delimiter : new String[] {null, "/"}) {
            List<String> whole = new ArrayList<>();
            ListMultipartUploadsResponse all =
                    s3.listMultipartUploads(b -> b.bucket("mpl").delimiter(delimiter));
            whole.addAll(names(all));
            for (CommonPrefix p : all.commonPrefixes()) whole.add(p.prefix());
            whole.sort(null);
            for (int size = 1; size <= whole.size() + 1; size++) {
                int max = size;
                List<String> seen = new ArrayList<>();
                String keyMarker = null;
                String idMarker = null;
                for (int pages = 0; pages <= whole.size() + 1; pages++) {
                    String km = keyMarker;
                    String im = idMarker;
                    ListMultipartUploadsResponse r = s3.listMultipartUploads(b -> b.bucket("mpl")
                            .delimiter(delimiter)
                            .maxUploads(max)
                            .keyMarker(km)
                            .uploadIdMarker(im));
                    assertTrue(r.uploads().size() + r.commonPrefixes().size() <= max);
                    seen.addAll(names(r));
                    for (CommonPrefix p : r.commonPrefixes()) seen.add(p.prefix());
                    if (!r.isTruncated()) break;
                    keyMarker = r.nextKeyMarker();
                    idMarker = r.nextUploadIdMarker();
                }
                seen.sort(null);
                assertEquals(whole, seen, "delimiter " + delimiter + ", page size " + size);
            }
        }
    }

    @Test
    void listPartsPages() {
        ListPartsResponse all = s3.listParts(b -> b.bucket("mpl").key("b/1").uploadId(withParts));
        assertEquals(
                List.of(1, 2, 3), all.parts().stream().map(Part::partNumber).toList());
        assertEquals(6L, all.parts().getFirst().size());
        assertFalse(all.isTruncated());
        ListPartsResponse first =
                s3.listParts(b -> b.bucket("mpl").key("b/1").uploadId(withParts).maxParts(2));
        assertEquals(List.of(1, 2), first.parts().stream().map(Part::partNumber).toList());
        assertTrue(first.isTruncated());
        assertEquals(2, first.nextPartNumberMarker());
        ListPartsResponse second = s3.listParts(
                b -> b.bucket("mpl").key("b/1").uploadId(withParts).maxParts(2).partNumberMarker(2));
        assertEquals(List.of(3), second.parts().stream().map(Part::partNumber).toList());
        assertFalse(second.isTruncated());
    }

    @Test
    void listPartsErrors() {
        assertThrows(
                NoSuchUploadException.class,
                () -> s3.listParts(b -> b.bucket("mpl").key("b/1").uploadId("00000000000000000000000000000000")));
        assertThrows(
                NoSuchUploadException.class,
                () -> s3.listParts(b -> b.bucket("mpl").key("b/2").uploadId(withParts)));
        assertThrows(
                NoSuchUploadException.class,
                () -> s3.listParts(b -> b.bucket("mpl").key("b/1").uploadId("junk")));
        RawS3.Response bad = raw.send("GET", "/mpl/b/1", "max-parts=abc&uploadId=" + withParts, new byte[0]);
        assertEquals(400, bad.status(), bad.body());
        assertEquals("InvalidArgument", bad.errorCode());
    }

    @Test
    void badParametersAndMethods() {
        RawS3.Response bad = raw.send("GET", "/mpl", "max-uploads=-1&uploads=", new byte[0]);
        assertEquals(400, bad.status(), bad.body());
        assertEquals("InvalidArgument", bad.errorCode());
        RawS3.Response put = raw.send("PUT", "/mpl", "uploads=", new byte[0]);
        assertEquals(405, put.status(), put.body());
        assertEquals(expected, names(s3.listMultipartUploads(b -> b.bucket("mpl"))));
    }

    @Test
    void abortedAndCompletedUploadsLeaveTheListing() {
        s3.createBucket(b -> b.bucket("gone"));
        String a = s3.createMultipartUpload(b -> b.bucket("gone").key("x")).uploadId();
        String c = s3.createMultipartUpload(b -> b.bucket("gone").key("y")).uploadId();
        String etag = s3.uploadPart(
                        b -> b.bucket("gone").key("y").uploadId(c).partNumber(1), RequestBody.fromString("y"))
                .eTag();
        assertEquals(2, s3.listMultipartUploads(b -> b.bucket("gone")).uploads().size());
        s3.abortMultipartUpload(b -> b.bucket("gone").key("x").uploadId(a));
        s3.completeMultipartUpload(b -> b.bucket("gone")
                .key("y")
                .uploadId(c)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag))));
        assertTrue(s3.listMultipartUploads(b -> b.bucket("gone")).uploads().isEmpty());
    }

    @Test
    void otherBucketIsNotListed() {
        assertEquals(
                List.of("elsewhere"),
                s3.listMultipartUploads(b -> b.bucket("other")).uploads().stream()
                        .map(MultipartUpload::key)
                        .toList());
        S3Exception e = assertThrows(S3Exception.class, () -> s3.listMultipartUploads(b -> b.bucket("no-such-bucket")));
        assertEquals("NoSuchBucket", e.awsErrorDetails().errorCode());
    }
}
