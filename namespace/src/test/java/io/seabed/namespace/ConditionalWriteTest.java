package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seabed.namespace.NamespaceException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** WriteCondition checked in the metadata commit of PutObject and CompleteMultipartUpload. */
class ConditionalWriteTest extends NamespaceTestBase {
    private ObjectInfo put(Bucket b, String key, byte[] data, WriteCondition c) {
        return f.ns.putObject(b, key, data.length, ObjectMetadata.EMPTY, NamespaceFixture.body(data), c);
    }

    @Test
    void conditionsOnPut() {
        Bucket b = f.ns.createBucket(f.user, "cond-put");
        ObjectInfo first = put(b, "k", bytes(1, 100), new WriteCondition("*", null));
        NamespaceException exists =
                assertThrows(NamespaceException.class, () -> put(b, "k", bytes(2, 100), new WriteCondition("*", null)));
        assertEquals(Reason.PRECONDITION_FAILED, exists.reason());
        NamespaceException stale = assertThrows(
                NamespaceException.class, () -> put(b, "k", bytes(3, 100), new WriteCondition(null, "00")));
        assertEquals(Reason.PRECONDITION_FAILED, stale.reason());
        NamespaceException missing = assertThrows(
                NamespaceException.class, () -> put(b, "none", bytes(3, 100), new WriteCondition(null, "00")));
        assertEquals(Reason.NO_SUCH_KEY, missing.reason());
        assertArrayEquals(bytes(1, 100), f.read(b, "k"));
        put(b, "k", bytes(4, 100), new WriteCondition(null, first.etag()));
        assertArrayEquals(bytes(4, 100), f.read(b, "k"));
    }

    /** A chunked write whose condition fails deletes its chunks and intent itself: the collector finds nothing. */
    @Test
    void failedConditionDiscardsChunks() {
        Bucket b = f.ns.createBucket(f.user, "cond-discard");
        put(b, "k", bytes(5, 10), WriteCondition.NONE);
        assertThrows(NamespaceException.class, () -> put(b, "k", bytes(6, 200_000), new WriteCondition("*", null)));
        long before = f.ns.garbageCollector().recordsDone();
        f.nowMillis.addAndGet(f.ns.config().intentTtlMillis() + 1);
        while (f.ns.garbageCollector().pass() > 0) {}
        assertEquals(before, f.ns.garbageCollector().recordsDone(), "the failed write cleaned up after itself");
        assertArrayEquals(bytes(5, 10), f.read(b, "k"));
    }

    @Test
    void failedConditionKeepsTheUpload() {
        Bucket b = f.ns.createBucket(f.user, "cond-mp");
        put(b, "k", bytes(7, 10), WriteCondition.NONE);
        String id = f.ns.createUpload(b, "k", ObjectMetadata.EMPTY, f.user);
        PartInfo p = f.ns.uploadPart(b, "k", id, 1, 1000, NamespaceFixture.body(bytes(8, 1000)));
        List<UploadPart> parts = List.of(new UploadPart(1, p.etag()));
        NamespaceException e = assertThrows(
                NamespaceException.class, () -> f.ns.completeUpload(b, "k", id, parts, new WriteCondition("*", null)));
        assertEquals(Reason.PRECONDITION_FAILED, e.reason());
        assertArrayEquals(bytes(7, 10), f.read(b, "k"));
        f.ns.completeUpload(b, "k", id, parts, WriteCondition.NONE);
        assertArrayEquals(bytes(8, 1000), f.read(b, "k"));
    }
}
