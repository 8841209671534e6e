package io.seabed.nfs;

import static io.seabed.nfs.Nfs3.*;

import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.DirEntry;
import io.seabed.namespace.fs.DirPage;
import io.seabed.namespace.fs.FileType;
import io.seabed.nfs.Calls.NfsError;
import io.seabed.nfs.Calls.Target;
import io.seabed.nfs.Calls.TooWeak;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.dcache.oncrpc4j.rpc.RpcCall;

/**
 * READDIR and READDIRPLUS: a page of the directory from the client's cookie, cut to the byte counts the client
 * asked for. Cookies are the file system's (stable while the directory changes); the cookie verifier is the
 * directory's, and a cookie sent with another verifier is BAD_COOKIE.
 */
final class Nfs3Listing {
    /** Entries read from the file system per page at most. */
    static final int ENTRIES_MAX = 4096;

    private final Calls calls;

    Nfs3Listing(Calls calls) {
        this.calls = calls;
    }

    private record Args(byte[] dir, long cookie, byte[] verifier, int dirCount, int maxCount) {}

    XdrOut readdir(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        Args a = XdrIn.args(
                call, x -> new Args(XdrIn.handle(x), x.xdrDecodeLong(), x.xdrDecodeOpaque(8), 0, x.xdrDecodeInt()));
        return list(call, a, false);
    }

    XdrOut readdirplus(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        Args a = XdrIn.args(
                call,
                x -> new Args(
                        XdrIn.handle(x), x.xdrDecodeLong(), x.xdrDecodeOpaque(8), x.xdrDecodeInt(), x.xdrDecodeInt()));
        return list(call, a, true);
    }

    private XdrOut list(RpcCall call, Args a, boolean plus) throws NfsError, TooWeak {
        Target dir = calls.resolve(call, a.dir());
        if (dir.attr().type() != FileType.DIRECTORY) throw new NfsError(ERR_NOTDIR, "not a directory");
        dir.require(4, "no read permission on the directory");
        byte[] verifier = ByteBuffer.allocate(8)
                .putLong(dir.fs().cookieVerifier(dir.ino()))
                .array();
        if (a.cookie() != 0 && !Arrays.equals(verifier, a.verifier()))
            throw new NfsError(ERR_BAD_COOKIE, "the cookie verifier changed");
        long maxCount = Integer.toUnsignedLong(a.maxCount());
        long dirCount = plus ? Integer.toUnsignedLong(a.dirCount()) : maxCount;
        maxCount = Math.min(maxCount, NfsConfig.IO_BYTES);
        // status, dir post_op_attr, verifier, the list's end marker and eof.
        long used = 4 + 4 + XdrOut.FATTR_BYTES + 8 + 4 + 4;
        int estimate = (int) Math.max(1, Math.min(ENTRIES_MAX, maxCount / (plus ? 160 : 24)));
        DirPage page = dir.fs().readdir(dir.ino(), a.cookie(), estimate, plus);
        XdrOut out = new XdrOut((int) Math.min(maxCount, 1 << 16)).u32(OK).postOp(dir.attr(), dir.fsid());
        out.fixed(verifier);
        long dirBytes = 0;
        int taken = 0;
        for (DirEntry e : page.entries()) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int entryDir = 4 + 8 + XdrOut.opaqueBytes(name.length) + 8;
            byte[] handle = null;
            Attr attr = null;
            int entryBytes = entryDir;
            if (plus) {
                attr = e.attr();
                if (attr != null) handle = calls.handleOf(dir.fs(), attr);
                entryBytes += 4
                        + (attr != null ? XdrOut.FATTR_BYTES : 0)
                        + 4
                        + (handle != null ? XdrOut.opaqueBytes(handle.length) : 0);
            }
            if (used + entryBytes > maxCount || dirBytes + entryDir > dirCount) break;
            used += entryBytes;
            dirBytes += entryDir;
            out.bool(true).u64(e.ino()).opaque(name).u64(e.cookie());
            if (plus) {
                out.postOp(attr, dir.fsid());
                if (handle == null) out.bool(false);
                else out.bool(true).opaque(handle);
            }
            taken++;
        }
        if (taken == 0 && !page.entries().isEmpty()) throw new NfsError(ERR_TOOSMALL, "not even one entry fits");
        boolean eof = page.eof() && taken == page.entries().size();
        return out.bool(false).bool(eof);
    }
}
