package io.seabed.server;

import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.manager.ManagerRouting;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code seabed cluster}: a local cluster of separate OS processes on 127.0.0.1 for tests and trials: one
 * {@code server} (S3 front and console, and meta-kv unless it has members of its own), M {@code manager} processes
 * (one primary by lease, the others standbys; with M = 0 the manager runs inside the server), N {@code storage}
 * nodes, and with {@code --meta-nodes} K of 3 or more, K {@code meta} processes: the members of the meta-kv group,
 * which the server uses over the RPC. Everything
 * lives under {@code --dir D}: {@code cluster.properties} (ports), {@code pids/ROLE-INDEX.pid}, {@code
 * args/ROLE-INDEX.args} (the command line, for restart), {@code logs/ROLE-INDEX.log}, and each role's data.
 * Ports are chosen once at start and kept, so restarted processes come back at the same addresses.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Run a local multi-process cluster: start, status, kill, restart, stop.",
        subcommands = {
            ClusterCommand.Start.class,
            ClusterCommand.Status.class,
            ClusterCommand.Kill.class,
            ClusterCommand.Restart.class,
            ClusterCommand.Stop.class
        })
final class ClusterCommand {
    static final String SERVER = "server";
    static final String MANAGER = "manager";
    static final String STORAGE = "storage";
    static final String META = "meta";
    private static final long READY_WAIT_MILLIS = 180_000;

    /** Where one cluster's files are. */
    record Layout(Path dir) {
        Path properties() {
            return dir.resolve("cluster.properties");
        }

        Path pid(String role, int index) {
            return dir.resolve("pids").resolve(role + "-" + index + ".pid");
        }

        Path args(String role, int index) {
            return dir.resolve("args").resolve(role + "-" + index + ".args");
        }

        Path log(String role, int index) {
            return dir.resolve("logs").resolve(role + "-" + index + ".log");
        }

        Properties load() throws IOException {
            Properties p = new Properties();
            try (var in = Files.newInputStream(properties())) {
                p.load(in);
            }
            return p;
        }

        Optional<ProcessHandle> process(String role, int index) throws IOException {
            Path file = pid(role, index);
            if (!Files.exists(file)) return Optional.empty();
            long pid = Long.parseLong(Files.readString(file).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        }

        /** Launches {@code args} (saved for restart) detached, output appended to its log; returns its pid. */
        long launch(String role, int index, List<String> args) throws IOException {
            Files.createDirectories(pid(role, index).getParent());
            Files.createDirectories(args(role, index).getParent());
            Files.createDirectories(log(role, index).getParent());
            Files.write(args(role, index), args, StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(args)
                    .redirectErrorStream(true)
                    .redirectOutput(
                            ProcessBuilder.Redirect.appendTo(log(role, index).toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            Files.writeString(pid(role, index), p.pid() + "\n");
            return p.pid();
        }

        long relaunch(String role, int index) throws IOException {
            return launch(role, index, Files.readAllLines(args(role, index), StandardCharsets.UTF_8));
        }

        int storageNodes() throws IOException {
            return Integer.parseInt(load().getProperty("storage.nodes"));
        }

        /** Manager processes (0: the manager runs inside the server process). */
        int managerProcesses() throws IOException {
            return Integer.parseInt(load().getProperty("manager.processes", "0"));
        }

        /** Where the managers listen, whichever processes run them. */
        List<RoutingTable.Node> managers() throws IOException {
            List<RoutingTable.Node> nodes = new ArrayList<>();
            for (String address : load().getProperty("managers").split(",")) {
                HostPort hp = HostPort.parse(address);
                nodes.add(new RoutingTable.Node(0, hp.host(), hp.port()));
            }
            return nodes;
        }

        /** Meta-kv members (1: meta-kv runs inside the server process, which is not counted here). */
        int metaNodes() throws IOException {
            return Integer.parseInt(load().getProperty("meta.nodes", "1"));
        }

        /** The meta members' processes: none when meta-kv runs inside the server. */
        int metaProcesses() throws IOException {
            int n = metaNodes();
            return n == 1 ? 0 : n;
        }

        /** Every role and index of this cluster: meta members first (the server waits for them), then the server. */
        List<Map.Entry<String, Integer>> processes() throws IOException {
            List<Map.Entry<String, Integer>> all = new ArrayList<>();
            for (int i = 1; i <= metaProcesses(); i++) all.add(Map.entry(META, i));
            all.add(Map.entry(SERVER, 0));
            for (int i = 1; i <= managerProcesses(); i++) all.add(Map.entry(MANAGER, i));
            for (int i = 1; i <= storageNodes(); i++) all.add(Map.entry(STORAGE, i));
            return all;
        }
    }

    /** The JVM command that runs {@code seabed} with this process's java and class path. */
    static List<String> seabed(String heap, String... args) {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx" + heap,
                "-XX:MaxDirectMemorySize=" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                "io.seabed.server.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * A port free now, below Linux's ephemeral range (32768–60999): between this check and the process that binds
     * it, an outgoing connection of another process (storage nodes, Raft peers) cannot be given it, as it could a
     * port the kernel chose.
     */
    static int freePort() throws IOException {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
            int port = random.nextInt(FIXED_PORTS_FROM, FIXED_PORTS_TO);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static final int FIXED_PORTS_FROM = 20_000;
    private static final int FIXED_PORTS_TO = 32_000;
    private static final int FREE_PORT_ATTEMPTS = 200;

    /** The last lines of a log, for a message about a process that did not start. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Waits until {@code log} contains {@code marker}; false if {@code process} died or time ran out. */
    static boolean awaitLog(Path log, String marker, long sinceBytes, ProcessHandle process, long millis)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                byte[] bytes = Files.readAllBytes(log);
                String text = new String(
                        bytes,
                        (int) Math.min(sinceBytes, bytes.length),
                        (int) Math.max(0, bytes.length - sinceBytes),
                        StandardCharsets.UTF_8);
                if (text.contains(marker)) return true;
            }
            if (!process.isAlive()) return false;
            Thread.sleep(100);
        }
        return false;
    }

    abstract static class Base implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "The cluster's directory.")
        Path dir;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Start a cluster in --dir (or, when --dir holds one, start its stopped processes again);"
                    + " prints the S3 endpoint when ready.")
    static final class Start extends Base {
        @Option(
                names = "--storage-nodes",
                description = "Storage node processes (default: ${DEFAULT-VALUE}).",
                defaultValue = "5")
        int storageNodes;

