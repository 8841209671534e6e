package io.seabed.server;

import io.seabed.namespace.NamespaceException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seabed server}: every role in one process, with embedded defaults. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run all roles in one process: meta-kv (Raft group of one), storage targets, S3, console.")
class ServerCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).", defaultValue = "./data")
    Path data;

    @Option(
            names = "--s3",
            description = "S3 listen address, or 'off' (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:9000")
    String s3;

    @Option(
            names = "--console",
            description = "Console and /metrics listen address, or 'off' (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:9001")
    String console;

    @Option(
            names = "--domain",
            split = ",",
            description = "Domains for virtual-hosted-style requests (http://BUCKET.DOMAIN:PORT/KEY), comma-separated; "
                    + "other Host names are path-style (default: ${DEFAULT-VALUE}).",
            defaultValue = "localhost")
    List<String> domains;

    @Option(
            names = "--targets",
            description =
                    "Storage targets (directories standing for disks) under DATA/targets (default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    int targets;

    @Option(
            names = "--replicas",
            description = "Replicas of each chunk, on distinct targets (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int replicas;

    @Option(
            names = "--inline-bytes",
            description =
                    "Objects up to this size are stored inline in metadata, at most 65536 (default: ${DEFAULT-VALUE}).",
            defaultValue = "4096")
    int inlineBytes;

    @Option(
            names = "--storage-nodes",
            description = "Storage nodes run as separate processes (seabed storage) reporting to this server's"
                    + " manager; 0 runs --targets storage nodes in this process (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    int storageNodes;

    @Option(
            names = "--manager",
            description = "HOST:PORT of the cluster manager's RPC, where storage nodes heartbeat (default:"
                    + " ${DEFAULT-VALUE}, an ephemeral loopback port).",
            defaultValue = "127.0.0.1:0")
    String manager;

    @Option(
            names = "--managers",
            split = ",",
            description = "HOST:PORT of each cluster manager running as its own process (seabed manager); this"
                    + " server then runs none and serves them their lease and routing records at --meta-rpc."
                    + " Needs --storage-nodes.")
    List<String> managers = List.of();

    @Option(
            names = "--meta-rpc",
            description = "HOST:PORT where separate managers reach this server's meta-kv records (default:"
                    + " ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:0")
    String metaRpc;

    @Option(
            names = "--meta",
            split = ",",
            description = "HOST:PORT of the RPC of each member of a meta-kv group running as its own processes"
                    + " (seabed meta), in member order; this server then keeps no metadata of its own. Default: meta-kv"
                    + " runs in this process.")
    List<String> meta = List.of();

    @Option(
            names = "--bucket-mode",
            description = "Mode of a bucket whose CreateBucket has no x-seabed-bucket-mode header: FLAT (S3's) or"
                    + " HIERARCHICAL (directories and inodes, served over NFS too) (default: ${DEFAULT-VALUE}).",
            defaultValue = "FLAT")
    io.seabed.namespace.Bucket.Mode bucketMode;

    @Option(
            names = "--nfs",
            description = "NFSv3 and MOUNT listen address, or 'off' (default: ${DEFAULT-VALUE}; when port 2049 cannot"
                    + " be bound, not being root or taken, the front listens on 12049 and the ready line says so).",
            defaultValue = "127.0.0.1:2049")
    String nfs;

    @Option(
            names = "--nfs-exports",
            description = "Export options of a hierarchical bucket whose tenant set none in its bucket tag seabed:nfs,"
                    + " e.g. rw,root_squash,clients=10.0.0.0/8 (default: ${DEFAULT-VALUE}).",
            defaultValue = ServerConfig.NFS_EXPORTS_DEFAULT)
    String nfsExports;

    @Option(
            names = "--nfs-portmap",
            description =
                    "Port of a read-only portmapper beside the NFS front (on the --nfs host), for clients that"
                            + " ask it for the NFS and MOUNT ports (111 is the standard one), or 'off' (default: ${DEFAULT-VALUE}).",
            defaultValue = "off")
    String nfsPortmap;

    @Option(
            names = "--gc-delay-ms",
            description =
                    "How long replaced or deleted data stays readable for reads in flight (default: ${DEFAULT-VALUE}).",
            defaultValue = "60000")
    long gcDelayMillis;

    private static String rootMessage(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null; c = c.getCause())
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage()))
                sb.append(": ").append(c.getMessage());
        return sb.toString();
    }

    private int portmapPort() {
        if ("off".equals(nfsPortmap)) return -1;
        try {
            int port = Integer.parseInt(nfsPortmap);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new IllegalArgumentException("--nfs-portmap needs a port in [0, 65535] or 'off', not " + nfsPortmap);
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            System.err.println("seabed: " + e.getMessage());
            return 2;
        }
        SeabedServer server;
        try {
            server = SeabedServer.start(config, System.out);
        } catch (IllegalStateException | IllegalArgumentException | NamespaceException | IOException e) {
            // Operating errors at start (port in use, data directory locked, root keys that are not
            // valid keys): one line, no stack.
            System.err.println("seabed: cannot start: " + rootMessage(e));
            return 1;
        }
        // SIGTERM/SIGINT run this hook: close everything in order (all acknowledged writes are
        // durable then), and exit 0 instead of the JVM's 143 for a signal.
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("seabed-stop").unstarted(() -> {
                    server.close();
                    System.out.println("seabed stopped");
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }));
        new CountDownLatch(1).await();
        return 0;
    }

    /** The configuration the options give; IllegalArgumentException naming a bad one. */
    ServerConfig config() {
        return new ServerConfig(
                data,
                "off".equals(s3) ? null : HostPort.parse(s3),
                "off".equals(console) ? null : HostPort.parse(console),
                targets,
                replicas,
                inlineBytes,
                gcDelayMillis,
                System.getenv("SEABED_ACCESS_KEY"),
                System.getenv("SEABED_SECRET_KEY"),
                domains,
                storageNodes,
                HostPort.parse(manager),
                managers.stream().map(HostPort::parse).toList(),
                HostPort.parse(metaRpc),
                meta.stream().map(HostPort::parse).toList(),
                bucketMode,
                "off".equals(nfs) ? null : HostPort.parse(nfs),
                nfsExports,
                portmapPort());
    }
}
