package io.seabed.basestore.manager;

import io.seabed.basestore.chain.Peers;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ManagerStore} in another process (the one holding meta-kv, serving {@link ManagerStoreService}),
 * for managers that run as their own processes. Each call has a deadline of {@code callMillis}; a call that
 * fails or times out throws {@link RpcException}. A lost reply to an acquire, renew or routing store leaves
 * the outcome unknown: the manager then behaves as if it failed (it keeps no lease it has not seen granted,
 * and a renewal it did not see succeed lets its lease run out), which is the safe side.
 */
public final class RemoteManagerStore implements ManagerStore, AutoCloseable {
    private final RoutingTable.Node meta;
    private final long callMillis;
    private final Peers peers;

    public RemoteManagerStore(String host, int port, long callMillis) {
        this.meta = new RoutingTable.Node(0, host, port);
        this.callMillis = callMillis;
        this.peers = new Peers(RpcClient.Config.defaults(), 1, "manager-store-client", 200);
    }

    private RpcClient.Result call(RpcMethod method, byte[] header, RpcPayload payload) {
        try {
            return peers.get(meta)
                    .call(method, header, payload, callMillis)
                    .get(callMillis + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(RpcException.Code.CLOSED, "interrupted calling " + method);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RpcException r) throw r;
            throw new RpcException(RpcException.Code.INTERNAL, method + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new RpcException(RpcException.Code.DEADLINE_EXCEEDED, method + " after " + callMillis + " ms");
        }
    }

    /** Reads an (ok, lease) reply; null when not ok. */
    private static Lease leaseReply(RpcClient.Result r) {
        ByteBuffer in = ByteBuffer.wrap(r.header());
        if (in.remaining() != 1 + Lease.BYTES)
            throw new RpcException(RpcException.Code.INTERNAL, "lease reply of " + in.remaining() + " B");
        boolean ok = in.get() == 1;
        Lease lease = ManagerStoreService.leaseAt(in);
        return ok ? lease : null;
    }

    @Override
    public Lease lease() {
        try (RpcClient.Result r = call(RpcMethod.MANAGER_LEASE_GET, new byte[0], RpcPayload.NONE)) {
            return leaseReply(r);
        }
    }

    @Override
    public Lease acquire(long holder, Lease seen) {
        byte[] header = ByteBuffer.allocate(8 + Lease.BYTES)
                .putLong(holder)
                .put(seen.encode())
                .array();
        try (RpcClient.Result r = call(RpcMethod.MANAGER_LEASE_ACQUIRE, header, RpcPayload.NONE)) {
            return leaseReply(r);
        }
    }

    @Override
    public Lease renew(Lease held) {
        try (RpcClient.Result r = call(RpcMethod.MANAGER_LEASE_RENEW, held.encode(), RpcPayload.NONE)) {
            return leaseReply(r);
        }
    }

    @Override
    public RoutingTable routing() {
        try (RpcClient.Result r = call(RpcMethod.MANAGER_ROUTING_LOAD, new byte[0], RpcPayload.NONE)) {
            return r.payload().isReadable() ? RoutingTable.decode(ManagerStoreService.bytesOf(r.payload())) : null;
        }
    }

    @Override
    public boolean writeRouting(Lease held, RoutingTable table) {
        try (RpcClient.Result r = call(RpcMethod.MANAGER_ROUTING_STORE, held.encode(), RpcPayload.of(table.encode()))) {
            return r.header().length == 1 && r.header()[0] == 1;
        }
    }

    @Override
    public void close() {
        peers.close();
    }
}