        @Option(
                names = "--meta-nodes",
                description = "Meta-kv members (default: ${DEFAULT-VALUE}, inside the server process); 3 or more (odd)"
                        + " run as meta processes of their own.",
                defaultValue = "1")
        int metaNodes;

        @Option(names = "--replicas", description = "Chain length (default: ${DEFAULT-VALUE}).", defaultValue = "3")
        int replicas;

        @Option(
                names = "--managers",
                description = "Cluster manager processes: one primary, the others standbys (default:"
                        + " ${DEFAULT-VALUE}; 0 runs the manager inside the server process).",
                defaultValue = "2")
        int managers;

        @Override
        public Integer call() throws Exception {
            if (metaNodes != 1 && (metaNodes < 3 || metaNodes % 2 == 0 || metaNodes > 9)) {
                err().println("seabed cluster: --meta-nodes " + metaNodes + ": use 1 (meta-kv inside the server) or"
                        + " an odd number from 3 to 9 (a Raft group of M members tolerates (M-1)/2 down; an even M"
                        + " tolerates no more than M-1 does)");
                return 2;
            }
            if (storageNodes < 1 || replicas < 1 || replicas > storageNodes || managers < 0 || managers > 9) {
                err().println("seabed cluster: need 1 <= --replicas <= --storage-nodes and 0 <= --managers <= 9");
                return 2;
            }
            Layout layout = new Layout(dir);
            if (Files.exists(layout.properties())) return resume(layout);
            Files.createDirectories(dir);
            Properties p = new Properties();
            int s3 = freePort();
            int console = freePort();
            int nfs = freePort();
            int meta = freePort();
            List<String> managerAddresses = new ArrayList<>();
            for (int i = 0; i < Math.max(1, managers); i++) managerAddresses.add("127.0.0.1:" + freePort());
            p.setProperty("s3.port", Integer.toString(s3));
            p.setProperty("nfs.port", Integer.toString(nfs));
            p.setProperty("console.port", Integer.toString(console));
            p.setProperty("meta.port", Integer.toString(meta));
            p.setProperty("managers", String.join(",", managerAddresses));
            p.setProperty("manager.processes", Integer.toString(managers));
            p.setProperty("storage.nodes", Integer.toString(storageNodes));
            for (int i = 1; i <= storageNodes; i++)
                p.setProperty("storage." + i + ".port", Integer.toString(freePort()));
            p.setProperty("meta.nodes", Integer.toString(metaNodes));
            List<String> metaRaft = new ArrayList<>();
            List<String> metaRpcs = new ArrayList<>();
            for (int i = 1; metaNodes > 1 && i <= metaNodes; i++) {
                int raft = freePort();
                int rpc = freePort();
                p.setProperty("meta." + i + ".raft.port", Integer.toString(raft));
                p.setProperty("meta." + i + ".rpc.port", Integer.toString(rpc));
                metaRaft.add("127.0.0.1:" + raft);
                metaRpcs.add("127.0.0.1:" + rpc);
            }
            try (var o = Files.newOutputStream(layout.properties())) {
                p.store(o, "seabed cluster");
            }
            List<String> serverArgs = new ArrayList<>(List.of(
                    "server",
                    "--data",
                    dir.resolve("server").toString(),
                    "--s3",
                    "127.0.0.1:" + s3,
                    "--console",
                    "127.0.0.1:" + console,
                    "--nfs",
                    "127.0.0.1:" + nfs,
                    "--storage-nodes",
                    Integer.toString(storageNodes),
                    "--replicas",
                    Integer.toString(replicas)));
            if (managers == 0) serverArgs.addAll(List.of("--manager", managerAddresses.getFirst()));
            else
                serverArgs.addAll(
                        List.of("--managers", String.join(",", managerAddresses), "--meta-rpc", "127.0.0.1:" + meta));
            if (!metaRpcs.isEmpty()) serverArgs.addAll(List.of("--meta", String.join(",", metaRpcs)));
            // The members first: the server's first transactions wait for the group to elect a leader.
            for (int i = 1; i <= metaRpcs.size(); i++)
                layout.launch(
                        META,
                        i,
                        seabed(
                                "384m",
                                "meta",
                                "--dir",
                                dir.resolve("meta-" + i).toString(),
                                "--index",
                                Integer.toString(i),
                                "--peers",
                                String.join(",", metaRaft),
                                "--rpc",
                                metaRpcs.get(i - 1)));
            layout.launch(SERVER, 0, seabed("1g", serverArgs.toArray(String[]::new)));
            for (int i = 1; i <= managers; i++)
                layout.launch(
                        MANAGER,
                        i,
                        seabed(
                                "256m",
                                "manager",
                                "--manager-id",
                                Integer.toString(i),
                                "--rpc",
                                managerAddresses.get(i - 1),
                                "--meta",
                                "127.0.0.1:" + meta,
                                "--storage-nodes",
                                Integer.toString(storageNodes),
                                "--replicas",
                                Integer.toString(replicas)));
            for (int i = 1; i <= storageNodes; i++)
                layout.launch(
                        STORAGE,
                        i,
                        seabed(
                                "384m",
                                "storage",
                                "--data",
                                dir.resolve("storage-" + i).toString(),
                                "--node-id",
                                Integer.toString(i),
                                "--rpc",
                                "127.0.0.1:" + p.getProperty("storage." + i + ".port"),
                                "--managers",
                                String.join(",", managerAddresses)));
            return awaitServer(layout, 0);
        }

