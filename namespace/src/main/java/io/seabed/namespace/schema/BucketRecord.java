package io.seabed.namespace.schema;

/** A bucket (table 0x05). */
public record BucketRecord(long id, String name, long ownerTenantId, String ownerUserId, long createdMillis) {
    private static final int FORMAT = 1;

    public byte[] encode() {
        return new ValueWriter(64)
                .u8(FORMAT)
                .fixedLong(id)
                .string(name)
                .fixedLong(ownerTenantId)
                .string(ownerUserId)
                .varLong(createdMillis)
                .toByteArray();
    }

    public static BucketRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("bucket format=" + format);
        return new BucketRecord(r.fixedLong(), r.string(), r.fixedLong(), r.string(), r.varLong());
    }
}
