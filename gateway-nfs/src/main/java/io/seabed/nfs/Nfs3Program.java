package io.seabed.nfs;

import static io.seabed.nfs.Nfs3.*;

import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FileType;
import io.seabed.namespace.fs.FsException;
import io.seabed.namespace.fs.FsStat;
import io.seabed.namespace.fs.SetAttr;
import io.seabed.nfs.Calls.NfsError;
import io.seabed.nfs.Calls.Target;
import io.seabed.nfs.Calls.TooWeak;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.RpcAuthError;
import org.dcache.oncrpc4j.rpc.RpcAuthStat;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.rpc.RpcRejectStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NFSv3 (RFC 1813): one dispatcher over the 22 procedures. Each decodes its arguments (GARBAGE_ARGS when they do
 * not decode), resolves its handles ({@link Calls}), checks the export and the caller's permissions, calls the
 * bucket's {@link FileSystem}, and answers the status with the attributes the protocol carries. Non-idempotent
 * procedures go through the {@link ReplyCache}; directory listings are {@link Nfs3Listing}'s.
 */
final class Nfs3Program implements RpcDispatchable {
    private static final Logger LOG = LoggerFactory.getLogger(Nfs3Program.class);

    /** Booleans "no attributes" an error reply carries after its status, by procedure (RFC 1813 *3resfail). */
    private static final int[] ERROR_BODY = {0, 0, 2, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 4, 3, 1, 1, 1, 1, 1, 2};

    /** Procedures whose retransmission must not run twice. */
    private static boolean once(int procedure) {
        return switch (procedure) {
            case SETATTR, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK -> true;
            default -> false;
        };
    }

    private final Calls calls;
    private final WriteGather gather;
    private final ReplyCache replies;
    private final Nfs3Listing listing;
    private final ReadAhead readAhead;
    private final byte[] writeVerifier;
    final AtomicLong serverFaults = new AtomicLong();

    Nfs3Program(Calls calls, WriteGather gather, ReplyCache replies, ReadAhead readAhead, byte[] writeVerifier) {
        this.readAhead = readAhead;
        this.calls = calls;
        this.gather = gather;
        this.replies = replies;
        this.listing = new Nfs3Listing(calls);
        this.writeVerifier = writeVerifier.clone();
    }

    @Override
    public void dispatchOncRpcCall(RpcCall call) throws OncRpcException, IOException {
        int procedure = call.getProcedure();
        if (procedure == NULL) {
            call.reply(new XdrOut(0));
            return;
        }
        if (procedure < 0 || procedure > COMMIT) {
            call.failProcedureUnavailable();
            return;
        }
        InetAddress client = Calls.client(call);
        boolean once = once(procedure);
        if (once) {
            switch (replies.begin(client, call.getXid(), procedure)) {
                case ReplyCache.Replay r -> {
                    call.reply(r.reply());
                    return;
                }
                case ReplyCache.Drop d -> {
                    return;
                }
                case ReplyCache.Run r -> {}
            }
        }
        XdrOut reply;
        try {
            reply = run(call, procedure);
        } catch (XdrIn.Garbage e) {
            if (once) replies.forget(client, call.getXid(), procedure);
            call.failRpcGarbage();
            return;
        } catch (TooWeak e) {
            if (once) replies.forget(client, call.getXid(), procedure);
            call.reject(RpcRejectStatus.AUTH_ERROR, new RpcAuthError(RpcAuthStat.AUTH_TOOWEAK));
            return;
        }
        if (once) replies.done(client, call.getXid(), procedure, reply);
        call.reply(reply);
    }

    /** Runs a procedure: its reply, an error reply for a status, SERVERFAULT for anything unexpected. */
    private XdrOut run(RpcCall call, int procedure) throws XdrIn.Garbage, TooWeak {
        try {
            return switch (procedure) {
                case GETATTR -> getattr(call);
                case SETATTR -> setattr(call);
                case LOOKUP -> lookup(call);
                case ACCESS -> access(call);
                case READLINK -> readlink(call);
                case READ -> read(call);
                case WRITE -> write(call);
                case CREATE -> create(call);
                case MKDIR -> mkdir(call);
                case SYMLINK -> symlink(call);
                case MKNOD -> mknod(call);
                case REMOVE -> remove(call, false);
                case RMDIR -> remove(call, true);
                case RENAME -> rename(call);
                case LINK -> link(call);
                case READDIR -> listing.readdir(call);
                case READDIRPLUS -> listing.readdirplus(call);
                case FSSTAT -> fsstat(call);
                case FSINFO -> fsinfo(call);
                case PATHCONF -> pathconf(call);
                case COMMIT -> commit(call);
                default -> throw new IllegalStateException("procedure " + procedure);
            };
        } catch (NfsError e) {
            return error(procedure, e.status);
        } catch (FsException e) {
            return error(procedure, Nfs3.status(e.status()));
        } catch (RuntimeException e) {
            serverFaults.incrementAndGet();
            LOG.error("NFS procedure {} failed", procedure, e);
            return error(procedure, ERR_SERVERFAULT);
        }
    }

