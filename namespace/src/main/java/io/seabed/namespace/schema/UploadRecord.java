package io.seabed.namespace.schema;

import java.util.Map;

/** A multipart upload in progress (table 0x40, without part number). */
public record UploadRecord(
        String key,
        long initiatedMillis,
        String initiatorUserId,
        Map<String, String> systemMetadata,
        Map<String, String> userMetadata) {
    private static final int FORMAT = 1;

    public byte[] encode() {
        return new ValueWriter(128)
                .u8(FORMAT)
                .string(key)
                .varLong(initiatedMillis)
                .string(initiatorUserId)
                .stringMap(systemMetadata)
                .stringMap(userMetadata)
                .toByteArray();
    }

    public static UploadRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("upload format=" + format);
        return new UploadRecord(r.string(), r.varLong(), r.string(), r.stringMap(), r.stringMap());
    }
}
