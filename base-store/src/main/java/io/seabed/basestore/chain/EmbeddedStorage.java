package io.seabed.basestore.chain;

import io.seabed.basestore.BaseStoreStats;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.TargetIdFile;
import io.seabed.basestore.TargetState;
import io.seabed.basestore.TargetStats;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.chunk.TargetIo;
import io.seabed.basestore.manager.ClusterManager;
import io.seabed.basestore.manager.KvManagerStore;
import io.seabed.basestore.manager.ManagerLink;
import io.seabed.basestore.manager.ManagerRouting;
import io.seabed.basestore.manager.ManagerStoreService;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.metakv.MetaKv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage base of the all-in-one server: one storage node per target directory in this process, each
 * serving its target on its own loopback RPC port, a cluster manager keeping its lease and the routing table
 * in the server's meta-kv, and a {@link ChainClient} routed by that manager. Nodes heartbeat the manager and
 * fence themselves without it, exactly as separate processes do (DESIGN §2: no local mode). A target whose
 * engine fails (an fsync error) is reported by its node's heartbeat and leaves its chains; a restarted server
 * finds its chains in meta-kv and its nodes' new ports reach the manager by heartbeat.
 *
 * <p>The manager's address is written to {@code manager.addr} beside the target directories, for tools
 * ({@code seabed verify}).
 */
