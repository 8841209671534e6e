package io.seabed.namespace.schema;

import io.seabed.namespace.Acl;
import io.seabed.namespace.ObjectChecksum;
import java.util.Map;

/**
 * A multipart upload in progress (table 0x40, without part number).
 *
 * @param checksumAlgorithm the checksum algorithm every part must carry, or null
 * @param checksumType the type of the object's checksum, set exactly when {@code checksumAlgorithm} is
 * @param acl the completed object's ACL, or null
 * @param tags the completed object's tags in order
 */
public record UploadRecord(
        String key,
        long initiatedMillis,
        String initiatorUserId,
        Map<String, String> systemMetadata,
        Map<String, String> userMetadata,
        String checksumAlgorithm,
        ObjectChecksum.Type checksumType,
        Acl acl,
        Map<String, String> tags) {
    /** Format 1 had no checksum algorithm; it is still read. */
    private static final int FORMAT_1 = 1;

    /** Format 2 had no ACL; it is still read. */
    private static final int FORMAT_2 = 2;

    /** Format 3 had no tags; it is still read. */
    private static final int FORMAT_3 = 3;

    private static final int FORMAT = 4;

    public UploadRecord(
            String key,
            long initiatedMillis,
            String initiatorUserId,
            Map<String, String> systemMetadata,
            Map<String, String> userMetadata,
            String checksumAlgorithm,
            ObjectChecksum.Type checksumType,
            Acl acl) {
        this(
                key,
                initiatedMillis,
                initiatorUserId,
                systemMetadata,
                userMetadata,
                checksumAlgorithm,
                checksumType,
                acl,
                Map.of());
    }

    public UploadRecord {
        tags = tags == null ? Map.of() : tags;
        if ((checksumAlgorithm == null) != (checksumType == null))
            throw new IllegalArgumentException("checksumAlgorithm=" + checksumAlgorithm + " and checksumType="
                    + checksumType + " must be both set or both null");
    }

    public byte[] encode() {
        ValueWriter w = new ValueWriter(128)
                .u8(FORMAT)
                .string(key)
                .varLong(initiatedMillis)
                .string(initiatorUserId)
                .stringMap(systemMetadata)
                .stringMap(userMetadata)
                .string(checksumAlgorithm);
        if (checksumAlgorithm != null) w.u8(ObjectHead.typeCode(checksumType));
        AclCodec.write(w, acl);
        w.stringMap(tags);
        return w.toByteArray();
    }

    public static UploadRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_3 && format != FORMAT_2 && format != FORMAT_1)
            throw new IllegalStateException("upload format=" + format);
        String key = r.string();
        long initiated = r.varLong();
        String initiator = r.string();
        Map<String, String> system = r.stringMap();
        Map<String, String> user = r.stringMap();
        String algorithm = format >= FORMAT_2 ? r.string() : null;
        ObjectChecksum.Type type = algorithm == null ? null : ObjectHead.type(r.u8());
        Acl acl = format >= FORMAT_3 ? AclCodec.read(r) : null;
        Map<String, String> tags = format >= FORMAT ? r.stringMap() : Map.of();
        return new UploadRecord(key, initiated, initiator, system, user, algorithm, type, acl, tags);
    }
}
