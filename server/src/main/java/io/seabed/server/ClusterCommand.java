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
 * {@code server} (meta-kv, cluster manager, S3 front and console) and N {@code storage} nodes. Everything
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
    static final String STORAGE = "storage";
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

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
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
            description = "Start a cluster in --dir; prints the S3 endpoint when ready.")
    static final class Start extends Base {
        @Option(
                names = "--storage-nodes",
                description = "Storage node processes (default: ${DEFAULT-VALUE}).",
                defaultValue = "5")
        int storageNodes;

        @Option(
                names = "--meta-nodes",
                description = "Meta-kv members (default: ${DEFAULT-VALUE}; only 1 is built yet).",
                defaultValue = "1")
        int metaNodes;

        @Option(names = "--replicas", description = "Chain length (default: ${DEFAULT-VALUE}).", defaultValue = "3")
        int replicas;

        @Override
        public Integer call() throws Exception {
            if (metaNodes != 1) {
                err().println("seabed cluster: --meta-nodes " + metaNodes
                        + ": only a single meta-kv member is built yet (the meta-kv runs inside the server process)");
                return 2;
            }
            if (storageNodes < 1 || replicas < 1 || replicas > storageNodes) {
                err().println("seabed cluster: need 1 <= --replicas <= --storage-nodes");
                return 2;
            }
            Layout layout = new Layout(dir);
            if (Files.exists(layout.properties())) {
                err().println("seabed cluster: " + dir
                        + " already holds a cluster (use restart, or stop and remove it)");
                return 2;
            }
            Files.createDirectories(dir);
            Properties p = new Properties();
            int s3 = freePort();
            int console = freePort();
            int manager = freePort();
            p.setProperty("s3.port", Integer.toString(s3));
            p.setProperty("console.port", Integer.toString(console));
            p.setProperty("manager.port", Integer.toString(manager));
            p.setProperty("storage.nodes", Integer.toString(storageNodes));
            for (int i = 1; i <= storageNodes; i++)
                p.setProperty("storage." + i + ".port", Integer.toString(freePort()));
            try (var o = Files.newOutputStream(layout.properties())) {
                p.store(o, "seabed cluster");
            }
            layout.launch(
                    SERVER,
                    0,
                    seabed(
                            "1g",
                            "server",
                            "--data",
                            dir.resolve("server").toString(),
                            "--s3",
                            "127.0.0.1:" + s3,
                            "--console",
                            "127.0.0.1:" + console,
                            "--storage-nodes",
                            Integer.toString(storageNodes),
                            "--replicas",
                            Integer.toString(replicas),
                            "--manager",
                            "127.0.0.1:" + manager));
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
                                "127.0.0.1:" + manager));
            ProcessHandle server = layout.process(SERVER, 0)
                    .orElseThrow(() -> new IOException("server exited at once; see " + layout.log(SERVER, 0)));
            if (!awaitLog(layout.log(SERVER, 0), "seabed ready", 0, server, READY_WAIT_MILLIS)) {
                err().println("seabed cluster: the server did not get ready; see " + layout.log(SERVER, 0));
                return 1;
            }
            out().println("seabed cluster ready: s3=http://127.0.0.1:" + s3 + " storage-nodes=" + storageNodes + " dir="
                    + dir);
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
            row(layout, SERVER, 0, "s3=" + p.getProperty("s3.port") + " manager=" + p.getProperty("manager.port"));
            for (int i = 1; i <= layout.storageNodes(); i++)
                row(layout, STORAGE, i, "rpc=" + p.getProperty("storage." + i + ".port"));
            try (ManagerRouting routing = new ManagerRouting(
                    List.of(new RoutingTable.Node(0, "127.0.0.1", Integer.parseInt(p.getProperty("manager.port")))),
                    1_000,
                    2_000)) {
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
        @Parameters(index = "0", description = "server or storage")
        String role;

        @Parameters(index = "1", description = "index (server: 0; storage: 1..N)")
        int index;
    }

    @Command(
            name = "kill",
            mixinStandardHelpOptions = true,
            description = "SIGKILL one process: kill ROLE INDEX (server 0, storage 1..N).")
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
            String marker = role.equals(SERVER) ? "seabed ready" : "seabed storage ready";
            if (!awaitLog(layout.log(role, index), marker, logStart, ph, READY_WAIT_MILLIS)) {
                err().println("seabed cluster: " + role + " " + index + " did not get ready; see "
                        + layout.log(role, index));
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
            layout.process(SERVER, 0).ifPresent(running::add);
            for (int i = 1; i <= layout.storageNodes(); i++)
                layout.process(STORAGE, i).ifPresent(running::add);
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
