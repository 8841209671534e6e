package io.seabed.metakv.internal;

import io.seabed.metakv.MetaKv;
import io.seabed.metakv.MetaKvException;
import java.util.Arrays;
import java.util.Comparator;

/** Byte-key order and the small encodings meta-kv shares between the txn side and the state machine. */
public final class Keys {
    /** Unsigned lexicographic order of keys, the order RocksDB's default comparator uses. */
    public static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;

    /** First key of the body column family's range, inclusive. */
    static final byte[] BODY_FROM = {MetaKv.BODY_TABLE};

    /** End of the body column family's range, exclusive. */
    static final byte[] BODY_TO = {MetaKv.BODY_TABLE + 1};

    private Keys() {}

    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** True when {@code key} lies in {@code [from, to)}; a null {@code to} is unbounded. */
    static boolean inRange(byte[] key, byte[] from, byte[] to) {
        return compare(key, from) >= 0 && (to == null || compare(key, to) < 0);
    }

    /** The smallest key greater than {@code key}: {@code key + 0x00}. */
    static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    static boolean isBody(byte[] key) {
        return key.length > 0 && key[0] == MetaKv.BODY_TABLE;
    }

    /** A missing value or one that is not 8 bytes counts as 0 (documented on {@code MetaKv#add}). */
    static long counterOr(byte[] value, long absent) {
        if (value == null || value.length != Long.BYTES) return absent;
        long v = 0;
        for (int i = 0; i < Long.BYTES; i++) v = (v << 8) | (value[i] & 0xFF);
        return v;
    }

    static byte[] counterBytes(long value) {
        byte[] b = new byte[Long.BYTES];
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            b[i] = (byte) value;
            value >>>= 8;
        }
        return b;
    }

    /** Validates a key of the API: 1..KEY_BYTES_MAX bytes. */
    public static void checkKey(byte[] key) {
        if (key == null) throw new MetaKvException(MetaKvException.Reason.INVALID_ARGUMENT, "key is null");
        if (key.length == 0) throw new MetaKvException(MetaKvException.Reason.INVALID_ARGUMENT, "key is empty");
        if (key.length > MetaKv.KEY_BYTES_MAX) {
            throw new MetaKvException(
                    MetaKvException.Reason.INVALID_ARGUMENT,
                    "key.length=" + key.length + " > KEY_BYTES_MAX=" + MetaKv.KEY_BYTES_MAX);
        }
    }

    /** Validates a range bound: {@code from} may be empty (the start), {@code to} may be null (the end). */
    public static void checkRange(byte[] from, byte[] to) {
        if (from == null) throw new MetaKvException(MetaKvException.Reason.INVALID_ARGUMENT, "from is null");
        if (from.length > MetaKv.KEY_BYTES_MAX || (to != null && to.length > MetaKv.KEY_BYTES_MAX)) {
            throw new MetaKvException(
                    MetaKvException.Reason.INVALID_ARGUMENT,
                    "range bound longer than KEY_BYTES_MAX=" + MetaKv.KEY_BYTES_MAX);
        }
    }

    public static void checkValue(byte[] value) {
        if (value == null) throw new MetaKvException(MetaKvException.Reason.INVALID_ARGUMENT, "value is null");
        if (value.length > MetaKv.VALUE_BYTES_MAX) {
            throw new MetaKvException(
                    MetaKvException.Reason.INVALID_ARGUMENT,
                    "value.length=" + value.length + " > VALUE_BYTES_MAX=" + MetaKv.VALUE_BYTES_MAX);
        }
    }
}
