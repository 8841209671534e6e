package io.seabed.basestore.manager;

import io.seabed.basestore.TargetState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.chain.StorageNode;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage node's side of the manager: every {@code heartbeatMillis} it sends a heartbeat to each manager
 * address; an answer from the primary installs any newer routing table and moves the node's fence to the
 * heartbeat's send time plus {@code fenceMillis}. The node is fenced from the start until the first answer.
 * An answer from a primary with a lower lease epoch than one already seen is ignored.
 *
 * <p>Threads: one {@code manager-link-<node>} thread sends; answers are handled on RPC threads.
 */
public final class ManagerLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerLink.class);

    private final StorageNode node;
    private final List<RoutingTable.Node> managers;
    private final String host;
    private final long heartbeatMillis;
    private final long fenceNanos;
    private final io.seabed.basestore.chain.Peers peers;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean paused;
    /** The highest lease epoch a primary answered with: an answer from an older epoch is a deposed primary's. */
    private final java.util.concurrent.atomic.AtomicLong epochSeen = new java.util.concurrent.atomic.AtomicLong();

    private ManagerLink(
            StorageNode node, String host, List<RoutingTable.Node> managers, long heartbeatMillis, long fenceMillis) {
        this.node = node;
        this.host = host;
        this.managers = List.copyOf(managers);
        this.heartbeatMillis = heartbeatMillis;
        this.fenceNanos = TimeUnit.MILLISECONDS.toNanos(fenceMillis);
        this.peers = new io.seabed.basestore.chain.Peers(
                RpcClient.Config.defaults(), 1, "manager-link-" + node.nodeId(), heartbeatMillis);
        this.thread = Thread.ofPlatform()
                .name("manager-link-" + node.nodeId())
                .daemon(true)
                .unstarted(this::run);
    }

    /**
     * Starts heartbeating {@code managers} (addresses; their node ids are ignored) on behalf of {@code node},
     * whose data-plane address others reach at {@code host}.
     */
    public static ManagerLink start(
            StorageNode node, String host, List<RoutingTable.Node> managers, long heartbeatMillis, long fenceMillis) {
        if (fenceMillis <= 2 * heartbeatMillis)
            throw new IllegalArgumentException("fenceMillis=" + fenceMillis + " must exceed two heartbeats");
        node.fenceAt(System.nanoTime());
        ManagerLink link = new ManagerLink(node, host, managers, heartbeatMillis, fenceMillis);
        link.thread.start();
        return link;
    }

    /** Stops sending heartbeats (tests: a node cut off from its managers) or resumes. */
    public void pause(boolean pause) {
        paused = pause;
    }

    private void run() {
        while (!closed) {
            if (!paused) beat();
            try {
                Thread.sleep(heartbeatMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void beat() {
        Map<Integer, TargetState> states = new LinkedHashMap<>();
        for (Map.Entry<Integer, ChunkEngine> e : node.engines().entrySet())
            states.put(e.getKey(), e.getValue().state());
        byte[] header = new ManagerMessages.Heartbeat(
                        node.nodeId(), host, node.port(), node.routing().version(), states)
                .encode();
        long sent = System.nanoTime();
        for (RoutingTable.Node manager : managers) {
            CompletableFuture<RpcClient.Result> call;
            try {
                call = peers.get(manager).call(RpcMethod.HEARTBEAT, header, RpcPayload.NONE, heartbeatMillis * 2);
            } catch (RuntimeException e) {
                continue;
            }
            call.whenComplete((result, error) -> {
                if (error != null) return;
                try (result) {
                    ManagerMessages.HeartbeatReply reply = ManagerMessages.HeartbeatReply.decode(result.header());
                    if (!reply.primary()) return;
                    if (epochSeen.accumulateAndGet(reply.epoch(), Math::max) != reply.epoch()) return;
                    if (result.payload().isReadable()) {
                        byte[] bytes = new byte[result.payload().readableBytes()];
                        result.payload().readBytes(bytes);
                        node.setRouting(RoutingTable.decode(bytes));
                    }
                    node.extendFence(sent + fenceNanos);
                } catch (RuntimeException e) {
                    LOG.warn(
                            "node {}: bad heartbeat answer from manager {}:{}: {}",
                            node.nodeId(),
                            manager.host(),
                            manager.port(),
                            e.toString());
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        peers.close();
    }
}
