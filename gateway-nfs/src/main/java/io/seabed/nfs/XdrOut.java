package io.seabed.nfs;

import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.FileType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/**
 * A reply being built: XDR (RFC 4506) into a growing byte array, sent as is. Kept as bytes so the reply cache can
 * answer a retransmission with exactly what was sent.
 */
final class XdrOut implements XdrAble {
    private byte[] buf;
    private int size;

    XdrOut(int initialBytes) {
        buf = new byte[Math.max(64, initialBytes)];
    }

    int size() {
        return size;
    }

    private void ensure(int more) {
        if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }

    XdrOut u32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    XdrOut u64(long v) {
        return u32((int) (v >>> 32)).u32((int) v);
    }

    XdrOut bool(boolean v) {
        return u32(v ? 1 : 0);
    }

    /** Fixed-length opaque (padded to 4 bytes). */
    XdrOut fixed(byte[] data) {
        ensure(data.length + 3);
        System.arraycopy(data, 0, buf, size, data.length);
        size += data.length;
        while ((size & 3) != 0) buf[size++] = 0;
        return this;
    }

    /** Variable-length opaque or string: length, bytes, padding. */
    XdrOut opaque(byte[] data) {
        u32(data.length);
        return fixed(data);
    }

    XdrOut opaque(ByteBuffer data) {
        int n = data.remaining();
        u32(n);
        ensure(n + 3);
        data.get(buf, size, n);
        size += n;
        while ((size & 3) != 0) buf[size++] = 0;
        return this;
    }

    /** The XDR size of a variable-length opaque of {@code length} bytes. */
    static int opaqueBytes(int length) {
        return 4 + ((length + 3) & ~3);
    }

    static int type(FileType t) {
        return switch (t) {
            case FILE -> Nfs3.REG;
            case DIRECTORY -> Nfs3.DIR;
            case SYMLINK -> Nfs3.LNK;
        };
    }

    /** fattr3: 84 bytes. */
    XdrOut fattr(Attr a, long fsid) {
        u32(type(a.type())).u32(a.mode()).u32(a.nlink()).u32(a.uid()).u32(a.gid());
        u64(a.size()).u64(a.used()).u32(0).u32(0).u64(fsid).u64(a.ino());
        return time(a.atimeNanos()).time(a.mtimeNanos()).time(a.ctimeNanos());
    }

    static final int FATTR_BYTES = 84;

    XdrOut time(long nanos) {
        return u32((int) Math.floorDiv(nanos, 1_000_000_000L)).u32((int) Math.floorMod(nanos, 1_000_000_000L));
    }

    /** post_op_attr: the attributes when known. */
    XdrOut postOp(Attr a, long fsid) {
        if (a == null) return bool(false);
        return bool(true).fattr(a, fsid);
    }

    /** wcc_data: the size and times before (when known) and the attributes after. */
    XdrOut wcc(Attr before, Attr after, long fsid) {
        if (before == null) bool(false);
        else bool(true).u64(before.size()).time(before.mtimeNanos()).time(before.ctimeNanos());
        return postOp(after, fsid);
    }

    @Override
    public void xdrEncode(XdrEncodingStream x) {
        x.xdrEncodeOpaque(buf, 0, size);
    }

    @Override
    public void xdrDecode(XdrDecodingStream x) {
        throw new UnsupportedOperationException("a reply is only sent");
    }
}