        /**
         * Starts again every process of the cluster in {@code layout} that is not running (all at once, with the
         * command lines they were first started with), then waits for the server.
         */
        private int resume(Layout layout) throws IOException, InterruptedException {
            long logStart = Files.exists(layout.log(SERVER, 0)) ? Files.size(layout.log(SERVER, 0)) : 0;
            int started = 0;
            for (Map.Entry<String, Integer> p : layout.processes()) {
                if (layout.process(p.getKey(), p.getValue()).isPresent()) continue;
                layout.relaunch(p.getKey(), p.getValue());
                started++;
            }
            out().println("seabed cluster: started " + started + " stopped processes of " + dir);
            if (started == 0) logStart = 0;
            return awaitServer(layout, logStart);
        }

        private int awaitServer(Layout layout, long logStart) throws IOException, InterruptedException {
            Properties p = layout.load();
            ProcessHandle server = layout.process(SERVER, 0)
                    .orElseThrow(() -> new IOException("server exited at once; see " + layout.log(SERVER, 0)));
            if (!awaitLog(layout.log(SERVER, 0), "seabed ready", logStart, server, READY_WAIT_MILLIS)) {
                err().println("seabed cluster: the server did not get ready; see " + layout.log(SERVER, 0)
                        + "; it ends:\n" + tail(layout.log(SERVER, 0)));
                return 1;
            }
            String s3 = p.getProperty("s3.port");
            out().println("seabed cluster ready: s3=http://127.0.0.1:" + s3 + " nfs=127.0.0.1:"
                    + p.getProperty("nfs.port") + " managers=" + layout.managerProcesses()
                    + " storage-nodes=" + layout.storageNodes() + " dir=" + dir);
            out().println("http://127.0.0.1:" + s3);
            out().flush();
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show each process and the chains.")
    static final class Status extends Base {
        @Override
        public Integer call() throws Exception {
            Layout layout = new Layout(dir);
            Properties p = layout.load();
            List<RoutingTable.Node> managers = layout.managers();
            for (int i = 1; i <= layout.metaProcesses(); i++)
                row(
                        layout,
                        META,
                        i,
                        "raft=" + p.getProperty("meta." + i + ".raft.port") + " rpc="
                                + p.getProperty("meta." + i + ".rpc.port"));
            row(
                    layout,
                    SERVER,
                    0,
                    "s3=" + p.getProperty("s3.port") + " nfs=" + p.getProperty("nfs.port")
                            + (layout.managerProcesses() == 0
                                    ? " manager=" + managers.getFirst().port()
                                    : ""));
            for (int i = 1; i <= layout.managerProcesses(); i++)
                row(layout, MANAGER, i, "rpc=" + managers.get(i - 1).port());
            for (int i = 1; i <= layout.storageNodes(); i++)
                row(layout, STORAGE, i, "rpc=" + p.getProperty("storage." + i + ".port"));
            try (ManagerRouting routing = new ManagerRouting(managers, 1_000, 2_000)) {
                RoutingTable t = routing.current();
                out().println("routing v" + t.version() + ":");
                for (RoutingTable.Chain c : t.chains().values())
                    out().println("  chain " + c.chainId() + " v" + c.chainVersion() + " " + c.members());
            } catch (RuntimeException e) {
                out().println("routing: manager not answering (" + e.getMessage() + ")");
            }
            out().flush();
            return 0;
        }

        private void row(Layout layout, String role, int index, String ports) throws IOException {
            Optional<ProcessHandle> ph = layout.process(role, index);
            out().println(role + " " + index + ": "
                    + (ph.isPresent() ? "running pid " + ph.get().pid() : "down") + " " + ports);
        }
    }

    /** A command on one process: ROLE INDEX. */
    abstract static class RoleCommand extends Base {
        @Parameters(index = "0", description = "server, manager, storage or meta")
        String role;

        @Parameters(index = "1", description = "index (server: 0; manager: 1..M; storage: 1..N; meta: 1..K)")
        int index;
    }

    @Command(
            name = "kill",
            mixinStandardHelpOptions = true,
            description = "SIGKILL one process: kill ROLE INDEX (server 0, manager 1..M, storage 1..N, meta 1..K).")
    static final class Kill extends RoleCommand {
        @Override
        public Integer call() throws Exception {
            Optional<ProcessHandle> ph = new Layout(dir).process(role, index);
            if (ph.isEmpty()) {
                err().println("seabed cluster: " + role + " " + index + " is not running");
                return 1;
            }
            ph.get().destroyForcibly();
            ph.get().onExit().get(30, TimeUnit.SECONDS);
            out().println("killed " + role + " " + index + " (pid " + ph.get().pid() + ")");
            return 0;
        }
    }

    @Command(
            name = "restart",
            mixinStandardHelpOptions = true,
            description = "Start one process again (stopping it first if it runs): restart ROLE INDEX.")
    static final class Restart extends RoleCommand {
        @Override
        public Integer call() throws Exception {
            Layout layout = new Layout(dir);
            if (!Files.exists(layout.args(role, index))) {
                err().println("seabed cluster: no " + role + " " + index + " in " + dir);
                return 2;
            }
            Optional<ProcessHandle> running = layout.process(role, index);
            if (running.isPresent()) {
                running.get().destroy();
                running.get().onExit().get(60, TimeUnit.SECONDS);
            }
            long logStart = Files.exists(layout.log(role, index)) ? Files.size(layout.log(role, index)) : 0;
            long pid = layout.relaunch(role, index);
            ProcessHandle ph =
                    ProcessHandle.of(pid).orElseThrow(() -> new IOException(role + " " + index + " exited at once"));
            String marker =
                    switch (role) {
                        case SERVER -> "seabed ready";
                        case MANAGER -> "seabed manager ready";
                        case META -> "seabed meta ready";
                        default -> "seabed storage ready";
                    };
            if (!awaitLog(layout.log(role, index), marker, logStart, ph, READY_WAIT_MILLIS)) {
                err().println("seabed cluster: " + role + " " + index + " did not get ready; see "
                        + layout.log(role, index) + "; it ends:\n" + tail(layout.log(role, index)));
                return 1;
            }
            out().println("restarted " + role + " " + index + " (pid " + pid + ")");
            return 0;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = "Stop every process (SIGTERM, then SIGKILL after 60 s).")
    static final class Stop extends Base {
        @Override
        public Integer call() throws Exception {
            Layout layout = new Layout(dir);
            List<ProcessHandle> running = new ArrayList<>();
            for (Map.Entry<String, Integer> p : layout.processes())
                layout.process(p.getKey(), p.getValue()).ifPresent(running::add);
            for (ProcessHandle ph : running) ph.destroy();
            for (ProcessHandle ph : running) {
                try {
                    ph.onExit().get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    ph.destroyForcibly();
                }
            }
            out().println("stopped " + running.size() + " processes");
            return 0;
        }
    }
}
