package io.seabed.basestore.chain;

import io.seabed.basestore.BaseStoreStats;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.TargetIdFile;
import io.seabed.basestore.TargetState;
import io.seabed.basestore.TargetStats;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.chunk.TargetIo;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage base of the all-in-one server: one storage node per target directory in this process, each
 * serving its target on its own loopback RPC port, chains over them, and a {@link ChainClient} that
 * reaches them over that RPC exactly as it would reach remote nodes (DESIGN §2: no local mode).
 *
 * <p>The chain layout is placed once and kept in {@code routing.bin} beside the target directories, so
 * chunk references stay valid across restarts (ports change; chains do not). Until the cluster manager
 * runs here, this class does its one job for local targets: a target whose engine is offline (failed to
 * open, failed an fsync) is published OFFLINE at its chains' ends with new chain versions, every second,
 * so writes continue on the other members.
 */
public final class EmbeddedStorage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStorage.class);
    /** The chain layout file beside the target directories. */
    public static final String ROUTING_FILE = "routing.bin";

    private final List<StorageNode> nodes;
    private final List<Integer> targetIds;
    private final RoutingSource.Holder routing;
    private final ChainClient client;
    private final Path routingFile;
    private final ScheduledExecutorService watcher;

    private EmbeddedStorage(
            List<StorageNode> nodes,
            List<Integer> targetIds,
            RoutingTable table,
            Path routingFile,
            ChainClient.Config clientConfig) {
        this.nodes = nodes;
        this.targetIds = targetIds;
        this.routing = new RoutingSource.Holder(table);
        this.routingFile = routingFile;
        this.client = new ChainClient(routing, clientConfig);
        this.watcher = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("storage-watch").daemon(true).unstarted(r));
    }

    /** Opens {@code targets} directories {@code t0..} under {@code root} on the real disk; see the full form. */
    public static EmbeddedStorage open(Path root, int targets, int chainLength, ChunkEngineConfig engine)
            throws IOException {
        return open(root, targets, chainLength, engine, dir -> TargetIo.FILE_CHANNEL, ChainClient.Config.defaults());
    }

    /**
     * Opens (creating if needed) target directories {@code root/t0 .. t(targets-1)}, starts a storage node
     * for each, and places chains of {@code chainLength} (or loads the chains placed at first start).
     *
     * @throws IllegalArgumentException when chainLength exceeds targets
     */
    public static EmbeddedStorage open(
            Path root,
            int targets,
            int chainLength,
            ChunkEngineConfig engine,
            Function<Path, TargetIo> ioOfTarget,
            ChainClient.Config clientConfig)
            throws IOException {
        if (chainLength < 1 || chainLength > targets)
            throw new IllegalArgumentException("chain length " + chainLength + " outside [1, targets=" + targets + "]");
        Files.createDirectories(root);
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < targets; i++) dirs.add(root.resolve("t" + i));
        int[] ids = TargetIdFile.assign(dirs);
        List<StorageNode> nodes = new ArrayList<>();
        List<Integer> targetIds = new ArrayList<>();
        try {
            RoutingTable placeholder = new RoutingTable(0, Map.of(), Map.of(), Map.of());
            List<RoutingTable.Node> addresses = new ArrayList<>();
            List<List<Integer>> nodeTargets = new ArrayList<>();
            for (int i = 0; i < targets; i++) {
                int nodeId = i + 1;
                Map<Integer, ChunkEngine> engines = new LinkedHashMap<>();
                try {
                    engines.put(ids[i], ChunkEngine.open(dirs.get(i), ids[i], engine, ioOfTarget.apply(dirs.get(i))));
                } catch (StorageException e) {
                    LOG.error("target {} at {} failed to open and stays OFFLINE", ids[i], dirs.get(i), e);
                }
                StorageNode node = StorageNode.start(StorageNode.Config.loopback(nodeId), engines, placeholder);
                nodes.add(node);
                targetIds.add(ids[i]);
                addresses.add(new RoutingTable.Node(nodeId, "127.0.0.1", node.port()));
                nodeTargets.add(List.of(ids[i]));
            }
            Path routingFile = root.resolve(ROUTING_FILE);
            RoutingTable table;
            if (Files.exists(routingFile)) {
                RoutingTable saved = RoutingTable.decode(Files.readAllBytes(routingFile));
                Map<Integer, Integer> targetNodes = new LinkedHashMap<>();
                for (int i = 0; i < targets; i++) targetNodes.put(ids[i], i + 1);
                for (int t : saved.targetNodes().keySet())
                    if (!targetNodes.containsKey(t))
                        throw new IOException("routing in " + routingFile + " names target " + t + ", which none of "
                                + dirs + " holds");
                Map<Integer, RoutingTable.Node> nodeMap = new LinkedHashMap<>();
                for (RoutingTable.Node a : addresses) nodeMap.put(a.nodeId(), a);
                table = new RoutingTable(saved.version() + 1, nodeMap, targetNodes, saved.chains());
                if (saved.chains().values().iterator().next().members().size() != chainLength)
                    LOG.warn("chains keep the length they were placed with at first start, not {}", chainLength);
            } else {
                table = RoutingTable.place(addresses, nodeTargets, chainLength, 2 * targets);
            }
            EmbeddedStorage storage = new EmbeddedStorage(nodes, targetIds, table, routingFile, clientConfig);
            storage.save(table);
            storage.markOfflineTargets();
            for (StorageNode node : nodes) node.setRouting(storage.routing.current());
            storage.watcher.scheduleWithFixedDelay(storage::watch, 1, 1, TimeUnit.SECONDS);
            return storage;
        } catch (IOException | RuntimeException e) {
            for (StorageNode node : nodes) node.close();
            throw e;
        }
    }

    public ChainClient client() {
        return client;
    }

    public RoutingTable routing() {
        return routing.current();
    }

    /** The storage node serving {@code targetId}; for tests and tooling. */
    public StorageNode nodeOf(int targetId) {
        return nodes.get(targetIds.indexOf(targetId));
    }

    /** Each target's state by id, in directory order. */
    public Map<Integer, TargetState> targetStates() {
        Map<Integer, TargetState> states = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Map<Integer, ChunkEngine> engines = nodes.get(i).engines();
            ChunkEngine engine = engines.get(targetIds.get(i));
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

    private void watch() {
        try {
            markOfflineTargets();
        } catch (RuntimeException e) {
            LOG.error("storage watch failed", e);
        }
    }

    /** Moves every serving member whose target is offline here to its chain's end as OFFLINE. */
    private synchronized void markOfflineTargets() {
        RoutingTable table = routing.current();
        Map<Integer, TargetState> states = targetStates();
        RoutingTable next = table;
        for (RoutingTable.Chain chain : table.chains().values()) {
            List<RoutingTable.Member> up = new ArrayList<>();
            List<RoutingTable.Member> down = new ArrayList<>();
            boolean changed = false;
            for (RoutingTable.Member m : chain.members()) {
                boolean offline = states.get(m.targetId()) != TargetState.SERVING;
                if (offline && m.state() != PublicState.OFFLINE) changed = true;
                if (offline) down.add(new RoutingTable.Member(m.targetId(), PublicState.OFFLINE));
                else up.add(m);
            }
            if (!changed) continue;
            up.addAll(down);
            next = next.with(new RoutingTable.Chain(chain.chainId(), chain.chainVersion() + 1, up));
            LOG.warn("chain {}: offline targets moved to its end: {}", chain.chainId(), up);
        }
        if (next == table) return;
        try {
            save(next);
        } catch (IOException e) {
            LOG.error("saving routing to {} failed", routingFile, e);
        }
        for (StorageNode node : nodes) node.setRouting(next);
        routing.set(next);
    }

    /** Writes the table atomically (temp file, fsync, rename). */
    private void save(RoutingTable table) throws IOException {
        Path temp = routingFile.resolveSibling(ROUTING_FILE + ".tmp");
        try (var channel = java.nio.channels.FileChannel.open(
                temp,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(table.encode()));
            channel.force(true);
        }
        try {
            Files.move(temp, routingFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + routingFile + " atomically", e);
        }
        try (var directory =
                java.nio.channels.FileChannel.open(routingFile.getParent(), java.nio.file.StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        client.close();
        for (StorageNode node : nodes) node.close();
    }
}
