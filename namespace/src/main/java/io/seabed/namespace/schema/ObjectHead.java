package io.seabed.namespace.schema;

import io.seabed.basestore.ChunkRef;
import io.seabed.namespace.Acl;
import io.seabed.namespace.ObjectChecksum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The current head of a flat-bucket object (table 0x10): what a GET needs but the body.
 *
 * @param etag hex MD5, or for multipart the hex MD5 of the part MD5s plus "-N" (no quotes)
 * @param systemMetadata standard headers stored with the object (lowercase names: content-type, ...)
 * @param userMetadata x-amz-meta-* names (lowercase, without the prefix) and values
 * @param inline true when the body lives in the body table (then {@code chunks} is empty)
 * @param chunks the data chunks in object order
 * @param partSizes sizes of multipart parts in order (empty for a single PUT)
 * @param checksum the object's additional checksum, or null
 * @param partChecksums the parts' checksums (base64, algorithm of {@code checksum}) in order: as many as
 *     {@code partSizes} when a multipart object has a checksum, else none
 * @param acl the object's ACL (its owner is the writer), or null: the bucket owner's alone
 * @param tags the object's tags in order (empty when none)
 */
public record ObjectHead(
        long uidHigh,
        long uidLow,
        long sizeBytes,
        String etag,
        long lastModifiedMillis,
        Map<String, String> systemMetadata,
        Map<String, String> userMetadata,
        boolean inline,
        List<ChunkRef> chunks,
        long[] partSizes,
        ObjectChecksum checksum,
        List<String> partChecksums,
        Acl acl,
        Map<String, String> tags) {

    /** Format 1 had neither checksum nor part checksums; it is still read. */
    private static final int FORMAT_1 = 1;

    /** Format 2 had no ACL; it is still read. */
    private static final int FORMAT_2 = 2;

    /** Format 3 had no tags; it is still read. */
    private static final int FORMAT_3 = 3;

    private static final int FORMAT = 4;

    public ObjectHead {
        tags = tags == null ? Map.of() : tags;
        if (!partChecksums.isEmpty() && partChecksums.size() != partSizes.length)
            throw new IllegalArgumentException(
                    "partChecksums=" + partChecksums.size() + " != parts=" + partSizes.length);
        if (!partChecksums.isEmpty() && checksum == null)
            throw new IllegalArgumentException("part checksums without an object checksum");
    }

    public byte[] encode() {
        ValueWriter w = new ValueWriter(128 + chunks.size() * 40)
                .u8(FORMAT)
                .fixedLong(uidHigh)
                .fixedLong(uidLow)
                .varLong(sizeBytes)
                .string(etag)
                .varLong(lastModifiedMillis)
                .stringMap(systemMetadata)
                .stringMap(userMetadata)
                .u8(inline ? 1 : 0);
        writeChunks(w, chunks);
        w.varLong(partSizes.length);
        for (long s : partSizes) w.varLong(s);
        writeChecksum(w, checksum);
        w.varLong(partChecksums.size());
        for (String c : partChecksums) w.string(c);
        AclCodec.write(w, acl);
        w.stringMap(tags);
        return w.toByteArray();
    }

    public static ObjectHead decode(byte[] value) {
        ValueReader r = new ValueReader(value);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_3 && format != FORMAT_2 && format != FORMAT_1)
            throw new IllegalStateException("object head format=" + format);
        long high = r.fixedLong();
        long low = r.fixedLong();
        long size = r.varLong();
        String etag = r.string();
        long modified = r.varLong();
        Map<String, String> system = r.stringMap();
        Map<String, String> user = r.stringMap();
        boolean inline = r.u8() == 1;
        List<ChunkRef> chunks = readChunks(r);
        long[] parts = new long[r.varInt()];
        for (int i = 0; i < parts.length; i++) parts[i] = r.varLong();
        ObjectChecksum checksum = null;
        List<String> partChecksums = List.of();
        if (format >= FORMAT_2) {
            checksum = readChecksum(r);
            int n = r.varInt();
            List<String> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) values.add(r.string());
            partChecksums = List.copyOf(values);
        }
        Acl acl = format >= FORMAT_3 ? AclCodec.read(r) : null;
        Map<String, String> tags = format >= FORMAT ? r.stringMap() : Map.of();
        return new ObjectHead(
                high,
                low,
                size,
                etag,
                modified,
                system,
                user,
                inline,
                chunks,
                parts,
                checksum,
                partChecksums,
                acl,
                tags);
    }

    public ObjectHead withAcl(Acl newAcl) {
        return new ObjectHead(
                uidHigh,
                uidLow,
                sizeBytes,
                etag,
                lastModifiedMillis,
                systemMetadata,
                userMetadata,
                inline,
                chunks,
                partSizes,
                checksum,
                partChecksums,
                newAcl,
                tags);
    }

    public ObjectHead withTags(Map<String, String> newTags) {
        return new ObjectHead(
                uidHigh,
                uidLow,
                sizeBytes,
                etag,
                lastModifiedMillis,
                systemMetadata,
                userMetadata,
                inline,
                chunks,
                partSizes,
                checksum,
                partChecksums,
                acl,
                newTags);
    }

    public static void writeChunks(ValueWriter w, List<ChunkRef> chunks) {
        w.varLong(chunks.size());
        ByteBuffer b = ByteBuffer.allocate(1024);
        for (ChunkRef c : chunks) {
            b.clear();
            c.encode(b);
            w.bytes(java.util.Arrays.copyOf(b.array(), b.position()));
        }
    }

    public static List<ChunkRef> readChunks(ValueReader r) {
        int n = r.varInt();
        List<ChunkRef> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(ChunkRef.decode(ByteBuffer.wrap(r.bytes())));
        return out;
    }

    /** A checksum or null: the algorithm (null string for none), then the type's code and the value. */
    public static void writeChecksum(ValueWriter w, ObjectChecksum c) {
        if (c == null) {
            w.string(null);
            return;
        }
        w.string(c.algorithm()).u8(typeCode(c.type())).string(c.value());
    }

    public static ObjectChecksum readChecksum(ValueReader r) {
        String algorithm = r.string();
        if (algorithm == null) return null;
        ObjectChecksum.Type type = type(r.u8());
        return new ObjectChecksum(algorithm, type, r.string());
    }

    /** Stable codes of checksum types (stored values; never renumber). */
    public static int typeCode(ObjectChecksum.Type type) {
        return switch (type) {
            case FULL_OBJECT -> 1;
            case COMPOSITE -> 2;
        };
    }

    public static ObjectChecksum.Type type(int code) {
        return switch (code) {
            case 1 -> ObjectChecksum.Type.FULL_OBJECT;
            case 2 -> ObjectChecksum.Type.COMPOSITE;
            default -> throw new IllegalStateException("checksum type code=" + code);
        };
    }
}
