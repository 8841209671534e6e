package io.seabed.basestore.manager;

import io.netty.buffer.ByteBuf;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.basestore.rpc.RpcServer.Call;
import io.seabed.basestore.rpc.RpcServer.Reply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link ManagerStore} of this process (the one holding meta-kv) to cluster managers in other
 * processes ({@code seabed manager}, through {@link RemoteManagerStore}). The store's calls are meta-kv
 * transactions, so they run on one bounded {@code manager-store} thread, never on the event loop; a full
 * queue answers BUSY (the manager retries on its next tick).
 *
 * <p>Wire format (headers, big-endian): a lease is holder, epoch, renewals (3 longs). LEASE_GET → lease.
 * LEASE_ACQUIRE holder, seen lease → ok byte, lease. LEASE_RENEW held lease → ok byte, lease. ROUTING_LOAD →
 * the table as payload (empty before the first placement). ROUTING_STORE held lease + table payload → ok byte.
 */
public final class ManagerStoreService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerStoreService.class);
    /** Calls waiting for the store thread: a few managers, each with at most one call at a time. */
    private static final int QUEUE_MAX = 64;

    private final ManagerStore store;
    private final ThreadPoolExecutor worker;
    private final RpcServer server;

    private ManagerStoreService(ManagerStore store, RpcServer.Config rpc) throws IOException {
        this.store = store;
        this.worker = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_MAX), r -> Thread.ofPlatform()
                        .name("manager-store")
                        .daemon(true)
                        .unstarted(r));
        Map<RpcMethod, RpcServer.Handler> handlers = new EnumMap<>(RpcMethod.class);
        handlers.put(RpcMethod.MANAGER_LEASE_GET, call -> onWorker(() -> leaseReply(true, store.lease())));
        handlers.put(RpcMethod.MANAGER_LEASE_ACQUIRE, this::onAcquire);
        handlers.put(RpcMethod.MANAGER_LEASE_RENEW, this::onRenew);
        handlers.put(RpcMethod.MANAGER_ROUTING_LOAD, call -> onWorker(this::loadRouting));
        handlers.put(RpcMethod.MANAGER_ROUTING_STORE, this::onStoreRouting);
        try {
            this.server = RpcServer.start(rpc, handlers);
        } catch (IOException e) {
            worker.shutdownNow();
            throw e;
        }
    }

    /** Serves {@code store} on {@code rpc}'s address. */
    public static ManagerStoreService start(ManagerStore store, RpcServer.Config rpc) throws IOException {
        return new ManagerStoreService(store, rpc);
    }

    public int port() {
        return server.port();
    }

    private CompletableFuture<Reply> onAcquire(Call call) {
        ByteBuffer in = ByteBuffer.wrap(call.header());
        if (in.remaining() != 8 + ManagerStore.Lease.BYTES) return invalid("lease acquire of " + in.remaining() + " B");
        long holder = in.getLong();
        ManagerStore.Lease seen = leaseAt(in);
        if (holder == 0) return invalid("holder 0 is reserved");
        return onWorker(() -> {
            ManagerStore.Lease mine = store.acquire(holder, seen);
            return leaseReply(mine != null, mine == null ? ManagerStore.Lease.NONE : mine);
        });
    }

    private CompletableFuture<Reply> onRenew(Call call) {
        ByteBuffer in = ByteBuffer.wrap(call.header());
        if (in.remaining() != ManagerStore.Lease.BYTES) return invalid("lease renew of " + in.remaining() + " B");
        ManagerStore.Lease held = leaseAt(in);
        return onWorker(() -> {
            ManagerStore.Lease renewed = store.renew(held);
            return leaseReply(renewed != null, renewed == null ? ManagerStore.Lease.NONE : renewed);
        });
    }

    private Reply loadRouting() {
        RoutingTable table = store.routing();
        return new Reply(new byte[0], table == null ? RpcPayload.NONE : RpcPayload.of(table.encode()));
    }

    private CompletableFuture<Reply> onStoreRouting(Call call) {
        ByteBuffer in = ByteBuffer.wrap(call.header());
        if (in.remaining() != ManagerStore.Lease.BYTES) return invalid("routing store of " + in.remaining() + " B");
        ManagerStore.Lease held = leaseAt(in);
        RoutingTable table;
        try {
            table = RoutingTable.decode(bytesOf(call.payload()));
        } catch (RuntimeException e) {
            return invalid("routing table: " + e.getMessage());
        }
        return onWorker(
                () -> new Reply(new byte[] {(byte) (store.writeRouting(held, table) ? 1 : 0)}, RpcPayload.NONE));
    }

    static ManagerStore.Lease leaseAt(ByteBuffer in) {
        return new ManagerStore.Lease(in.getLong(), in.getLong(), in.getLong());
    }

    static byte[] bytesOf(ByteBuf payload) {
        byte[] bytes = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), bytes);
        return bytes;
    }

    private static Reply leaseReply(boolean ok, ManagerStore.Lease lease) {
        byte[] header = ByteBuffer.allocate(1 + ManagerStore.Lease.BYTES)
                .put((byte) (ok ? 1 : 0))
                .put(lease.encode())
                .array();
        return new Reply(header, RpcPayload.NONE);
    }

    private static CompletableFuture<Reply> invalid(String message) {
        return CompletableFuture.failedFuture(new RpcException(RpcException.Code.INVALID_ARGUMENT, message));
    }

    private CompletableFuture<Reply> onWorker(Supplier<Reply> work) {
        try {
            return CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return work.get();
                        } catch (RuntimeException e) {
                            LOG.warn("manager store call failed: {}", e.toString());
                            throw new RpcException(RpcException.Code.INTERNAL, "manager store: " + e.getMessage());
                        }
                    },
                    worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(
                    new RpcException(RpcException.Code.BUSY, "manager store has " + QUEUE_MAX + " calls waiting"));
        }
    }

    @Override
    public void close() {
        server.close();
        worker.shutdownNow();
    }
}
