package io.seabed.namespace.schema;

/**
 * A user's access key (table 0x03). The secret is stored encrypted ({@code sealedSecret}).
 *
 * @param userId canonical user id shown as object and bucket owner
 * @param email the user's e-mail address, or null
 */
public record UserRecord(
        String accessKey,
        long tenantId,
        String tenantName,
        String userName,
        String userId,
        String displayName,
        String email,
        byte[] sealedSecret,
        boolean admin,
        long createdMillis) {
    private static final int FORMAT = 2;

    public byte[] encode() {
        return new ValueWriter(128)
                .u8(FORMAT)
                .string(accessKey)
                .fixedLong(tenantId)
                .string(tenantName)
                .string(userName)
                .string(userId)
                .string(displayName)
                .string(email)
                .bytes(sealedSecret)
                .u8(admin ? 1 : 0)
                .varLong(createdMillis)
                .toByteArray();
    }

    public static UserRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("user format=" + format);
        return new UserRecord(
                r.string(),
                r.fixedLong(),
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.string(),
                r.bytes(),
                r.u8() == 1,
                r.varLong());
    }
}
