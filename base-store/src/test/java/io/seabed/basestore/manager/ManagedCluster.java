package io.seabed.basestore.manager;

import io.seabed.basestore.chain.ChainClient;
import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.chain.StorageNode;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.chunk.TargetIo;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A managed cluster in this JVM: meta-kv, two managers (primary and standby), storage nodes with one target
 * each (target id = node id × 100) heartbeating both managers, and a client routed by the managers. Short
 * timings: heartbeat 100 ms, fence 600 ms, offline 1,000 ms, lease 1,200 ms.
 */
final class ManagedCluster implements AutoCloseable {
    static final ChunkEngineConfig ENGINE = ChunkEngineConfig.DEFAULTS.withBlockFileBytes(64L << 20, 1L << 20);
    static final long HEARTBEAT_MILLIS = 100;
    static final long FENCE_MILLIS = 600;

    final Path dir;
    final RaftMetaKv kv;
    final ManagerStore store;
    /** Manager 2 reaches the store over the RPC, as a {@code seabed manager} process does. */
    final ManagerStoreService storeService;

    final RemoteManagerStore remoteStore;
    final ClusterManager[] managers = new ClusterManager[2];
    final StorageNode[] nodes;
    final ManagerLink[] links;
    final ManagerRouting routing;
    final ChainClient client;
    /**
     * When set, the next routing store (by either manager) goes through and then fails as a lost reply would,
     * after running this (on the manager's thread, so the manager ticks again only after it returns).
     */
    final AtomicReference<Runnable> loseNextRoutingReply = new AtomicReference<>();

    ManagedCluster(Path dir, int nodeCount, int chainLength) throws Exception {
        this.dir = dir;
        this.kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")));
        this.store = new KvManagerStore(kv);
        this.storeService = ManagerStoreService.start(store, RpcServer.Config.loopback());
        this.remoteStore = new RemoteManagerStore("127.0.0.1", storeService.port(), 1_000);
        for (int i = 0; i < 2; i++) managers[i] = startManager(i, nodeCount, chainLength);
        nodes = new StorageNode[nodeCount];
        links = new ManagerLink[nodeCount];
        for (int n = 1; n <= nodeCount; n++) startNode(n);
        routing = new ManagerRouting(managerAddresses(), 1_000, 20_000);
        client = new ChainClient(routing, new ChainClient.Config(14, 20, 5_000));
    }

    ClusterManager startManager(int index, int nodeCount, int chainLength) throws IOException {
        return ClusterManager.start(
                new ClusterManager.Config(
                        index + 1, RpcServer.Config.loopback(), 1_200, 1_000, 100, nodeCount, chainLength, 3),
                new LossyStore(index == 0 ? store : remoteStore, loseNextRoutingReply),
                table -> {});
    }

    List<RoutingTable.Node> managerAddresses() {
        List<RoutingTable.Node> out = new ArrayList<>();
        for (int i = 0; i < managers.length; i++)
            out.add(new RoutingTable.Node(i + 1, "127.0.0.1", managers[i].port()));
        return out;
    }

    void startNode(int n) throws IOException {
        int target = n * 100;
        ChunkEngine engine = ChunkEngine.open(dir.resolve("t" + target), target, ENGINE, TargetIo.FILE_CHANNEL);
        RoutingTable initial = new RoutingTable(0, Map.of(), Map.of(), Map.of());
        nodes[n - 1] = StorageNode.start(StorageNode.Config.loopback(n), Map.of(target, engine), initial);
        links[n - 1] = ManagerLink.start(nodes[n - 1], "127.0.0.1", managerAddresses(), HEARTBEAT_MILLIS, FENCE_MILLIS);
    }

    void stopNode(int n) {
        links[n - 1].close();
        nodes[n - 1].close();
    }

    ClusterManager primary() {
        for (ClusterManager m : managers) if (m != null && m.primary()) return m;
        return null;
    }

    /** Waits until {@code condition} holds for the primary's table. */
    RoutingTable await(Predicate<RoutingTable> condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            ClusterManager p = primary();
            RoutingTable t = p == null ? null : p.routing();
            if (t != null && condition.test(t)) return t;
            Thread.sleep(20);
        }
        ClusterManager p = primary();
        throw new AssertionError(
                "condition not reached in " + millis + " ms; table: " + (p == null ? "no primary" : p.routing()));
    }

    static boolean allServing(RoutingTable t) {
        return !t.chains().isEmpty()
                && t.chains().values().stream()
                        .allMatch(c -> c.members().stream().allMatch(m -> m.state() == PublicState.SERVING));
    }

    /** Passes every call through; see {@link #loseNextRoutingReply}. */
    private record LossyStore(ManagerStore delegate, AtomicReference<Runnable> loseNext) implements ManagerStore {
        @Override
        public Lease lease() {
            return delegate.lease();
        }

        @Override
        public Lease acquire(long holder, Lease seen) {
            return delegate.acquire(holder, seen);
        }

        @Override
        public Lease renew(Lease held) {
            return delegate.renew(held);
        }

        @Override
        public RoutingTable routing() {
            return delegate.routing();
        }

        @Override
        public boolean writeRouting(Lease held, RoutingTable table) {
            boolean stored = delegate.writeRouting(held, table);
            Runnable lost = loseNext.getAndSet(null);
            if (lost == null) return stored;
            lost.run();
            throw new RpcException(RpcException.Code.DEADLINE_EXCEEDED, "routing store reply lost (test)");
        }
    }

    @Override
    public void close() {
        client.close();
        routing.close();
        for (int i = 0; i < nodes.length; i++) {
            if (links[i] != null) links[i].close();
            if (nodes[i] != null) nodes[i].close();
        }
        for (ClusterManager m : managers) if (m != null) m.close();
        remoteStore.close();
        storeService.close();
        kv.close();
    }
}
