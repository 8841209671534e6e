package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.object.ObjectReads.OpenObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CopyObject and UploadPartCopy in the namespace: copies own fresh chunks, never their input's. */
class ObjectCopyTest extends NamespaceTestBase {
    private void put(Bucket b, String key, byte[] data, ObjectMetadata m) {
        f.ns.putObject(b, key, data.length, m, NamespaceFixture.body(data));
    }

    private void collectEverythingDue() {
        f.nowMillis.addAndGet(1000);
        while (f.ns.garbageCollector().pass() > 0) {}
    }

    /**
     * Goal: a copy survives the deletion of its input. Method: copy objects of several sizes (inline,
     * one chunk, several chunks with a partial last one), delete the inputs, run the collector, read.
     */
    @Test
    void copySurvivesItsInput() {
        Bucket b = f.ns.createBucket(f.user, "copy");
        ObjectMetadata m = new ObjectMetadata(Map.of("content-type", "text/plain"), Map.of("k", "v"));
        for (int size : new int[] {0, 100, 65_536, 200_001}) {
            byte[] data = bytes(size, size);
            put(b, "in" + size, data, m);
            OpenObject input = f.ns.openObject(b, "in" + size, true);
            ObjectInfo copy = f.ns.copyObject(input, b, "out" + size, null, WriteCondition.NONE);
            assertEquals(input.info().etag(), copy.etag());
            assertEquals(m.userMetadata(), copy.userMetadata());
            f.ns.deleteObject(b, "in" + size);
        }
        long deletedBefore = f.ns.garbageCollector().chunksDeleted();
        collectEverythingDue();
        assertTrue(f.ns.garbageCollector().chunksDeleted() > deletedBefore, "the inputs' chunks were collected");
        for (int size : new int[] {0, 100, 65_536, 200_001})
            assertArrayEquals(bytes(size, size), f.read(b, "out" + size), "size " + size);
    }

    @Test
    void copyOntoItselfWithNewMetadataKeepsTheData() {
        Bucket b = f.ns.createBucket(f.user, "copy-self");
        byte[] data = bytes(9, 150_000);
        put(b, "k", data, ObjectMetadata.EMPTY);
        ObjectMetadata m = new ObjectMetadata(Map.of(), Map.of("new", "yes"));
        f.ns.copyObject(f.ns.openObject(b, "k", true), b, "k", m, WriteCondition.NONE);
        collectEverythingDue();
        assertArrayEquals(data, f.read(b, "k"));
        assertEquals(Map.of("new", "yes"), f.ns.openObject(b, "k", false).info().userMetadata());
    }

    @Test
    void failedConditionLeavesTheDestination() {
        Bucket b = f.ns.createBucket(f.user, "copy-cond");
        put(b, "in", bytes(1, 100_000), ObjectMetadata.EMPTY);
        put(b, "out", bytes(2, 10), ObjectMetadata.EMPTY);
        NamespaceException e = assertThrows(
                NamespaceException.class,
                () -> f.ns.copyObject(f.ns.openObject(b, "in", true), b, "out", null, new WriteCondition("*", null)));
        assertEquals(Reason.PRECONDITION_FAILED, e.reason());
        assertArrayEquals(bytes(2, 10), f.read(b, "out"));
    }

    /** Part copies at offsets that straddle chunk boundaries assemble the expected bytes. */
    @Test
    void uploadPartCopyRanges() {
        Bucket b = f.ns.createBucket(f.user, "copy-part");
        byte[] data = bytes(3, 300_000);
        put(b, "in", data, ObjectMetadata.EMPTY);
        OpenObject input = f.ns.openObject(b, "in", true);
        String id = f.ns.createUpload(b, "out", ObjectMetadata.EMPTY, f.user);
        long[][] ranges = {{65_000, 70_000}, {131_072, 65_536}, {0, 1000}, {299_999, 1}};
        List<UploadPart> parts = new java.util.ArrayList<>();
        byte[] expected = new byte[0];
        for (int i = 0; i < ranges.length; i++) {
            long offset = ranges[i][0];
            long length = ranges[i][1];
            PartInfo p = f.ns.uploadPartCopy(input, offset, length, b, "out", id, i + 1);
            parts.add(new UploadPart(i + 1, p.etag()));
            int at = expected.length;
            expected = Arrays.copyOf(expected, at + (int) length);
            System.arraycopy(data, (int) offset, expected, at, (int) length);
        }
        NamespaceException outside =
                assertThrows(NamespaceException.class, () -> f.ns.uploadPartCopy(input, 299_999, 2, b, "out", id, 9));
        assertEquals(Reason.INVALID_ARGUMENT, outside.reason());
        f.ns.completeUpload(b, "out", id, parts);
        assertArrayEquals(expected, f.read(b, "out"));
    }
}
