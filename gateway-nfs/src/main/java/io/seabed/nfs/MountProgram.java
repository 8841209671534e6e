package io.seabed.nfs;

import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FileType;
import io.seabed.namespace.fs.FsException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MOUNT v3 (RFC 1813 appendix I) on the NFS port: MNT of {@code /BUCKET} (or {@code BUCKET}, or a directory below it: {@code
 * /BUCKET/DIR}) answers the handle of that directory of an exported bucket the client's network may use; DUMP lists the mounts this gateway saw (bounded),
 * UMNT and UMNTALL forget them, EXPORT lists the exported buckets.
 */
final class MountProgram implements RpcDispatchable {
    private static final Logger LOG = LoggerFactory.getLogger(MountProgram.class);

    static final int MOUNTS_MAX = 4096;

    private record Mount(String host, String path) {}

    private final FileSystems fileSystems;
    private final Exports exports;
    private final Handles handles;
    private final Map<Mount, Boolean> mounts = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Mount, Boolean> eldest) {
            return size() > MOUNTS_MAX;
        }
    };

    MountProgram(FileSystems fileSystems, Exports exports, Handles handles) {
        this.fileSystems = fileSystems;
        this.exports = exports;
        this.handles = handles;
    }

    @Override
    public void dispatchOncRpcCall(RpcCall call) throws OncRpcException, IOException {
        try {
            switch (call.getProcedure()) {
                case 0 -> call.reply(new XdrOut(0));
                case 1 -> call.reply(mnt(call));
                case 2 -> call.reply(dump());
                case 3 -> call.reply(umnt(call));
                case 4 -> call.reply(umntAll(call));
                case 5 -> call.reply(export());
                default -> call.failProcedureUnavailable();
            }
        } catch (XdrIn.Garbage e) {
            call.failRpcGarbage();
        }
    }

    private static String path(RpcCall call) throws XdrIn.Garbage {
        byte[] raw = XdrIn.args(call, x -> {
            int n = x.xdrDecodeInt();
            if (n < 0 || n > 1024) throw new XdrIn.Bad("path of " + n);
            return x.xdrDecodeOpaque(n);
        });
        String s = XdrIn.utf8(raw);
        return s == null ? "" : s;
    }

    private XdrOut mnt(RpcCall call) throws XdrIn.Garbage {
        String path = path(call);
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) if (!p.isEmpty() && !p.equals(".")) parts.add(p);
        InetAddress client = Calls.client(call);
        if (parts.isEmpty() || parts.contains("..")) return new XdrOut(4).u32(Nfs3.MNT_NOENT);
        String bucket = parts.getFirst();
        try {
            ExportOptions options = exports.optionsFor(bucket);
            FileSystem fs = options == null ? null : fileSystems.open(bucket);
            if (fs == null) return new XdrOut(4).u32(Nfs3.MNT_NOENT);
            if (!options.allows(client)) return new XdrOut(4).u32(Nfs3.MNT_ACCES);
            // A directory below the bucket's root may be mounted too, as with any NFS server.
            Attr at = fs.getattr(fs.rootIno());
            for (String name : parts.subList(1, parts.size())) {
                if (at.type() != FileType.DIRECTORY) return new XdrOut(4).u32(Nfs3.MNT_NOTDIR);
                at = fs.lookup(at.ino(), name);
            }
            if (at.type() != FileType.DIRECTORY) return new XdrOut(4).u32(Nfs3.MNT_NOTDIR);
            synchronized (mounts) {
                mounts.put(new Mount(client.getHostAddress(), "/" + String.join("/", parts)), Boolean.TRUE);
            }
            XdrOut out = new XdrOut(96).u32(Nfs3.MNT_OK).opaque(handles.make(fs.bucketId(), at.ino(), at.generation()));
            if (options.allowAuthNone()) return out.u32(2).u32(1).u32(0); // AUTH_UNIX, AUTH_NONE
            return out.u32(1).u32(1); // AUTH_UNIX
        } catch (FsException e) {
            return switch (e.status()) {
                case NOENT, INVAL, NAMETOOLONG, STALE -> new XdrOut(4).u32(Nfs3.MNT_NOENT);
                case NOTDIR -> new XdrOut(4).u32(Nfs3.MNT_NOTDIR);
                default -> {
                    LOG.warn("MNT {} from {} failed: {}", path, client, e.getMessage());
                    yield new XdrOut(4).u32(Nfs3.MNT_SERVERFAULT);
                }
            };
        } catch (RuntimeException e) {
            LOG.warn("MNT {} from {} failed: {}", path, client, e.toString());
            return new XdrOut(4).u32(Nfs3.MNT_SERVERFAULT);
        }
    }

    private XdrOut dump() {
        XdrOut out = new XdrOut(256);
        synchronized (mounts) {
            for (Mount m : mounts.keySet())
                out.bool(true)
                        .opaque(m.host().getBytes(StandardCharsets.UTF_8))
                        .opaque(m.path().getBytes(StandardCharsets.UTF_8));
        }
        return out.bool(false);
    }

    private XdrOut umnt(RpcCall call) throws XdrIn.Garbage {
        String path = path(call);
        synchronized (mounts) {
            mounts.remove(new Mount(Calls.client(call).getHostAddress(), path.startsWith("/") ? path : "/" + path));
        }
        return new XdrOut(0);
    }

    private XdrOut umntAll(RpcCall call) {
        String host = Calls.client(call).getHostAddress();
        synchronized (mounts) {
            mounts.keySet().removeIf(m -> m.host().equals(host));
        }
        return new XdrOut(0);
    }

    private XdrOut export() {
        XdrOut out = new XdrOut(256);
        for (String bucket : fileSystems.buckets()) {
            ExportOptions options = exports.optionsFor(bucket);
            if (options == null) continue;
            out.bool(true).opaque(("/" + bucket).getBytes(StandardCharsets.UTF_8));
            for (ClientNet net : options.clients())
                out.bool(true).opaque(net.toString().getBytes(StandardCharsets.UTF_8));
            out.bool(false);
        }
        return out.bool(false);
    }
}
