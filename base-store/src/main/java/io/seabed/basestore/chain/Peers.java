package io.seabed.basestore.chain;

import io.netty.channel.EventLoopGroup;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One data-plane connection per storage node, opened on first use and reopened after it closed, all on
 * one shared I/O thread group. A node that just refused a connection is not retried for {@code
 * reconnectMillis}, so a dead node costs callers a fast failure rather than a connect timeout each.
 *
 * <p>Thread safety: {@link #get} from any thread; it may block up to the connect timeout.
 */
public final class Peers implements AutoCloseable {
    private final RpcClient.Config config;
    private final EventLoopGroup group;
    private final long reconnectNanos;
    private final Map<String, RpcClient> clients = new HashMap<>();
    private final Map<String, Long> failedAt = new HashMap<>();
    private boolean closed;

    public Peers(RpcClient.Config config, int ioThreads, String name, long reconnectMillis) {
        this.config = config;
        this.group = RpcClient.ioGroup(ioThreads, name);
        this.reconnectNanos = TimeUnit.MILLISECONDS.toNanos(reconnectMillis);
    }

    /**
     * The open connection to {@code node}.
     *
     * @throws RpcException CLOSED when it cannot be opened (or failed to open moments ago)
     */
    public RpcClient get(RoutingTable.Node node) {
        String key = node.host() + ":" + node.port();
        synchronized (this) {
            if (closed) throw new RpcException(RpcException.Code.CLOSED, "peers closed");
            RpcClient client = clients.get(key);
            if (client != null && client.isOpen()) return client;
            if (client != null) {
                client.close();
                clients.remove(key);
            }
            Long failed = failedAt.get(key);
            if (failed != null && System.nanoTime() - failed < reconnectNanos)
                throw new RpcException(
                        RpcException.Code.CLOSED, "node " + node.nodeId() + " at " + key + " unreachable");
        }
        // Connect outside the lock: one slow node must not hold up calls to the others.
        RpcClient opened;
        try {
            opened = RpcClient.connect(node.host(), node.port(), config, group);
        } catch (IOException e) {
            synchronized (this) {
                failedAt.put(key, System.nanoTime());
            }
            throw new RpcException(RpcException.Code.CLOSED, "node " + node.nodeId() + ": " + e.getMessage());
        }
        synchronized (this) {
            failedAt.remove(key);
            RpcClient raced = clients.get(key);
            if (closed || (raced != null && raced.isOpen())) {
                opened.close();
                if (closed) throw new RpcException(RpcException.Code.CLOSED, "peers closed");
                return raced;
            }
            clients.put(key, opened);
            return opened;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            for (RpcClient c : clients.values()) c.close();
            clients.clear();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
