package io.seabed.basestore.manager;

import io.seabed.basestore.chain.Peers;
import io.seabed.basestore.chain.RoutingSource;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Routing fetched from the cluster managers (ROUTING_GET, any of them: a standby reads what the primary
 * stored). {@link #refresh} asks each manager in turn and keeps the newest table it gets; a manager that does
 * not answer within {@code callMillis} is skipped.
 */
public final class ManagerRouting implements RoutingSource, AutoCloseable {
    private final List<RoutingTable.Node> managers;
    private final long callMillis;
    private final Peers peers;
    private volatile RoutingTable table;

    /** Fetches the first table, waiting up to {@code waitMillis} for one to exist. */
    public ManagerRouting(List<RoutingTable.Node> managers, long callMillis, long waitMillis)
            throws InterruptedException {
        this.managers = List.copyOf(managers);
        this.callMillis = callMillis;
        this.peers = new Peers(RpcClient.Config.defaults(), 1, "routing", 200);
        this.table = new RoutingTable(0, java.util.Map.of(), java.util.Map.of(), java.util.Map.of());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (refresh(0).version() == 0) {
            if (System.nanoTime() - deadline > 0) {
                peers.close();
                throw new IllegalStateException(
                        "no routing from managers " + managers + " within " + waitMillis + " ms");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public RoutingTable current() {
        return table;
    }

    @Override
    public RoutingTable refresh(long staleVersion) {
        for (RoutingTable.Node manager : managers) {
            try (RpcClient.Result r = peers.get(manager)
                    .call(RpcMethod.ROUTING_GET, new byte[0], RpcPayload.NONE, callMillis)
                    .get(callMillis + 500, TimeUnit.MILLISECONDS)) {
                if (!r.payload().isReadable()) continue;
                byte[] bytes = new byte[r.payload().readableBytes()];
                r.payload().readBytes(bytes);
                RoutingTable fetched = RoutingTable.decode(bytes);
                synchronized (this) {
                    if (fetched.version() > table.version()) table = fetched;
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                // Try the next manager.
            }
        }
        return table;
    }

    @Override
    public void close() {
        peers.close();
    }
}
