package io.seabed.metakv.internal;

import io.seabed.metakv.RequestId;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Idempotency records of {@code transactOnce} (DESIGN §3.2, table 0x07): key {@code 0x07, clientHigh,
 * clientLow, sequence} (big-endian), value {@code expiryMillis, hasResult, result}. The expiry is
 * computed when the transaction is prepared, outside the state machine.
 */
public final class IdempotencyRecords {
    public static final byte TABLE = 0x07;
    static final int KEY_BYTES = 1 + 3 * Long.BYTES;
    private static final int HEADER_BYTES = Long.BYTES + 1;

    private IdempotencyRecords() {}

    public static byte[] key(RequestId id) {
        return ByteBuffer.allocate(KEY_BYTES)
                .put(TABLE)
                .putLong(id.clientHigh())
                .putLong(id.clientLow())
                .putLong(id.sequence())
                .array();
    }

    public static byte[] encode(long expiryMillis, byte[] result) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + (result == null ? 0 : result.length));
        b.putLong(expiryMillis).put((byte) (result == null ? 0 : 1));
        if (result != null) b.put(result);
        return b.array();
    }

    public static long expiryMillis(byte[] record) {
        return ByteBuffer.wrap(record).getLong(0);
    }

    public static byte[] result(byte[] record) {
        if (record.length < HEADER_BYTES) {
            throw new IllegalStateException("idempotency record of " + record.length + " bytes < " + HEADER_BYTES);
        }
        return record[Long.BYTES] == 0 ? null : Arrays.copyOfRange(record, HEADER_BYTES, record.length);
    }
}
