package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.object.ObjectReads.OpenObject;
import io.seabed.namespace.schema.ObjectHead;
import io.seabed.namespace.schema.PartRecord;
import io.seabed.namespace.schema.UploadRecord;
import io.seabed.namespace.schema.ValueWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The namespace stores the checksums the gateway hands it (through {@link BodySource#checksum()} and
 * {@link ChecksumCombiner}) with objects, parts and uploads, and reads records written before it did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChecksumStorageTest {
    @TempDir
    static Path dir;

    private NamespaceFixture f;
    private Bucket b;

    @BeforeAll
    void open() {
        f = new NamespaceFixture(dir, NamespaceFixture.smallChunks());
        b = f.ns.createBucket(f.user, "sums");
    }

    @AfterAll
    void close() {
        f.close();
    }

    private static byte[] bytes(int seed, int size) {
        byte[] out = new byte[size];
        new Random(seed).nextBytes(out);
        return out;
    }

    private static ObjectChecksum full(String algorithm, String value) {
        return new ObjectChecksum(algorithm, ObjectChecksum.Type.FULL_OBJECT, value);
    }

    /** A body of given bytes carrying {@code checksum} (null: none). */
    private static BodySource body(byte[] data, ObjectChecksum checksum) {
        BodySource inner = NamespaceFixture.body(data);
        return new BodySource() {
            @Override
            public int read(ByteBuffer output) {
                return inner.read(output);
            }

            @Override
            public void verify(byte[] md5) {}

            @Override
            public ObjectChecksum checksum() {
                return checksum;
            }
        };
    }

    @Test
    void putStoresTheBodysChecksumInlineAndChunked() {
        for (int size : new int[] {10, 200_000}) {
            ObjectChecksum c = full("CRC32", "AAAAAA==" + size);
            ObjectInfo put = f.ns.putObject(b, "put" + size, size, ObjectMetadata.EMPTY, body(bytes(1, size), c));
            assertEquals(c, put.checksum());
            OpenObject o = f.ns.openObject(b, "put" + size, false);
            assertEquals(c, o.info().checksum());
            assertEquals(c, o.partChecksum(1));
            assertNull(o.partChecksum(2));
        }
        f.ns.putObject(b, "plain", 5, ObjectMetadata.EMPTY, NamespaceFixture.body(bytes(2, 5)));
        assertNull(f.ns.openObject(b, "plain", false).info().checksum());
    }

    @Test
    void partsMustCarryTheUploadsAlgorithm() {
        String id = f.ns.createUpload(b, "mp", ObjectMetadata.EMPTY, f.user, "SHA256", ObjectChecksum.Type.COMPOSITE);
        UploadInfo upload = f.ns.upload(b, "mp", id);
        assertEquals("SHA256", upload.checksumAlgorithm());
        assertEquals(ObjectChecksum.Type.COMPOSITE, upload.checksumType());
        for (ObjectChecksum wrong : new ObjectChecksum[] {null, full("CRC32", "x")}) {
            NamespaceException e = assertThrows(
                    NamespaceException.class, () -> f.ns.uploadPart(b, "mp", id, 1, 300, body(bytes(3, 300), wrong)));
            assertEquals(Reason.INVALID_ARGUMENT, e.reason());
        }
        assertTrue(f.ns.listParts(b, "mp", id, 0, 10).parts().isEmpty(), "refused parts are not stored");
        f.ns.abortUpload(b, "mp", id);
    }

    /**
     * Goal: completion hands the stored part checksums and sizes, in the completion's order, to the
     * combiner, stores its result and the part checksums; a combiner that throws leaves the upload.
     */
    @Test
    void completionStoresTheCombinedChecksum() {
        String id =
                f.ns.createUpload(b, "mp2", ObjectMetadata.EMPTY, f.user, "CRC32C", ObjectChecksum.Type.FULL_OBJECT);
        int[] sizes = {300, 200, 50};
        List<UploadPart> parts = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            PartInfo p = f.ns.uploadPart(
                    b, "mp2", id, i + 1, sizes[i], body(bytes(10 + i, sizes[i]), full("CRC32C", "p" + i)));
            assertEquals("p" + i, p.checksum().value());
            parts.add(new UploadPart(i + 1, p.etag()));
        }
        assertEquals(
                "p1",
                f.ns.listParts(b, "mp2", id, 0, 10).parts().get(1).checksum().value());
        ChecksumCombiner refuses = (algorithm, type, values, partSizes) -> {
            throw new IllegalArgumentException("refused");
        };
        assertThrows(
                IllegalArgumentException.class,
                () -> f.ns.completeUpload(b, "mp2", id, parts, WriteCondition.NONE, refuses));
        assertEquals(3, f.ns.listParts(b, "mp2", id, 0, 10).parts().size(), "the upload stays");

        List<Object> seen = new ArrayList<>();
        ObjectInfo done =
                f.ns.completeUpload(b, "mp2", id, parts, WriteCondition.NONE, (algorithm, type, values, s) -> {
                    seen.add(algorithm);
                    seen.add(type);
                    seen.add(values);
                    seen.add(s.clone());
                    return new ObjectChecksum(algorithm, type, "whole");
                });
        assertEquals("CRC32C", seen.get(0));
        assertEquals(ObjectChecksum.Type.FULL_OBJECT, seen.get(1));
        assertEquals(List.of("p0", "p1", "p2"), seen.get(2));
        assertArrayEquals(new long[] {300, 200, 50}, (long[]) seen.get(3));
        ObjectChecksum whole = new ObjectChecksum("CRC32C", ObjectChecksum.Type.FULL_OBJECT, "whole");
        assertEquals(whole, done.checksum());
        OpenObject o = f.ns.openObject(b, "mp2", false);
        assertEquals(whole, o.info().checksum());
        assertEquals(full("CRC32C", "p1"), o.partChecksum(2));
        assertNull(o.partChecksum(4));
    }

    @Test
    void copyKeepsOnlyAFullObjectChecksumOfTheWholeInput() {
        ObjectChecksum c = full("SHA1", "in");
        f.ns.putObject(b, "copy-in", 5000, ObjectMetadata.EMPTY, body(bytes(20, 5000), c));
        OpenObject input = f.ns.openObject(b, "copy-in", true);
        assertEquals(
                c,
                f.ns.copyObject(input, b, "copy-out", null, WriteCondition.NONE).checksum());

        String id = f.ns.createUpload(b, "pc", ObjectMetadata.EMPTY, f.user, "SHA1", ObjectChecksum.Type.COMPOSITE);
        assertThrows(NamespaceException.class, () -> f.ns.uploadPartCopy(input, 0, 100, b, "pc", id, 1));
        PartInfo whole = f.ns.uploadPartCopy(input, 0, 5000, b, "pc", id, 1);
        assertEquals(c, whole.checksum());
        PartInfo filtered = f.ns.uploadPartCopy(input, 0, 100, b, "pc", id, 2, inner -> new BodySource() {
            @Override
            public int read(ByteBuffer output) {
                return inner.read(output);
            }

            @Override
            public void verify(byte[] md5) {
                inner.verify(md5);
            }

            @Override
            public ObjectChecksum checksum() {
                return full("SHA1", "computed");
            }
        });
        assertEquals("computed", filtered.checksum().value());
        f.ns.abortUpload(b, "pc", id);
    }

    /** Records written in format 1 (before checksums) still decode, without a checksum. */
    @Test
    void formatOneRecordsDecode() {
        byte[] head = new ValueWriter(64)
                .u8(1)
                .fixedLong(1)
                .fixedLong(2)
                .varLong(3)
                .string("etag")
                .varLong(4)
                .stringMap(Map.of("content-type", "a/b"))
                .stringMap(Map.of())
                .u8(1)
                .varLong(0)
                .varLong(0)
                .toByteArray();
        ObjectHead h = ObjectHead.decode(head);
        assertEquals("etag", h.etag());
        assertNull(h.checksum());
        assertTrue(h.partChecksums().isEmpty());

        byte[] part = new ValueWriter(32)
                .u8(1)
                .varLong(7)
                .varLong(100)
                .bytes(new byte[16])
                .varLong(5)
                .varLong(0)
                .toByteArray();
        PartRecord p = PartRecord.decode(part);
        assertEquals(7, p.partNumber());
        assertNull(p.checksum());

        byte[] upload = new ValueWriter(32)
                .u8(1)
                .string("k")
                .varLong(9)
                .string("user")
                .stringMap(Map.of())
                .stringMap(Map.of())
                .toByteArray();
        UploadRecord u = UploadRecord.decode(upload);
        assertEquals("k", u.key());
        assertNull(u.checksumAlgorithm());
        assertNull(u.checksumType());

        UploadRecord withSum = new UploadRecord(
                "k", 9, "user", Map.of(), Map.of(), "CRC64NVME", ObjectChecksum.Type.FULL_OBJECT, null);
        assertEquals(withSum, UploadRecord.decode(withSum.encode()));
    }
}
