package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.namespace.schema.BucketRecord;
import io.seabed.namespace.schema.ObjectHead;
import io.seabed.namespace.schema.UploadRecord;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tags stored with buckets, object heads and uploads; older formats read as "no tags". */
class TaggingStorageTest extends NamespaceTestBase {
    private static final Map<String, String> TAGS = ordered("a", "1", "b", "");

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** The encoding of a record without tags in the format before them: no trailing empty map. */
    private static byte[] previousFormat(byte[] encodedWithoutTags) {
        byte[] old = Arrays.copyOf(encodedWithoutTags, encodedWithoutTags.length - 1);
        assertEquals(0, encodedWithoutTags[encodedWithoutTags.length - 1]);
        old[0]--;
        return old;
    }

    @Test
    void bucketTagsRoundTripAndFormat2ReadsAsNone() {
        Acl acl = Acl.ownerOnly("owner", "Owner");
        BucketRecord r = new BucketRecord(7, "b", 1, "owner", 99, acl, TAGS, false);
        BucketRecord decoded = BucketRecord.decode(r.encode());
        assertEquals(r, decoded);
        assertEquals(List.of("a", "b"), List.copyOf(decoded.tags().keySet()));
        BucketRecord old = BucketRecord.decode(previousFormat(new BucketRecord(7, "b", 1, "owner", 99, acl).encode()));
        assertEquals(acl, old.acl());
        assertTrue(old.tags().isEmpty());
    }

    @Test
    void uploadTagsRoundTripAndFormat3ReadsAsNone() {
        UploadRecord u = new UploadRecord("k", 9, "owner", Map.of(), Map.of(), null, null, null, TAGS);
        assertEquals(TAGS, UploadRecord.decode(u.encode()).tags());
        UploadRecord plain = new UploadRecord("k", 9, "owner", Map.of(), Map.of("m", "v"), null, null, null);
        UploadRecord old = UploadRecord.decode(previousFormat(plain.encode()));
        assertEquals(plain, old);
        assertTrue(old.tags().isEmpty());
    }

    @Test
    void objectTagsThroughTheNamespaceKeepData() {
        Bucket b = f.ns.createBucket(f.user, "tags");
        byte[] data = {1, 2, 3};
        f.ns.putObject(
                b, "k", 3, new ObjectMetadata(Map.of(), Map.of("m", "v"), null, TAGS), NamespaceFixture.body(data));
        ObjectHead before = f.ns.openObject(b, "k", true).head();
        assertEquals(TAGS, before.tags());
        assertEquals(TAGS, f.ns.openObject(b, "k", false).info().tags());

        // An object head of format 3 (no tags) still reads.
        ObjectHead untagged = before.withTags(Map.of());
        ObjectHead old = ObjectHead.decode(previousFormat(untagged.encode()));
        assertTrue(old.tags().isEmpty());
        assertEquals(before.etag(), old.etag());

        f.ns.setObjectTags(b, "k", Map.of("x", "y"));
        ObjectHead after = f.ns.openObject(b, "k", true).head();
        assertEquals(Map.of("x", "y"), after.tags());
        assertEquals(before.uidHigh(), after.uidHigh());
        assertEquals(before.uidLow(), after.uidLow());
        assertEquals(before.etag(), after.etag());
        assertEquals(before.lastModifiedMillis(), after.lastModifiedMillis());
        assertEquals(Map.of("m", "v"), after.userMetadata());
        assertArrayEquals(data, f.ns.openObject(b, "k", true).inlineBody());

        f.ns.setObjectTags(b, "k", Map.of());
        assertTrue(f.ns.openObject(b, "k", false).info().tags().isEmpty());
        NamespaceException e =
                assertThrows(NamespaceException.class, () -> f.ns.setObjectTags(b, "nope", Map.of("x", "y")));
        assertEquals(NamespaceException.Reason.NO_SUCH_KEY, e.reason());
    }

    @Test
    void bucketTagsThroughTheNamespace() {
        Bucket b = f.ns.createBucket(f.user, "btags");
        assertTrue(b.tags().isEmpty());
        assertEquals(TAGS, f.ns.setBucketTags(b, TAGS).tags());
        assertEquals(TAGS, f.ns.bucket("btags").tags());
        assertEquals(b.acl(), f.ns.bucket("btags").acl());
        f.ns.setBucketTags(b, Map.of());
        assertTrue(f.ns.bucket("btags").tags().isEmpty());
    }
}