    static XdrOut error(int procedure, int status) {
        XdrOut out = new XdrOut(4 + 4 * ERROR_BODY[procedure]).u32(status);
        for (int i = 0; i < ERROR_BODY[procedure]; i++) out.bool(false);
        return out;
    }

    private static XdrOut ok(int bytes) {
        return new XdrOut(bytes).u32(OK);
    }

    // ---- attributes ----

    private XdrOut getattr(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        byte[] fh = XdrIn.args(call, XdrIn::handle);
        Target t = calls.resolve(call, fh);
        return ok(4 + XdrOut.FATTR_BYTES).fattr(t.attr(), t.fsid());
    }

    private record SetattrArgs(byte[] fh, SetAttr change, Long guard) {}

    private XdrOut setattr(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        SetattrArgs a = XdrIn.args(call, x -> {
            byte[] fh = XdrIn.handle(x);
            SetAttr change = XdrIn.sattr(x);
            Long guard = null;
            if (x.xdrDecodeBoolean())
                guard = (x.xdrDecodeInt() & 0xFFFFFFFFL) * 1_000_000_000L + (x.xdrDecodeInt() & 0xFFFFFFFFL);
            return new SetattrArgs(fh, change, guard);
        });
        Target t = calls.resolve(call, a.fh());
        t.requireWritable();
        SetAttr c = a.change();
        Calls.Caller who = t.caller();
        boolean owner = who.root() || who.uid() == t.attr().uid();
        if ((c.mode() != null || c.gid() != null) && !owner) throw new NfsError(ERR_PERM, "not the owner");
        if (c.uid() != null && c.uid() != t.attr().uid() && !who.root()) throw new NfsError(ERR_PERM, "chown");
        if (c.gid() != null && !who.root() && !who.inGroup(c.gid())) throw new NfsError(ERR_PERM, "chgrp");
        if (c.size() != null) t.require(2, "no write permission");
        boolean clientTimes = (c.atimeNanos() != null && c.atimeNanos() != SetAttr.SERVER_TIME)
                || (c.mtimeNanos() != null && c.mtimeNanos() != SetAttr.SERVER_TIME);
        if (clientTimes && !owner) throw new NfsError(ERR_PERM, "only the owner sets times");
        if ((c.atimeNanos() != null || c.mtimeNanos() != null) && !owner) t.require(2, "no write permission");
        readAhead.forget(t.fsid(), t.ino());
        if (c.size() != null) gather.flush(t.fs(), t.ino());
        Attr before = t.attr();
        Attr after = t.fs().setattr(t.ino(), c, a.guard());
        return ok(200).wcc(before, after, t.fsid());
    }

    // ---- names ----

    private record DirOp(byte[] dir, byte[] name) {}

    private static DirOp dirOp(org.dcache.oncrpc4j.xdr.XdrDecodingStream x) throws IOException {
        return new DirOp(XdrIn.handle(x), XdrIn.name(x));
    }

    /** The directory of a DirOp, with execute (search) permission checked. */
    private Target directory(RpcCall call, byte[] fh) throws NfsError, TooWeak {
        Target dir = calls.resolve(call, fh);
        if (dir.attr().type() != FileType.DIRECTORY) throw new NfsError(ERR_NOTDIR, "not a directory");
        dir.require(1, "no search permission");
        return dir;
    }

    private XdrOut lookup(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        DirOp a = XdrIn.args(call, Nfs3Program::dirOp);
        Target dir = directory(call, a.dir());
        String name = Calls.name(a.name());
        Attr found;
        try {
            found = dir.fs().lookup(dir.ino(), name);
        } catch (FsException e) {
            return new XdrOut(96).u32(Nfs3.status(e.status())).postOp(dir.attr(), dir.fsid());
        }
        found = calls.attr(dir.fs(), found.ino());
        return ok(300).opaque(calls.handleOf(dir.fs(), found))
                .postOp(found, dir.fsid())
                .postOp(dir.attr(), dir.fsid());
    }

    private record AccessArgs(byte[] fh, int bits) {}

