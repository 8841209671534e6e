package io.seabed.nfs;

import java.io.IOException;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;

/**
 * A read-only portmapper (PMAP v2, RFC 1833 §3) for clients that ask for the NFS and MOUNT ports instead of being
 * told them: GETPORT answers this gateway's port for NFS v3 and MOUNT v3 over TCP (0 for anything else), DUMP
 * lists those mappings. SET and UNSET answer false: nothing else can register here, so no client can redirect
 * another's mounts. CALLIT is not served.
 */
final class PortmapProgram implements RpcDispatchable {
    static final int PROGRAM = 100000;
    static final int VERSION = 2;
    private static final int TCP = 6;

    private final int nfsPort;

    PortmapProgram(int nfsPort) {
        this.nfsPort = nfsPort;
    }

    private record Mapping(int program, int version) {}

    private static final Mapping[] SERVED = {
        new Mapping(Nfs3.PROGRAM, Nfs3.VERSION), new Mapping(Nfs3.MOUNT_PROGRAM, Nfs3.MOUNT_VERSION)
    };

    private record Query(int program, int version, int protocol) {}

    @Override
    public void dispatchOncRpcCall(RpcCall call) throws OncRpcException, IOException {
        try {
            switch (call.getProcedure()) {
                case 0 -> call.reply(new XdrOut(0));
                case 1, 2 -> {
                    XdrIn.args(call, x -> {
                        for (int i = 0; i < 4; i++) x.xdrDecodeInt();
                        return Boolean.TRUE;
                    });
                    call.reply(new XdrOut(4).bool(false));
                }
                case 3 -> {
                    Query q = XdrIn.args(call, x -> {
                        Query read = new Query(x.xdrDecodeInt(), x.xdrDecodeInt(), x.xdrDecodeInt());
                        x.xdrDecodeInt(); // port: ignored in a query
                        return read;
                    });
                    call.reply(new XdrOut(4).u32(portOf(q)));
                }
                case 4 -> {
                    XdrOut out = new XdrOut(24 * SERVED.length + 4);
                    for (Mapping m : SERVED)
                        out.bool(true)
                                .u32(m.program())
                                .u32(m.version())
                                .u32(TCP)
                                .u32(nfsPort);
                    call.reply(out.bool(false));
                }
                default -> call.failProcedureUnavailable();
            }
        } catch (XdrIn.Garbage e) {
            call.failRpcGarbage();
        }
    }

    private int portOf(Query q) {
        if (q.protocol() != TCP) return 0;
        for (Mapping m : SERVED) if (m.program() == q.program() && m.version() == q.version()) return nfsPort;
        return 0;
    }
}
