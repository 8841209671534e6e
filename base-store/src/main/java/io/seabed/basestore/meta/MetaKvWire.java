package io.seabed.basestore.meta;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The meta-kv calls on the data-plane RPC (methods META_*, ids 30–35): their limits, the status numbering of
 * replies, and the codecs both ends share. Big-endian; every request and reply body is the frame's payload.
 *
 * <pre>
 * request payloads                          reply payloads (status OK)
 * READ_VERSION  empty                       u64 version
 * GET           key                         u8 present, value
 * MULTI_GET     u32 n, n × (u32 len, key)   u32 n, n × (i32 len (-1: absent), value)
 * SCAN          u8 reverse, u32 limit,      u32 n, n × (u32 len, key, u32 len, value)
 *               u32 len, from, i32 len (-1: unbounded), to
 * COMMIT        meta-kv's transaction       meta-kv's reply bytes
 * VALIDATE      meta-kv's transaction       meta-kv's reply bytes
 * </pre>
 *
 * Every reply header is one status byte ({@link #OK} or a {@link #status(Reason)} number), followed when not OK
 * by a UTF-8 message (no stack trace). A reply that is not OK has no payload.
 */
final class MetaKvWire {
    /** The status of a reply that carries its result. */
    static final byte OK = 0;

    /** Longest error message put in a reply header, in chars. */
    static final int MESSAGE_CHARS_MAX = 512;

    /** A transaction's entry of writes (meta-kv's TxnAttempt.ENTRY_BYTES_MAX, which is internal to meta-kv). */
    static final int ENTRY_BYTES_MAX = 4 << 20;
    /** A remote transaction's read set as sent: about 100,000 keys of 280 bytes (meta-kv caps it at 100,000). */
    static final int READ_SET_BYTES_MAX = 28 << 20;
    /** Largest request payload: a commit's writes, its read set and the read version. */
    static final int REQUEST_BYTES_MAX = ENTRY_BYTES_MAX + READ_SET_BYTES_MAX + 8;
    /** Entries one scan call may ask for (meta-kv's own page limit). */
    static final int SCAN_ENTRIES_MAX = 100_000;
    /** Keys one multi-get call may carry. */
    static final int MULTI_GET_KEYS_MAX = 100_000;
    /**
     * Largest reply payload: 64 MiB. A member ends a scan page at {@link io.seabed.metakv.MetaKvLink#SCAN_REPLY_BYTES_MAX}
     * (4 MiB of keys and values, plus the one entry that crosses it, plus 8 bytes of lengths per entry), and the
     * client goes on in further pages, so a scan reply stays near 5 MiB; a multi-get of many large values may be
     * bigger and is refused with INVALID_ARGUMENT and the numbers, never truncated.
     */
    static final long REPLY_BYTES_MAX = 64L << 20;
    /** Slack for the frame's fixed fields and header on top of a payload. */
    static final int FRAME_OVERHEAD_BYTES = 64 * 1024;

    static {
        if (REQUEST_BYTES_MAX + (long) FRAME_OVERHEAD_BYTES > Integer.MAX_VALUE)
            throw new ExceptionInInitializerError("REQUEST_BYTES_MAX=" + REQUEST_BYTES_MAX);
        if (REPLY_BYTES_MAX + FRAME_OVERHEAD_BYTES > Integer.MAX_VALUE)
            throw new ExceptionInInitializerError("REPLY_BYTES_MAX=" + REPLY_BYTES_MAX);
    }

    private MetaKvWire() {}

    /** The stable wire number of each reason; a number never changes meaning and is never reused. */
    static byte status(Reason reason) {
        return switch (reason) {
            case CONFLICT -> 1;
            case TOO_OLD -> 2;
            case NOT_LEADER -> 3;
            case UNAVAILABLE -> 4;
            case TIMEOUT -> 5;
            case INVALID_ARGUMENT -> 6;
            case CLOSED -> 7;
        };
    }

    /** The reason with wire number {@code status}, or null for a number this side does not know (nor OK). */
    static Reason reason(int status) {
        for (Reason r : Reason.values()) if (status(r) == status) return r;
        return null;
    }

    static byte[] errorHeader(Reason reason, String message) {
        String text = message.length() > MESSAGE_CHARS_MAX ? message.substring(0, MESSAGE_CHARS_MAX) : message;
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] header = new byte[1 + utf8.length];
        header[0] = status(reason);
        System.arraycopy(utf8, 0, header, 1, utf8.length);
        return header;
    }

    static String message(byte[] header) {
        return new String(header, 1, header.length - 1, StandardCharsets.UTF_8);
    }

    static MetaKvException invalid(String detail) {
        return new MetaKvException(Reason.INVALID_ARGUMENT, detail);
    }

    // Requests

    static byte[] encodeKeys(List<byte[]> keys) {
        long size = 4;
        for (byte[] k : keys) size += 4 + k.length;
        checkRequest(size);
        ByteBuffer b = ByteBuffer.allocate((int) size).putInt(keys.size());
        for (byte[] k : keys) b.putInt(k.length).put(k);
        return b.array();
    }

    static List<byte[]> decodeKeys(byte[] payload) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            int n = in.getInt();
            if (n < 0 || n > MULTI_GET_KEYS_MAX)
                throw invalid("multi-get of " + n + " keys outside [0, MULTI_GET_KEYS_MAX=" + MULTI_GET_KEYS_MAX + "]");
            List<byte[]> keys = new ArrayList<>(Math.min(n, in.remaining() / 4));
            for (int i = 0; i < n; i++) keys.add(bytes(in, false));
            if (in.hasRemaining()) throw invalid(in.remaining() + " B after the last key");
            return keys;
        } catch (BufferUnderflowException e) {
            throw invalid("multi-get request truncated");
        }
    }

    /** A scan request, decoded. */
    record ScanRequest(byte[] from, byte[] to, int limit, boolean reverse) {}

    static byte[] encodeScan(byte[] from, byte[] to, int limit, boolean reverse) {
        int size = 1 + 4 + 4 + from.length + 4 + (to == null ? 0 : to.length);
        checkRequest(size);
        ByteBuffer b = ByteBuffer.allocate(size)
                .put((byte) (reverse ? 1 : 0))
                .putInt(limit)
                .putInt(from.length)
                .put(from);
        if (to == null) b.putInt(-1);
        else b.putInt(to.length).put(to);
        return b.array();
    }

    static ScanRequest decodeScan(byte[] payload) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            byte reverse = in.get();
            if (reverse != 0 && reverse != 1) throw invalid("scan direction byte " + reverse);
            int limit = in.getInt();
            if (limit < 1 || limit > SCAN_ENTRIES_MAX)
                throw invalid("scan limit=" + limit + " outside [1, SCAN_ENTRIES_MAX=" + SCAN_ENTRIES_MAX + "]");
            byte[] from = bytes(in, false);
            byte[] to = bytes(in, true);
            if (in.hasRemaining()) throw invalid(in.remaining() + " B after the scan request");
            return new ScanRequest(from, to, limit, reverse == 1);
        } catch (BufferUnderflowException e) {
            throw invalid("scan request truncated");
        }
    }

    static void checkRequest(long bytes) {
        if (bytes > REQUEST_BYTES_MAX)
            throw invalid("request of " + bytes + " B > REQUEST_BYTES_MAX=" + REQUEST_BYTES_MAX);
    }

    private static byte[] bytes(ByteBuffer in, boolean nullable) {
        int n = in.getInt();
        if (n == -1 && nullable) return null;
        if (n < 0 || n > MetaKv.KEY_BYTES_MAX || n > in.remaining())
            throw invalid("key length " + n + " outside [0, KEY_BYTES_MAX=" + MetaKv.KEY_BYTES_MAX + "] or the frame");
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    // Replies

    private static final byte[] ABSENT = {0};
    private static final byte[] PRESENT = {1};

    /** A get reply without copying the value: the presence byte and the value as one composite buffer. */
    static ByteBuf encodeValue(byte[] value) {
        return value == null ? Unpooled.wrappedBuffer(ABSENT) : Unpooled.wrappedBuffer(PRESENT, value);
    }

    static byte[] decodeValue(ByteBuf in) {
        if (in.readableBytes() < 1) throw new IllegalArgumentException("empty get reply");
        byte present = in.readByte();
        if (present == 0 && in.readableBytes() == 0) return null;
        if (present != 1) throw new IllegalArgumentException("get reply presence byte " + present);
        return read(in, in.readableBytes());
    }

    static byte[] encodeValues(List<byte[]> values) {
        long size = 4;
        for (byte[] v : values) size += 4 + (v == null ? 0 : v.length);
        checkReply(size, values.size());
        ByteBuffer b = ByteBuffer.allocate((int) size).putInt(values.size());
        for (byte[] v : values) {
            if (v == null) b.putInt(-1);
            else b.putInt(v.length).put(v);
        }
        return b.array();
    }

    static List<byte[]> decodeValues(ByteBuf in, int expected) {
        int n = in.readInt();
        if (n != expected) throw new IllegalArgumentException(n + " values for " + expected + " keys");
        List<byte[]> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int length = in.readInt();
            values.add(length == -1 ? null : read(in, length));
        }
        if (in.isReadable()) throw new IllegalArgumentException(in.readableBytes() + " B after the last value");
        return values;
    }

    static byte[] encodeEntries(List<KeyValue> entries) {
        long size = 4;
        for (KeyValue kv : entries) size += 8L + kv.key().length + kv.value().length;
        checkReply(size, entries.size());
        ByteBuffer b = ByteBuffer.allocate((int) size).putInt(entries.size());
        for (KeyValue kv : entries)
            b.putInt(kv.key().length).put(kv.key()).putInt(kv.value().length).put(kv.value());
        return b.array();
    }

    static List<KeyValue> decodeEntries(ByteBuf in, int limit) {
        int n = in.readInt();
        if (n < 0 || n > limit) throw new IllegalArgumentException(n + " entries for a limit of " + limit);
        List<KeyValue> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] key = read(in, in.readInt());
            byte[] value = read(in, in.readInt());
            entries.add(new KeyValue(key, value));
        }
        if (in.isReadable()) throw new IllegalArgumentException(in.readableBytes() + " B after the last entry");
        return entries;
    }

    static byte[] encodeVersion(long version) {
        return ByteBuffer.allocate(8).putLong(version).array();
    }

    private static void checkReply(long bytes, int entries) {
        if (bytes > REPLY_BYTES_MAX)
            throw invalid("reply of " + entries + " entries, " + bytes + " B > REPLY_BYTES_MAX=" + REPLY_BYTES_MAX
                    + ": ask for fewer");
    }

    private static byte[] read(ByteBuf in, int length) {
        if (length < 0 || length > in.readableBytes())
            throw new IllegalArgumentException("length " + length + " of " + in.readableBytes() + " B left");
        byte[] b = new byte[length];
        in.readBytes(b);
        return b;
    }
}