    private XdrOut access(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        AccessArgs a = XdrIn.args(call, x -> new AccessArgs(XdrIn.handle(x), x.xdrDecodeInt()));
        Target t = calls.resolve(call, a.fh());
        Calls.Caller who = t.caller();
        Attr attr = t.attr();
        boolean dir = attr.type() == FileType.DIRECTORY;
        int granted = 0;
        if (who.may(attr, 4)) granted |= ACCESS_READ;
        if (who.may(attr, 1)) granted |= dir ? ACCESS_LOOKUP : ACCESS_EXECUTE;
        if (who.root() && !dir && (attr.mode() & 0111) == 0) granted &= ~ACCESS_EXECUTE;
        if (!t.options().readOnly() && who.may(attr, 2))
            granted |= ACCESS_MODIFY | ACCESS_EXTEND | (dir ? ACCESS_DELETE : 0);
        return ok(100).postOp(attr, t.fsid()).u32(granted & a.bits());
    }

    private XdrOut readlink(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        byte[] fh = XdrIn.args(call, XdrIn::handle);
        Target t = calls.resolve(call, fh);
        if (t.attr().type() != FileType.SYMLINK) throw new NfsError(ERR_INVAL, "not a symlink");
        String target = t.fs().readlink(t.ino());
        return ok(200).postOp(t.attr(), t.fsid()).opaque(target.getBytes(StandardCharsets.UTF_8));
    }

    private record CreateArgs(DirOp where, int how, SetAttr attrs, byte[] verifier) {}

    private XdrOut create(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        CreateArgs a = XdrIn.args(call, x -> {
            DirOp where = dirOp(x);
            int how = x.xdrDecodeInt();
            if (how == 2) return new CreateArgs(where, how, SetAttr.NONE, x.xdrDecodeOpaque(8));
            if (how != 0 && how != 1) throw new XdrIn.Bad("createmode " + how);
            return new CreateArgs(where, how, XdrIn.sattr(x), null);
        });
        Target dir = directory(call, a.where().dir());
        dir.requireWritable();
        dir.require(2, "no write permission on the directory");
        String name = Calls.name(a.where().name());
        FileSystem.CreateMode mode =
                switch (a.how()) {
                    case 0 -> FileSystem.CreateMode.UNCHECKED;
                    case 1 -> FileSystem.CreateMode.GUARDED;
                    default -> FileSystem.CreateMode.EXCLUSIVE;
                };
        SetAttr s = a.attrs();
        Calls.Caller who = dir.caller();
        int perm = s.mode() != null ? s.mode() : 0644;
        Attr made = dir.fs().create(dir.ino(), name, mode, perm, who.uid(), who.gid(), a.verifier());
        if (mode == FileSystem.CreateMode.UNCHECKED && s.size() != null && made.size() != s.size())
            made = dir.fs().setattr(made.ino(), new SetAttr(null, null, null, s.size(), null, null), null);
        return created(dir, made);
    }

    /** The reply of CREATE, MKDIR and SYMLINK: the new handle and attributes, and the directory's wcc. */
    private XdrOut created(Target dir, Attr made) {
        Attr dirAfter = calls.attrOrNull(dir.fs(), dir.ino());
        return ok(400).bool(true)
                .opaque(calls.handleOf(dir.fs(), made))
                .postOp(made, dir.fsid())
                .wcc(dir.attr(), dirAfter, dir.fsid());
    }

    private record MkdirArgs(DirOp where, SetAttr attrs) {}

    private XdrOut mkdir(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        MkdirArgs a = XdrIn.args(call, x -> new MkdirArgs(dirOp(x), XdrIn.sattr(x)));
        Target dir = directory(call, a.where().dir());
        dir.requireWritable();
        dir.require(2, "no write permission on the directory");
        String name = Calls.name(a.where().name());
        int perm = a.attrs().mode() != null ? a.attrs().mode() : 0755;
        Attr made = dir.fs()
                .mkdir(dir.ino(), name, perm, dir.caller().uid(), dir.caller().gid());
        return created(dir, made);
    }

    private record SymlinkArgs(DirOp where, SetAttr attrs, byte[] target) {}

    private XdrOut symlink(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        SymlinkArgs a = XdrIn.args(call, x -> new SymlinkArgs(dirOp(x), XdrIn.sattr(x), XdrIn.path(x)));
        Target dir = directory(call, a.where().dir());
        dir.requireWritable();
        dir.require(2, "no write permission on the directory");
        String name = Calls.name(a.where().name());
        String target = XdrIn.utf8(a.target());
        if (target == null) throw new NfsError(ERR_INVAL, "symlink target is not UTF-8");
        int perm = a.attrs().mode() != null ? a.attrs().mode() : 0777;
        Attr made = dir.fs()
                .symlink(
                        dir.ino(),
                        name,
                        target,
                        perm,
                        dir.caller().uid(),
                        dir.caller().gid());
        return created(dir, made);
    }

