package io.seabed.server;

import io.seabed.basestore.StorageException;
import io.seabed.basestore.TargetIdFile;
import io.seabed.basestore.TargetStats;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.chain.StorageNode;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.chunk.TargetIo;
import io.seabed.basestore.manager.ClusterManager;
import io.seabed.basestore.manager.ManagerLink;
import io.seabed.basestore.rpc.RpcServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seabed storage}: one storage node as its own process: its targets (directories standing for disks)
 * behind the data-plane RPC, heartbeating the cluster managers, fencing itself when it cannot reach a primary.
 */
@Command(
        name = "storage",
        mixinStandardHelpOptions = true,
        description = "Run one storage node: targets DIR/t0.. served over the data-plane RPC, reporting to the"
                + " cluster manager(s).")
final class StorageCommand implements Callable<Integer> {
    static final long HEARTBEAT_MILLIS = ClusterManager.HEARTBEAT_MILLIS;
    static final long FENCE_MILLIS = ClusterManager.FENCE_MILLIS;
    static final long STATS_EVERY_MILLIS = 2_000;

    @Option(
            names = "--data",
            description = "Data directory of this node (default: ${DEFAULT-VALUE}).",
            defaultValue = "./storage")
    Path data;

    @Option(names = "--node-id", required = true, description = "This node's id, unique in the cluster (1..20000000).")
    int nodeId;

    @Option(
            names = "--targets",
            description = "Targets (disks) of this node (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int targets;

    @Option(
            names = "--rpc",
            description = "HOST:PORT of this node's data-plane RPC (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:0")
    String rpc;

    @Option(names = "--managers", required = true, split = ",", description = "HOST:PORT of each cluster manager.")
    List<String> managers;

    /**
     * Prints each target's read and write counters every {@link #STATS_EVERY_MILLIS} while they change (the
     * process has no HTTP endpoint; tools such as bench/cluster-failover.sh read the last line of the log).
     */
    private static void startStatsLog(StorageNode node) {
        Thread.ofPlatform().name("storage-stats").daemon(true).start(() -> {
            String last = "";
            while (true) {
                try {
                    Thread.sleep(STATS_EVERY_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                StringBuilder line = new StringBuilder("seabed storage stats: node=" + node.nodeId());
                for (ChunkEngine engine : node.engines().values()) {
                    TargetStats t = engine.stats();
                    line.append(" target=")
                            .append(t.targetId())
                            .append(" reads=")
                            .append(t.reads())
                            .append(" bytesRead=")
                            .append(t.bytesRead())
                            .append(" writes=")
                            .append(t.writes())
                            .append(" bytesWritten=")
                            .append(t.bytesWritten());
                }
                if (line.toString().equals(last)) continue;
                last = line.toString();
                System.out.println(last);
                System.out.flush();
            }
        });
    }

    @Override
    public Integer call() throws Exception {
        if (nodeId < 1 || nodeId > 20_000_000 || targets < 1 || targets > 99) {
            System.err.println("seabed storage: --node-id must be in [1, 20000000] and --targets in [1, 99]");
            return 2;
        }
        HostPort listen;
        List<RoutingTable.Node> managerNodes = new ArrayList<>();
        try {
            listen = HostPort.parse(rpc);
            for (String m : managers) {
                HostPort hp = HostPort.parse(m);
                managerNodes.add(new RoutingTable.Node(0, hp.host(), hp.port()));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("seabed storage: " + e.getMessage());
            return 2;
        }
        Map<Integer, ChunkEngine> engines = new LinkedHashMap<>();
        StorageNode node;
        try {
            for (int i = 0; i < targets; i++) {
                Path dir = data.resolve("t" + i);
                // Target ids follow from the node id, so they are unique across the cluster's processes.
                int id = TargetIdFile.ensure(dir, nodeId * 100 + i);
                try {
                    engines.put(id, ChunkEngine.open(dir, id, ChunkEngineConfig.DEFAULTS, TargetIo.FILE_CHANNEL));
                } catch (StorageException e) {
                    System.err.println(
                            "seabed storage: target " + id + " at " + dir + " stays offline: " + e.getMessage());
                }
            }
            RpcServer.Config rpcConfig =
                    new RpcServer.Config(listen.host(), listen.port(), 1, 72L << 20, 256L << 20, 1024, 30_000);
            node = StorageNode.start(
                    new StorageNode.Config(nodeId, rpcConfig, 8, 4096, 256, 10_000),
                    engines,
                    new RoutingTable(0, Map.of(), Map.of(), Map.of()));
        } catch (IOException | RuntimeException e) {
            for (ChunkEngine engine : engines.values()) engine.close();
            System.err.println("seabed storage: cannot start: " + e.getMessage());
            return 1;
        }
        ManagerLink link = ManagerLink.start(node, listen.host(), managerNodes, HEARTBEAT_MILLIS, FENCE_MILLIS);
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("storage-stop").unstarted(() -> {
                    link.close();
                    node.close();
                    System.out.println("seabed storage stopped");
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }));
        startStatsLog(node);
        System.out.println("seabed storage ready: node=" + nodeId + " rpc=" + listen.host() + ":" + node.port()
                + " targets=" + engines.keySet());
        System.out.flush();
        new CountDownLatch(1).await();
        return 0;
    }
}