public final class EmbeddedStorage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStorage.class);
    /** The managers' address file beside the target directories ("host:port[,host:port…]"). */
    public static final String MANAGER_FILE = "manager.addr";

    static final long HEARTBEAT_MILLIS = ClusterManager.HEARTBEAT_MILLIS;
    static final long FENCE_MILLIS = ClusterManager.FENCE_MILLIS;
    private static final long READY_WAIT_MILLIS = 60_000;

    private final List<StorageNode> nodes;
    private final List<ManagerLink> links;
    private final List<Integer> targetIds;
    /** The manager of this process, or null when the managers are processes of their own. */
    private final ClusterManager manager;
    /** Serves meta-kv's manager records to managers in other processes, or null. */
    private final ManagerStoreService storeService;

    private final ManagerRouting routing;
    private final ChainClient client;

    private EmbeddedStorage(
            List<StorageNode> nodes,
            List<ManagerLink> links,
            List<Integer> targetIds,
            ClusterManager manager,
            ManagerStoreService storeService,
            ManagerRouting routing,
            ChainClient client) {
        this.nodes = nodes;
        this.links = links;
        this.targetIds = targetIds;
        this.manager = manager;
        this.storeService = storeService;
        this.routing = routing;
        this.client = client;
    }

    /** Opens {@code targets} directories {@code t0..} under {@code root} on the real disk; see the full form. */
    public static EmbeddedStorage open(Path root, int targets, int chainLength, ChunkEngineConfig engine, MetaKv kv)
            throws IOException {
        return open(
                root, targets, chainLength, engine, dir -> TargetIo.FILE_CHANNEL, ChainClient.Config.defaults(), kv);
    }

    /**
     * Opens (creating if needed) target directories {@code root/t0 .. t(targets-1)}, starts a storage node for
     * each and the manager, and returns once chains are placed (or loaded) and every node is reachable at the
     * address the routing names.
     *
     * @throws IllegalArgumentException when chainLength exceeds targets
     */
    public static EmbeddedStorage open(
            Path root,
            int targets,
            int chainLength,
            ChunkEngineConfig engine,
            Function<Path, TargetIo> ioOfTarget,
            ChainClient.Config clientConfig,
            MetaKv kv)
            throws IOException {
        if (chainLength < 1 || chainLength > targets)
            throw new IllegalArgumentException("chain length " + chainLength + " outside [1, targets=" + targets + "]");
        Files.createDirectories(root);
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < targets; i++) dirs.add(root.resolve("t" + i));
        int[] ids = TargetIdFile.assign(dirs);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            ClusterManager manager = ClusterManager.start(
                    ClusterManager.Config.standard(1, RpcServer.Config.loopback(), targets, chainLength),
                    new KvManagerStore(kv),
                    table -> {});
            started.add(manager);
            RoutingTable.Node managerAddress = new RoutingTable.Node(0, "127.0.0.1", manager.port());
            List<StorageNode> nodes = new ArrayList<>();
            List<ManagerLink> links = new ArrayList<>();
            List<Integer> targetIds = new ArrayList<>();
            RoutingTable empty = new RoutingTable(0, Map.of(), Map.of(), Map.of());
            for (int i = 0; i < targets; i++) {
                Map<Integer, ChunkEngine> engines = new LinkedHashMap<>();
                try {
                    engines.put(ids[i], ChunkEngine.open(dirs.get(i), ids[i], engine, ioOfTarget.apply(dirs.get(i))));
                } catch (StorageException e) {
                    LOG.error("target {} at {} failed to open and stays OFFLINE", ids[i], dirs.get(i), e);
                }
                StorageNode node = StorageNode.start(StorageNode.Config.loopback(i + 1), engines, empty);
                started.add(node);
                nodes.add(node);
                targetIds.add(ids[i]);
                ManagerLink link =
                        ManagerLink.start(node, "127.0.0.1", List.of(managerAddress), HEARTBEAT_MILLIS, FENCE_MILLIS);
                started.add(link);
                links.add(link);
            }
            ManagerRouting routing = new ManagerRouting(List.of(managerAddress), 2_000, READY_WAIT_MILLIS);
            started.add(routing);
            awaitReady(manager, nodes);
            routing.refresh(0);
            ChainClient client = new ChainClient(routing, clientConfig);
            writeAtomically(root.resolve(MANAGER_FILE), "127.0.0.1:" + manager.port());
            return new EmbeddedStorage(nodes, links, targetIds, manager, null, routing, client);
        } catch (InterruptedException e) {
            for (int i = started.size() - 1; i >= 0; i--) closeQuietly(started.get(i), e);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting storage", e);
        } catch (IOException | RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) closeQuietly(started.get(i), e);
            throw e;
        }
    }

    /** Waits until the manager's table names every node at its current port and every node has heard from it. */
    private static void awaitReady(ClusterManager manager, List<StorageNode> nodes)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + READY_WAIT_MILLIS * 1_000_000;
        while (true) {
            RoutingTable table = manager.routing();
            boolean ready = table != null;
            for (StorageNode node : nodes) {
                if (!ready) break;
                RoutingTable.Node address = table.nodes().get(node.nodeId());
                ready = address != null
                        && address.port() == node.port()
                        && !node.fenced()
                        && node.routing().version() >= table.version();
            }
            if (ready) return;
            if (System.nanoTime() - deadline > 0)
                throw new IOException("storage not ready within " + READY_WAIT_MILLIS + " ms; routing: " + table);
            Thread.sleep(20);
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text + "\n");
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void closeQuietly(AutoCloseable c, Exception cause) {
        try {
            c.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    public ChainClient client() {
        return client;
    }

    public RoutingTable routing() {
        return routing.current();
    }

    /**
     * The storage base of a server whose storage nodes are separate processes ({@code seabed storage}): runs
     * the manager on {@code managerHost:managerPort}, where the nodes heartbeat, and returns once chains are
     * placed (or loaded) and every chain has a serving member.
     */
    public static EmbeddedStorage remote(
            Path root, String managerHost, int managerPort, int storageNodes, int chainLength, MetaKv kv)
            throws IOException {
        Files.createDirectories(root);
        ClusterManager manager = ClusterManager.start(
                ClusterManager.Config.standard(
                        1,
                        new RpcServer.Config(managerHost, managerPort, 1, 72L << 20, 256L << 20, 1024, 30_000),
                        storageNodes,
                        chainLength),
                new KvManagerStore(kv),
                table -> {});
        try {
            return routed(root, List.of(new RoutingTable.Node(0, managerHost, manager.port())), manager, null);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The storage base of a server whose cluster managers and storage nodes are all separate processes
     * ({@code seabed manager}, {@code seabed storage}): serves meta-kv's manager records (lease and routing) on
     * {@code storeRpc} for those managers, and returns once the managers at {@code managers} route every chain
     * to a serving member.
     */
    public static EmbeddedStorage external(
            Path root, List<RoutingTable.Node> managers, RpcServer.Config storeRpc, MetaKv kv) throws IOException {
        Files.createDirectories(root);
        ManagerStoreService service = ManagerStoreService.start(new KvManagerStore(kv), storeRpc);
        try {
            return routed(root, managers, null, service);
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
    }

    /** Waits for routing from {@code managers} in which every chain has a serving member, then builds the client. */
    private static EmbeddedStorage routed(
            Path root, List<RoutingTable.Node> managers, ClusterManager manager, ManagerStoreService service)
            throws IOException {
        ManagerRouting routing = null;
        try {
            routing = new ManagerRouting(managers, 2_000, 10 * READY_WAIT_MILLIS);
            long deadline = System.nanoTime() + READY_WAIT_MILLIS * 1_000_000;
            while (!routing.refresh(0).chains().values().stream()
                    .allMatch(c -> !c.readers().isEmpty())) {
                if (System.nanoTime() - deadline > 0)
                    throw new IOException("no serving member in some chain: " + routing.current());
                Thread.sleep(50);
            }
            StringBuilder addresses = new StringBuilder();
            for (RoutingTable.Node m : managers)
                addresses
                        .append(addresses.isEmpty() ? "" : ",")
                        .append(m.host())
                        .append(':')
                        .append(m.port());
            writeAtomically(root.resolve(MANAGER_FILE), addresses.toString());
            ChainClient client = new ChainClient(routing, ChainClient.Config.defaults());
            return new EmbeddedStorage(List.of(), List.of(), List.of(), manager, service, routing, client);
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (routing != null) routing.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for storage nodes", e);
            }
            if (e instanceof IOException io) throw io;
            throw (RuntimeException) e;
        }
    }

    /** The storage node serving {@code targetId}; for tests and tooling. */
    public StorageNode nodeOf(int targetId) {
        return nodes.get(targetIds.indexOf(targetId));
    }

    /** Each target's state by id, in directory order. */
    public Map<Integer, TargetState> targetStates() {
        Map<Integer, TargetState> states = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            ChunkEngine engine = nodes.get(i).engines().get(targetIds.get(i));
            states.put(targetIds.get(i), engine == null ? TargetState.OFFLINE : engine.state());
        }
        return states;
    }

    public BaseStoreStats stats() {
        List<TargetStats> perTarget = new ArrayList<>();
        long fsyncs = 0;
        for (StorageNode node : nodes)
            for (ChunkEngine engine : node.engines().values()) {
                TargetStats s = engine.stats();
                perTarget.add(s);
                fsyncs += s.fileForces() + s.metadataSyncs();
            }
        return new BaseStoreStats(
                client.chunkWrites(),
                client.chunkBytesWritten(),
                client.updateRetries(),
                client.corruptReads(),
                client.readRetries(),
                fsyncs,
                perTarget);
    }

    @Override
    public void close() {
        client.close();
        routing.close();
        for (ManagerLink link : links) link.close();
        for (StorageNode node : nodes) node.close();
        if (manager != null) manager.close();
        if (storeService != null) storeService.close();
    }
}
