package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ListMultipartUploads and ListParts over table 0x40, where each upload's parts follow its record. */
class UploadListingTest extends NamespaceTestBase {
    /**
     * Goal: uploads are found past uploads with more parts than one scan batch (256). Method: three
     * uploads, the middle one in upload-id order with 300 parts; list them and page through parts.
     */
    @Test
    void uploadsWithManyPartsAreSkippedOver() {
        Bucket b = f.ns.createBucket(f.user, "many-parts");
        List<String> ids = new ArrayList<>();
        for (String key : new String[] {"z", "y", "x"})
            ids.add(f.ns.createUpload(b, key, ObjectMetadata.EMPTY, f.user));
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        String busy = sorted.get(1);
        String busyKey = new String[] {"z", "y", "x"}[ids.indexOf(busy)];
        for (int n = 1; n <= 300; n++)
            f.ns.uploadPart(b, busyKey, busy, n, 1, NamespaceFixture.body(new byte[] {(byte) n}));
        UploadPage page = f.ns.listUploads(b, null, null, null, null, 1000);
        assertEquals(
                List.of("x", "y", "z"),
                page.uploads().stream().map(UploadInfo::key).toList());
        assertFalse(page.truncated());

        List<Integer> numbers = new ArrayList<>();
        int marker = 0;
        for (int pages = 0; pages < 10; pages++) {
            PartPage parts = f.ns.listParts(b, busyKey, busy, marker, 128);
            for (PartInfo p : parts.parts()) numbers.add(p.partNumber());
            if (!parts.truncated()) break;
            marker = parts.nextPartNumberMarker();
        }
        assertEquals(300, numbers.size());
        for (int i = 0; i < 300; i++) assertEquals(i + 1, numbers.get(i));
    }

    @Test
    void keyAndUploadIdMarkers() {
        Bucket b = f.ns.createBucket(f.user, "markers");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) ids.add(f.ns.createUpload(b, "same", ObjectMetadata.EMPTY, f.user));
        ids.sort(null);
        f.ns.createUpload(b, "later", ObjectMetadata.EMPTY, f.user);
        UploadPage afterFirst = f.ns.listUploads(b, null, null, "same", ids.get(0), 1000);
        assertEquals(
                ids.subList(1, 3),
                afterFirst.uploads().stream().map(UploadInfo::uploadId).toList());
        UploadPage afterKey = f.ns.listUploads(b, null, null, "later", null, 1000);
        assertEquals(ids, afterKey.uploads().stream().map(UploadInfo::uploadId).toList());
        UploadPage two = f.ns.listUploads(b, null, null, null, null, 2);
        assertTrue(two.truncated());
        assertEquals("same", two.nextKeyMarker());
        assertEquals(ids.get(0), two.nextUploadIdMarker());
    }
}
