package io.seabed.metakv.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The layout of one Raft log entry of meta-kv: a header the resolver fills in place, then the write
 * batch.
 *
 * <pre>
 * offset 0  byte  FORMAT
 * offset 1  byte  decision (PENDING until the resolver decides in preAppendTransaction)
 * offset 2  long  sequence assigned by the resolver (0 unless COMMIT)
 * offset 10 int   op count
 * offset 14 ops:  byte type, int keyLength, key, then per type:
 *                 PUT, PUT_IF_ABSENT: int valueLength, value; ADD, MAX: long;
 *                 DELETE: nothing; DELETE_RANGE: int toLength (-1: unbounded), to
 * </pre>
 *
 * The header has a fixed size so the resolver can decide without changing the entry's length.
 */
final class Entry {
    static final byte FORMAT = 1;
    /** A log entry of several transactions ({@link PreparedGroup}). */
    static final byte FORMAT_GROUP = 2;

    static final int DECISION_OFFSET = 1;
    static final int SEQUENCE_OFFSET = 2;
    static final int COUNT_OFFSET = 10;
    static final int HEADER_BYTES = 14;

    static final byte PENDING = 0;
    static final byte COMMIT = 1;
    static final byte CONFLICT = 2;
    static final byte TOO_OLD = 3;
    static final byte UNAVAILABLE = 4;

    static final byte PUT = 1;
    static final byte DELETE = 2;
    static final byte DELETE_RANGE = 3;
    static final byte ADD = 4;
    static final byte MAX = 5;
    static final byte PUT_IF_ABSENT = 6;

    private Entry() {}

    static boolean isBlind(byte type) {
        return type == ADD || type == MAX || type == PUT_IF_ABSENT;
    }

    /**
     * Writes the resolver's decision into the header of the entry at {@code offset} of {@code buffer}, which
     * must still be PENDING.
     */
    static void decide(byte[] buffer, int offset, byte decision, long sequence) {
        if (buffer[offset + DECISION_OFFSET] != PENDING) {
            throw new IllegalStateException("entry decided twice: decision=" + buffer[offset + DECISION_OFFSET]);
        }
        ByteBuffer.wrap(buffer).putLong(offset + SEQUENCE_OFFSET, sequence).put(offset + DECISION_OFFSET, decision);
    }

    /** Appends ops to a growable buffer; {@link #finish} returns the entry with a PENDING header. */
    static final class Writer {
        private byte[] bytes = new byte[256];
        private int length = HEADER_BYTES;
        private int count;

        void put(byte type, byte[] key, byte[] value) {
            ensure(1 + 4 + key.length + 4 + value.length);
            bytes[length++] = type;
            writeBytes(key);
            writeBytes(value);
            count++;
        }

        void delete(byte[] key) {
            ensure(1 + 4 + key.length);
            bytes[length++] = DELETE;
            writeBytes(key);
            count++;
        }

        void deleteRange(byte[] from, byte[] to) {
            ensure(1 + 4 + from.length + 4 + (to == null ? 0 : to.length));
            bytes[length++] = DELETE_RANGE;
            writeBytes(from);
            if (to == null) {
                writeInt(-1);
            } else {
                writeBytes(to);
            }
            count++;
        }

        void number(byte type, byte[] key, long value) {
            ensure(1 + 4 + key.length + 8);
            bytes[length++] = type;
            writeBytes(key);
            ByteBuffer.wrap(bytes).putLong(length, value);
            length += 8;
            count++;
        }

        int count() {
            return count;
        }

        byte[] finish() {
            byte[] entry = Arrays.copyOf(bytes, length);
            ByteBuffer b = ByteBuffer.wrap(entry);
            b.put(0, FORMAT)
                    .put(DECISION_OFFSET, PENDING)
                    .putLong(SEQUENCE_OFFSET, 0)
                    .putInt(COUNT_OFFSET, count);
            return entry;
        }

        private void writeBytes(byte[] b) {
            writeInt(b.length);
            System.arraycopy(b, 0, bytes, length, b.length);
            length += b.length;
        }

        private void writeInt(int v) {
            ByteBuffer.wrap(bytes).putInt(length, v);
            length += 4;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    /** Reads an entry op by op; the arrays it returns are fresh copies. */
    static final class Reader {
        private final ByteBuffer buffer;
        private final int count;
        private int read;
        byte type;
        byte[] key;
        byte[] value;
        long number;

        Reader(ByteBuffer entry) {
            this.buffer = entry.duplicate();
            if (buffer.get(buffer.position()) != FORMAT) {
                throw new IllegalStateException("entry format=" + buffer.get(buffer.position()) + " != " + FORMAT);
            }
            this.count = buffer.getInt(buffer.position() + COUNT_OFFSET);
            buffer.position(buffer.position() + HEADER_BYTES);
        }

        static byte decision(ByteBuffer entry) {
            return entry.get(entry.position() + DECISION_OFFSET);
        }

        static long sequence(ByteBuffer entry) {
            return entry.getLong(entry.position() + SEQUENCE_OFFSET);
        }

        boolean next() {
            if (read == count) return false;
            read++;
            type = buffer.get();
            key = readBytes();
            value = null;
            number = 0;
            switch (type) {
                case PUT, PUT_IF_ABSENT -> value = readBytes();
                case ADD, MAX -> number = buffer.getLong();
                case DELETE_RANGE -> value = readBytes();
                case DELETE -> {}
                default -> throw new IllegalStateException("op type=" + type + " at op " + read + " of " + count);
            }
            return true;
        }

        /** Bytes after the ops read so far. */
        int remaining() {
            return buffer.remaining();
        }

        private byte[] readBytes() {
            int n = buffer.getInt();
            if (n < 0) return null;
            if (n > buffer.remaining())
                throw new IllegalStateException("length " + n + " > " + buffer.remaining() + " B left");
            byte[] b = new byte[n];
            buffer.get(b);
            return b;
        }
    }
}
