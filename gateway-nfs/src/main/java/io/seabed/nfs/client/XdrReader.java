package io.seabed.nfs.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** XDR decoding (RFC 4506) of a reply; a reply shorter than its fields throws {@link IOException}. */
public final class XdrReader {
    private final ByteBuffer b;

    public XdrReader(ByteBuffer b) {
        this.b = b;
    }

    private void need(int n) throws IOException {
        if (b.remaining() < n) throw new IOException("reply ends " + (n - b.remaining()) + " bytes early");
    }

    public int u32() throws IOException {
        need(4);
        return b.getInt();
    }

    public long u64() throws IOException {
        need(8);
        return b.getLong();
    }

    public boolean bool() throws IOException {
        int v = u32();
        if (v != 0 && v != 1) throw new IOException("bool " + v);
        return v == 1;
    }

    public byte[] fixed(int n) throws IOException {
        int padded = (n + 3) & ~3;
        need(padded);
        byte[] v = new byte[n];
        b.get(v);
        b.position(b.position() + padded - n);
        return v;
    }

    public byte[] opaque(int max) throws IOException {
        int n = u32();
        if (n < 0 || n > max) throw new IOException("opaque of " + Integer.toUnsignedString(n) + " bytes");
        return fixed(n);
    }

    /** A variable-length opaque into {@code into} (as much as fits); returns its length. */
    public int opaqueInto(ByteBuffer into) throws IOException {
        int n = u32();
        if (n < 0) throw new IOException("opaque of " + Integer.toUnsignedString(n) + " bytes");
        int padded = (n + 3) & ~3;
        need(padded);
        ByteBuffer slice = b.slice(b.position(), Math.min(n, into.remaining()));
        into.put(slice);
        b.position(b.position() + padded);
        return n;
    }

    public String string(int max) throws IOException {
        return new String(opaque(max), StandardCharsets.UTF_8);
    }

    public int remaining() {
        return b.remaining();
    }
}
