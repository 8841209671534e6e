package io.seabed.namespace.schema;

/** A tenant (table 0x02). */
public record TenantRecord(long id, String name, long createdMillis) {
    private static final int FORMAT = 1;

    public byte[] encode() {
        return new ValueWriter(32)
                .u8(FORMAT)
                .fixedLong(id)
                .string(name)
                .varLong(createdMillis)
                .toByteArray();
    }

    public static TenantRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("tenant format=" + format);
        return new TenantRecord(r.fixedLong(), r.string(), r.varLong());
    }
}