    private XdrOut mknod(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        DirOp where = XdrIn.args(call, x -> {
            DirOp d = dirOp(x);
            x.xdrDecodeInt(); // the type; what follows depends on it and is not needed to refuse it
            return d;
        });
        directory(call, where.dir()).requireWritable();
        throw new NfsError(ERR_NOTSUPP, "device nodes, sockets and fifos are not supported");
    }

    private XdrOut remove(RpcCall call, boolean directory) throws XdrIn.Garbage, NfsError, TooWeak {
        DirOp a = XdrIn.args(call, Nfs3Program::dirOp);
        Target dir = directory(call, a.dir());
        dir.requireWritable();
        dir.require(2, "no write permission on the directory");
        String name = Calls.name(a.name());
        if (directory) dir.fs().rmdir(dir.ino(), name);
        else dir.fs().remove(dir.ino(), name);
        return ok(200).wcc(dir.attr(), calls.attrOrNull(dir.fs(), dir.ino()), dir.fsid());
    }

    private record RenameArgs(DirOp from, DirOp to) {}

    private XdrOut rename(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        RenameArgs a = XdrIn.args(call, x -> new RenameArgs(dirOp(x), dirOp(x)));
        Target from = directory(call, a.from().dir());
        Target to = directory(call, a.to().dir());
        if (from.fsid() != to.fsid()) throw new NfsError(18 /* XDEV */, "rename across buckets");
        from.requireWritable();
        from.require(2, "no write permission on the source directory");
        to.require(2, "no write permission on the target directory");
        from.fs().rename(from.ino(), Calls.name(a.from().name()), to.ino(), Calls.name(a.to().name()));
        return ok(400).wcc(from.attr(), calls.attrOrNull(from.fs(), from.ino()), from.fsid())
                .wcc(to.attr(), calls.attrOrNull(to.fs(), to.ino()), to.fsid());
    }

    private record LinkArgs(byte[] file, DirOp link) {}

    private XdrOut link(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        LinkArgs a = XdrIn.args(call, x -> new LinkArgs(XdrIn.handle(x), dirOp(x)));
        Target file = calls.resolve(call, a.file());
        Target dir = directory(call, a.link().dir());
        if (file.fsid() != dir.fsid()) throw new NfsError(18 /* XDEV */, "link across buckets");
        dir.requireWritable();
        dir.require(2, "no write permission on the directory");
        Attr after = dir.fs().link(file.ino(), dir.ino(), Calls.name(a.link().name()));
        return ok(300).postOp(after, dir.fsid()).wcc(dir.attr(), calls.attrOrNull(dir.fs(), dir.ino()), dir.fsid());
    }

    // ---- data ----

    private record ReadArgs(byte[] fh, long offset, int count) {}

    private XdrOut read(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        ReadArgs a = XdrIn.args(call, x -> new ReadArgs(XdrIn.handle(x), x.xdrDecodeLong(), x.xdrDecodeInt()));
        Target t = calls.resolve(call, a.fh());
        if (t.attr().type() == FileType.DIRECTORY) throw new NfsError(ERR_ISDIR, "read of a directory");
        if (t.attr().type() != FileType.FILE)
            throw new NfsError(ERR_INVAL, "read of a " + t.attr().type());
        if (!t.caller().may(t.attr(), 4) && t.caller().uid() != t.attr().uid())
            throw new NfsError(ERR_ACCES, "no read permission");
        if (a.offset() < 0) throw new NfsError(ERR_INVAL, "offset past 2^63");
        Attr attr = t.attr();
        if (gather.holds(t.fsid(), t.ino())) {
            // Written now: read-ahead windows and the attributes read before are of other bytes.
            gather.flush(t.fs(), t.ino());
            readAhead.forget(t.fsid(), t.ino());
            attr = calls.attr(t.fs(), t.ino());
        }
        int count = (int) Math.min(Integer.toUnsignedLong(a.count()), NfsConfig.IO_BYTES);
        ByteBuffer data = ByteBuffer.allocate(count);
        int n = readAhead.read(t.fs(), attr, a.offset(), count, data);
        data.flip();
        // A read changes no attribute we keep (no atime on reads), so those read before it answer.
        boolean eof = a.offset() + n >= attr.size();
        return ok(120 + n).postOp(attr, t.fsid()).u32(n).bool(eof).opaque(data);
    }

