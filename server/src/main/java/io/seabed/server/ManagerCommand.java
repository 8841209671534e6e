package io.seabed.server;

import io.seabed.basestore.manager.ClusterManager;
import io.seabed.basestore.manager.RemoteManagerStore;
import io.seabed.basestore.rpc.RpcServer;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seabed manager}: one cluster manager as its own process. Its lease and the routing table live in the
 * meta-kv of the server process named by {@code --meta} (reached over the data-plane RPC); of all managers
 * started, the one holding the lease is the primary and the others stand by, taking over when the primary
 * stops renewing. Storage nodes heartbeat every manager at {@code --rpc}.
 */
@Command(
        name = "manager",
        mixinStandardHelpOptions = true,
        description = "Run one cluster manager (primary by lease, else standby) whose records live in the meta-kv"
                + " of the server at --meta.")
final class ManagerCommand implements Callable<Integer> {
    private static final long STORE_CALL_MILLIS = 2_000;

    @Option(
            names = "--manager-id",
            required = true,
            description = "This manager's id, unique among the managers (1..2^31).")
    long managerId;

    @Option(
            names = "--rpc",
            description = "HOST:PORT where storage nodes and clients reach this manager (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:0")
    String rpc;

    @Option(names = "--meta", required = true, description = "HOST:PORT of the server's --meta-rpc.")
    String meta;

    @Option(
            names = "--storage-nodes",
            required = true,
            description = "Storage nodes to wait for before placing the first chains.")
    int storageNodes;

    @Option(names = "--replicas", description = "Chain length (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int replicas;

    @Override
    public Integer call() throws Exception {
        if (managerId < 1 || managerId > Integer.MAX_VALUE || storageNodes < 1 || replicas < 1) {
            System.err.println("seabed manager: need --manager-id in [1, 2^31), --storage-nodes >= 1, --replicas >= 1");
            return 2;
        }
        HostPort listen;
        HostPort metaAddress;
        try {
            listen = HostPort.parse(rpc);
            metaAddress = HostPort.parse(meta);
        } catch (IllegalArgumentException e) {
            System.err.println("seabed manager: " + e.getMessage());
            return 2;
        }
        RemoteManagerStore store = new RemoteManagerStore(metaAddress.host(), metaAddress.port(), STORE_CALL_MILLIS);
        ClusterManager manager;
        try {
            manager = ClusterManager.start(
                    ClusterManager.Config.standard(
                            managerId,
                            new RpcServer.Config(listen.host(), listen.port(), 1, 72L << 20, 256L << 20, 1024, 30_000),
                            storageNodes,
                            replicas),
                    store,
                    table -> {});
        } catch (IOException | RuntimeException e) {
            store.close();
            System.err.println("seabed manager: cannot start: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("manager-stop").unstarted(() -> {
                    manager.close();
                    store.close();
                    System.out.println("seabed manager stopped");
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }));
        System.out.println("seabed manager ready: id=" + managerId + " rpc=" + listen.host() + ":" + manager.port()
                + " meta=" + meta);
        System.out.flush();
        new CountDownLatch(1).await();
        return 0;
    }
}
