package io.seabed.nfs.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** XDR encoding (RFC 4506) into a growing array: what the client sends. */
public final class XdrWriter {
    private byte[] bytes = new byte[256];
    private int length;

    private void room(int n) {
        if (length + n > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
    }

    public XdrWriter u32(int v) {
        room(4);
        bytes[length++] = (byte) (v >>> 24);
        bytes[length++] = (byte) (v >>> 16);
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) v;
        return this;
    }

    public XdrWriter u64(long v) {
        return u32((int) (v >>> 32)).u32((int) v);
    }

    public XdrWriter bool(boolean v) {
        return u32(v ? 1 : 0);
    }

    /** Fixed-length opaque: the bytes and their padding. */
    public XdrWriter fixed(byte[] v) {
        return fixed(v, 0, v.length);
    }

    public XdrWriter fixed(byte[] v, int offset, int n) {
        int padded = (n + 3) & ~3;
        room(padded);
        System.arraycopy(v, offset, bytes, length, n);
        Arrays.fill(bytes, length + n, length + padded, (byte) 0);
        length += padded;
        return this;
    }

    /** Variable-length opaque: its length, the bytes, padding. */
    public XdrWriter opaque(byte[] v) {
        return u32(v.length).fixed(v);
    }

    public XdrWriter opaque(ByteBuffer v) {
        int n = v.remaining();
        u32(n);
        room((n + 3) & ~3);
        v.duplicate().get(bytes, length, n);
        Arrays.fill(bytes, length + n, length + ((n + 3) & ~3), (byte) 0);
        length += (n + 3) & ~3;
        return this;
    }

    public XdrWriter string(String v) {
        return opaque(v.getBytes(StandardCharsets.UTF_8));
    }

    public int length() {
        return length;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }
}