    private record WriteArgs(byte[] fh, long offset, int count, int stable, byte[] data) {}

    private XdrOut write(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        WriteArgs a = XdrIn.args(call, x -> {
            byte[] fh = XdrIn.handle(x);
            long offset = x.xdrDecodeLong();
            int count = x.xdrDecodeInt();
            int stable = x.xdrDecodeInt();
            int length = x.xdrDecodeInt();
            if (length < 0 || length > NfsConfig.IO_BYTES) throw new XdrIn.Bad("write of " + length + " bytes");
            return new WriteArgs(fh, offset, count, stable, x.xdrDecodeOpaque(length));
        });
        Target t = calls.resolve(call, a.fh());
        t.requireWritable();
        if (t.attr().type() == FileType.DIRECTORY) throw new NfsError(ERR_ISDIR, "write to a directory");
        if (t.attr().type() != FileType.FILE)
            throw new NfsError(ERR_INVAL, "write to a " + t.attr().type());
        if (!t.caller().may(t.attr(), 2) && t.caller().uid() != t.attr().uid())
            throw new NfsError(ERR_ACCES, "no write permission");
        if (a.count() != a.data().length || a.offset() < 0)
            throw new NfsError(ERR_INVAL, "count " + a.count() + " for " + a.data().length + " bytes");
        if (a.offset() > FileSystem.FILE_BYTES_MAX - a.data().length)
            throw new NfsError(ERR_FBIG, "past the largest file");
        readAhead.forget(t.fsid(), t.ino());
        int committed;
        if (a.stable() == UNSTABLE) {
            gather.add(t.fs(), t.ino(), a.offset(), a.data());
            committed = UNSTABLE;
        } else {
            if (gather.holds(t.fsid(), t.ino())) gather.flush(t.fs(), t.ino());
            t.fs().write(t.ino(), a.offset(), ByteBuffer.wrap(a.data()));
            committed = FILE_SYNC;
        }
        readAhead.forget(t.fsid(), t.ino()); // again: a window may have started while this write went in
        Attr after = calls.attrOrNull(t.fs(), t.ino());
        return ok(220).wcc(t.attr(), after, t.fsid())
                .u32(a.data().length)
                .u32(committed)
                .fixed(writeVerifier);
    }

    private XdrOut commit(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        byte[] fh = XdrIn.args(call, x -> {
            byte[] h = XdrIn.handle(x);
            x.xdrDecodeLong(); // offset and count: the whole file is committed
            x.xdrDecodeInt();
            return h;
        });
        Target t = calls.resolve(call, fh);
        gather.flush(t.fs(), t.ino());
        return ok(220).wcc(t.attr(), calls.attrOrNull(t.fs(), t.ino()), t.fsid())
                .fixed(writeVerifier);
    }

    // ---- file system ----

    private XdrOut fsstat(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        Target t = calls.resolve(call, XdrIn.args(call, XdrIn::handle));
        FsStat s = t.fs().statfs();
        return ok(160).postOp(t.attr(), t.fsid())
                .u64(s.totalBytes())
                .u64(s.freeBytes())
                .u64(s.freeBytes())
                .u64(s.totalFiles())
                .u64(s.freeFiles())
                .u64(s.freeFiles())
                .u32(0);
    }

    private XdrOut fsinfo(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        Target t = calls.resolve(call, XdrIn.args(call, XdrIn::handle));
        int io = NfsConfig.IO_BYTES;
        return ok(160).postOp(t.attr(), t.fsid())
                .u32(io)
                .u32(io)
                .u32(4096)
                .u32(io)
                .u32(io)
                .u32(4096)
                .u32(64 * 1024)
                .u64(FileSystem.FILE_BYTES_MAX)
                .u32(0)
                .u32(1) // time_delta: 1 ns
                .u32(0x1 | 0x2 | 0x8 | 0x10); // LINK, SYMLINK, HOMOGENEOUS, CANSETTIME
    }

    private XdrOut pathconf(RpcCall call) throws XdrIn.Garbage, NfsError, TooWeak {
        Target t = calls.resolve(call, XdrIn.args(call, XdrIn::handle));
        return ok(120).postOp(t.attr(), t.fsid())
                .u32(65_000)
                .u32(FileSystem.NAME_BYTES_MAX)
                .bool(true) // no_trunc
                .bool(true) // chown_restricted
                .bool(false) // case_insensitive
                .bool(true); // case_preserving
    }
}
