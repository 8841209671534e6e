package io.seabed.namespace.schema;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/** Appends values in the schema's binary form: varints, length-prefixed bytes and strings. */
public final class ValueWriter {
    private byte[] buf;
    private int size;

    public ValueWriter(int initialBytes) {
        buf = new byte[Math.max(16, initialBytes)];
    }

    private void ensure(int more) {
        if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }

    public ValueWriter u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public ValueWriter varLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    public ValueWriter fixedLong(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) buf[size++] = (byte) (v >>> (8 * i));
        return this;
    }

    public ValueWriter bytes(byte[] b) {
        if (b == null) return varLong(0);
        varLong(b.length + 1L);
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** A string; null is distinct from empty. */
    public ValueWriter string(String s) {
        return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    public ValueWriter stringMap(Map<String, String> map) {
        varLong(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            string(e.getKey());
            string(e.getValue());
        }
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
