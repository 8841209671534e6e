package io.seabed.basestore.chain;

import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.chunk.TargetIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Storage nodes in this JVM on loopback RPC, one target each (target id = node id × 100), chains placed
 * over them, and a client; for chain tests. Routing changes go to every live node and the client.
 */
final class LocalChains implements AutoCloseable {
    static final ChunkEngineConfig ENGINE = ChunkEngineConfig.DEFAULTS.withBlockFileBytes(64L << 20, 1L << 20);

    final List<StorageNode> nodes = new ArrayList<>();
    final RoutingSource.Holder routing;
    final ChainClient client;

    LocalChains(Path dir, int nodeCount, int chainLength, int chainCount) throws IOException {
        List<RoutingTable.Node> addresses = new ArrayList<>();
        List<List<Integer>> nodeTargets = new ArrayList<>();
        List<Map<Integer, ChunkEngine>> engines = new ArrayList<>();
        for (int n = 1; n <= nodeCount; n++) {
            int target = n * 100;
            engines.add(
                    Map.of(target, ChunkEngine.open(dir.resolve("t" + target), target, ENGINE, TargetIo.FILE_CHANNEL)));
            nodeTargets.add(List.of(target));
        }
        // Nodes need ports before the table can name them: start with an empty table, then install.
        RoutingTable empty = new RoutingTable(0, Map.of(), Map.of(), Map.of());
        for (int n = 1; n <= nodeCount; n++) {
            StorageNode node = StorageNode.start(StorageNode.Config.loopback(n), engines.get(n - 1), empty);
            nodes.add(node);
            addresses.add(new RoutingTable.Node(n, "127.0.0.1", node.port()));
        }
        RoutingTable table = RoutingTable.place(addresses, nodeTargets, chainLength, chainCount);
        for (StorageNode node : nodes) node.setRouting(table);
        routing = new RoutingSource.Holder(table);
        client = new ChainClient(routing, new ChainClient.Config(6, 5, 5_000));
    }

    RoutingTable table() {
        return routing.current();
    }

    /** Installs {@code table} on every node that is still open and on the client. */
    void publish(RoutingTable table) {
        for (StorageNode node : nodes) node.setRouting(table);
        routing.set(table);
    }

    /** The node holding {@code targetId}. */
    StorageNode nodeOf(int targetId) {
        return nodes.get(targetId / 100 - 1);
    }

    ChunkEngine engine(int targetId) {
        return nodeOf(targetId).engine(targetId);
    }

    @Override
    public void close() {
        client.close();
        for (StorageNode node : nodes) node.close();
    }
}
