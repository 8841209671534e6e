package io.seabed.nfs;

import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FsException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthType;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.rpc.RpcCall;

/**
 * What every procedure needs before it runs: the caller's address and identity (after the export's squashing), and
 * file handles resolved to a file system, an export and current attributes, with the checks of DESIGN §5 (MAC,
 * bucket, export, client network, inode, generation).
 */
final class Calls {
    /** A procedure's answer other than NFS3_OK. */
    static final class NfsError extends Exception {
        final int status;

        NfsError(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }

        static NfsError of(FsException e) {
            return new NfsError(Nfs3.status(e.status()), e.getMessage());
        }
    }

    /** A credential the export does not take (AUTH_NONE where it is not allowed, or an unknown flavor). */
    static final class TooWeak extends Exception {
        TooWeak(String why) {
            super(why, null, false, false);
        }
    }

    /** The caller as the export sees it. */
    record Caller(InetAddress address, int uid, int gid, int[] gids) {
        boolean root() {
            return uid == 0;
        }

        boolean inGroup(int group) {
            if (gid == group) return true;
            for (int g : gids) if (g == group) return true;
            return false;
        }

        /** Whether {@code a}'s mode bits give this caller all of {@code bits} (4 read, 2 write, 1 execute). */
        boolean may(Attr a, int bits) {
            if (root()) return true;
            int m = a.mode();
            int perm = uid == a.uid() ? m >> 6 : inGroup(a.gid()) ? m >> 3 : m;
            return (perm & bits) == bits;
        }
    }

    /** A resolved handle. */
    record Target(FileSystem fs, ExportOptions options, long ino, Attr attr, Caller caller) {
        long fsid() {
            return fs.bucketId();
        }

        void requireWritable() throws NfsError {
            if (options.readOnly()) throw new NfsError(Nfs3.ERR_ROFS, "read-only export");
        }

        void require(int bits, String what) throws NfsError {
            if (!caller.may(attr, bits)) throw new NfsError(Nfs3.ERR_ACCES, what);
        }
    }

    private final FileSystems fileSystems;
    private final Exports exports;
    private final Handles handles;
    private final WriteGather gather;

    Calls(FileSystems fileSystems, Exports exports, Handles handles, WriteGather gather) {
        this.fileSystems = fileSystems;
        this.exports = exports;
        this.handles = handles;
        this.gather = gather;
    }

    static InetAddress client(RpcCall call) {
        return ((InetSocketAddress) call.getTransport().getRemoteSocketAddress()).getAddress();
    }

    /** The caller of {@code call} under {@code options}. */
    static Caller caller(RpcCall call, ExportOptions options) throws TooWeak {
        RpcAuth auth = call.getCredential();
        InetAddress address = client(call);
        int uid;
        int gid;
        int[] gids;
        if (auth instanceof RpcAuthTypeUnix unix) {
            uid = unix.uid();
            gid = unix.gid();
            gids = unix.gids() == null ? new int[0] : unix.gids();
        } else if (auth.type() == RpcAuthType.NONE) {
            if (!options.allowAuthNone()) throw new TooWeak("AUTH_NONE is not allowed by this export");
            return new Caller(address, options.anonUid(), options.anonGid(), new int[0]);
        } else {
            throw new TooWeak("credential flavor " + auth.type());
        }
        boolean squash =
                switch (options.squash()) {
                    case NONE -> false;
                    case ROOT -> uid == 0;
                    case ALL -> true;
                };
        if (squash) return new Caller(address, options.anonUid(), options.anonGid(), new int[0]);
        return new Caller(address, uid, gid, gids);
    }

    /** Resolves a handle sent by {@code call}: BADHANDLE, STALE, ACCES, or the target. */
    Target resolve(RpcCall call, byte[] handle) throws NfsError, TooWeak {
        Handles.Handle h;
        try {
            h = handles.parse(handle);
        } catch (Handles.BadHandle e) {
            throw new NfsError(Nfs3.ERR_BADHANDLE, e.getMessage());
        }
        FileSystem fs = fileSystems.byId(h.bucket());
        if (fs == null) throw new NfsError(Nfs3.ERR_STALE, "bucket " + h.bucket() + " is gone");
        ExportOptions options = exports.optionsFor(fs.bucketName());
        if (options == null) throw new NfsError(Nfs3.ERR_STALE, "bucket " + fs.bucketName() + " is not exported");
        if (!options.allows(client(call)))
            throw new NfsError(Nfs3.ERR_ACCES, "client " + client(call) + " is not allowed");
        Caller caller = caller(call, options);
        Attr attr = attr(fs, h.ino());
        if (attr.generation() != h.generation()) throw new NfsError(Nfs3.ERR_STALE, "inode " + h.ino() + " was reused");
        return new Target(fs, options, h.ino(), attr, caller);
    }

    /** Current attributes, with the size of gathered UNSTABLE writes; STALE when the inode is gone. */
    Attr attr(FileSystem fs, long ino) throws NfsError {
        Attr a;
        try {
            a = fs.getattr(ino);
        } catch (FsException e) {
            if (e.status() == FsException.Status.NOENT) throw new NfsError(Nfs3.ERR_STALE, e.getMessage());
            throw NfsError.of(e);
        }
        long end = gather.pendingEnd(fs.bucketId(), ino);
        if (end <= a.size()) return a;
        return new Attr(
                a.ino(),
                a.generation(),
                a.type(),
                a.mode(),
                a.uid(),
                a.gid(),
                end,
                Math.max(a.used(), (end + 4095) / 4096 * 4096),
                a.nlink(),
                a.atimeNanos(),
                a.mtimeNanos(),
                a.ctimeNanos());
    }

    /** Attributes after an operation, or null when they cannot be read (post_op_attr is optional). */
    Attr attrOrNull(FileSystem fs, long ino) {
        try {
            return attr(fs, ino);
        } catch (NfsError | RuntimeException e) {
            return null;
        }
    }

    byte[] handleOf(FileSystem fs, Attr a) {
        return handles.make(fs.bucketId(), a.ino(), a.generation());
    }

    /** A name sent by a client: INVAL unless UTF-8 (and a path component), NAMETOOLONG over 255 bytes. */
    static String name(byte[] bytes) throws NfsError {
        if (bytes.length > FileSystem.NAME_BYTES_MAX) throw new NfsError(Nfs3.ERR_NAMETOOLONG, bytes.length + " bytes");
        String s = XdrIn.utf8(bytes);
        if (s == null || s.isEmpty() || s.indexOf('/') >= 0 || s.indexOf('\0') >= 0)
            throw new NfsError(Nfs3.ERR_INVAL, "a name must be UTF-8 without '/' or NUL");
        return s;
    }
}
