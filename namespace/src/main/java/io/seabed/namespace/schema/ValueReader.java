package io.seabed.namespace.schema;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads what {@link ValueWriter} wrote; a malformed value is a broken invariant. */
public final class ValueReader {
    private final byte[] buf;
    private int pos;

    public ValueReader(byte[] buf) {
        this.buf = buf;
    }

    public int u8() {
        check(1);
        return buf[pos++] & 0xFF;
    }

    public long varLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            check(1);
            byte b = buf[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) return v;
        }
        throw new IllegalStateException("varint longer than 10 bytes at " + pos);
    }

    public int varInt() {
        long v = varLong();
        if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalStateException("varint " + v + " is not an int");
        return (int) v;
    }

    public long fixedLong() {
        check(8);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos++] & 0xFF);
        return v;
    }

    public byte[] bytes() {
        int n = varInt();
        if (n == 0) return null;
        n--;
        check(n);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public String string() {
        int n = varInt();
        if (n == 0) return null;
        n--;
        check(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public Map<String, String> stringMap() {
        int n = varInt();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) map.put(string(), string());
        return map;
    }

    public boolean atEnd() {
        return pos == buf.length;
    }

    private void check(int n) {
        if (n < 0 || pos + n > buf.length)
            throw new IllegalStateException("value truncated: need " + n + " bytes at " + pos + " of " + buf.length);
    }
}
