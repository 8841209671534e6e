package io.seabed.server;

import io.seabed.basestore.meta.MetaKvService;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seabed meta}: one member of the meta-kv group as its own process. Its Raft log and RocksDB live in
 * {@code --dir}; it talks Raft to the other members at {@code --peers} and serves clients (servers started with
 * {@code --meta}) at {@code --rpc}. The group elects its leader by itself; a member that does not lead answers
 * NOT_LEADER and clients move on to the next.
 */
@Command(
        name = "meta",
        mixinStandardHelpOptions = true,
        description = "Run one member of a meta-kv group of several (Raft), served to servers started with --meta.")
final class MetaCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "This member's data directory.")
    Path dir;

    @Option(names = "--index", required = true, description = "This member's place in --peers, from 1.")
    int index;

    @Option(
            names = "--peers",
            required = true,
            split = ",",
            description = "HOST:PORT of every member's Raft, in member order, the same list at every member (3, 5"
                    + " or more, odd).")
    List<String> peers;

    @Option(
            names = "--rpc",
            description = "HOST:PORT where servers reach this member (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:0")
    String rpc;

    @Override
    public Integer call() throws Exception {
        if (peers.size() < 3 || peers.size() % 2 == 0 || index < 1 || index > peers.size()) {
            System.err.println("seabed meta: need an odd number >= 3 of --peers and --index in [1, " + peers.size()
                    + "], got " + peers.size() + " peers and index " + index);
            return 2;
        }
        HostPort listen;
        try {
            for (String p : peers) HostPort.parse(p);
            listen = HostPort.parse(rpc);
        } catch (IllegalArgumentException e) {
            System.err.println("seabed meta: " + e.getMessage());
            return 2;
        }
        RaftMetaKv member;
        MetaKvService service;
        try {
            member = RaftMetaKv.open(MetaKvConfig.defaults(dir).member(peers, index - 1));
        } catch (RuntimeException e) {
            System.err.println("seabed meta: cannot start: " + e.getMessage());
            return 1;
        }
        try {
            service = MetaKvService.start(member, MetaKvService.rpcConfig(listen.host(), listen.port()));
        } catch (IOException | RuntimeException e) {
            member.close();
            System.err.println("seabed meta: cannot start: " + e.getMessage());
            return 1;
        }
        // SIGTERM/SIGINT: stop serving, then close the member (its acknowledged commits are in its log).
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("meta-stop").unstarted(() -> {
                    try {
                        service.close();
                    } finally {
                        member.close();
                    }
                    System.out.println("seabed meta stopped");
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }));
        System.out.println("seabed meta ready: index=" + index + " raft=" + peers.get(index - 1) + " rpc="
                + listen.host() + ":" + service.port() + " members=" + peers.size() + " dir=" + dir);
        System.out.flush();
        new CountDownLatch(1).await();
        return 0;
    }
}
