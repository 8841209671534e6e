package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.manager.ManagerRouting;
import io.seabed.server.Main;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real multi-process cluster started with {@code seabed cluster} (each role its own JVM on 127.0.0.1), for
 * failure tests: kill, stop (SIGSTOP) and continue, restart its processes, and read its routing from the
 * managers as a client does.
 */
final class LocalCluster implements AutoCloseable {
    private static final Pattern ENDPOINT = Pattern.compile("(?m)^(http://127\\.0\\.0\\.1:\\d+)$");

    record Run(int exit, String out) {}

    final Path dir;
    final URI endpoint;

    /** Starts {@code seabed cluster start --dir dir} with {@code options} and waits until it is ready. */
    LocalCluster(Path dir, String... options) {
        this.dir = dir;
        List<String> args = new ArrayList<>(List.of("cluster", "start", "--dir", dir.toString()));
        args.addAll(List.of(options));
        Run start = seabed(args.toArray(String[]::new));
        assertEquals(0, start.exit(), start.out());
        Matcher m = ENDPOINT.matcher(start.out());
        assertTrue(m.find(), start.out());
        endpoint = URI.create(m.group(1));
    }

    /** Runs the {@code seabed} command line in this JVM and returns its exit code and output. */
    static Run seabed(String... args) {
        StringWriter out = new StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString());
    }

    private void ok(String... args) {
        List<String> all = new ArrayList<>(List.of("cluster"));
        all.addAll(List.of(args));
        all.addAll(List.of("--dir", dir.toString()));
        Run run = seabed(all.toArray(String[]::new));
        assertEquals(0, run.exit(), String.join(" ", all) + ": " + run.out());
    }

    void kill(String role, int index) {
        ok("kill", role, Integer.toString(index));
    }

    void restart(String role, int index) {
        ok("restart", role, Integer.toString(index));
    }

    /** {@code seabed cluster start} on the existing cluster: starts every stopped process again, waits for the server. */
    void resume() {
        Run run = seabed("cluster", "start", "--dir", dir.toString());
        assertEquals(0, run.exit(), run.out());
    }

    long pid(String role, int index) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("pids").resolve(role + "-" + index + ".pid"))
                .strip());
    }

    /** Sends {@code signal} (STOP, CONT) to a process with kill(1). */
    void signal(String role, int index, String signal) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid(role, index)))
                .redirectErrorStream(true)
                .start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + role + " " + index);
    }

    Properties properties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("cluster.properties"))) {
            p.load(in);
        }
        return p;
    }

    List<RoutingTable.Node> managers() throws IOException {
        List<RoutingTable.Node> nodes = new ArrayList<>();
        for (String address : properties().getProperty("managers").split(",")) {
            String[] hp = address.split(":");
            nodes.add(new RoutingTable.Node(0, hp[0], Integer.parseInt(hp[1])));
        }
        return nodes;
    }

    /** The routing the managers serve now. */
    RoutingTable routing() throws Exception {
        try (ManagerRouting routing = new ManagerRouting(managers(), 1_000, 10_000)) {
            return routing.current();
        }
    }

    boolean targetIs(int target, PublicState state) throws Exception {
        return routing().chains().values().stream()
                .flatMap(c -> c.members().stream())
                .anyMatch(m -> m.targetId() == target && m.state() == state);
    }

    boolean allServing() throws Exception {
        return routing().chains().values().stream()
                .flatMap(c -> c.members().stream())
                .allMatch(m -> m.state() == PublicState.SERVING);
    }

    /** Which manager process (1..M) logged last that it became primary, or 0. */
    int primaryManager() throws IOException {
        int primary = 0;
        String last = "";
        int processes = Integer.parseInt(properties().getProperty("manager.processes"));
        for (int i = 1; i <= processes; i++) {
            Path log = dir.resolve("logs").resolve("manager-" + i + ".log");
            for (String line : Files.readAllLines(log))
                if (line.contains("primary with lease epoch") && line.compareTo(last) > 0) {
                    last = line;
                    primary = i;
                }
        }
        return primary;
    }

    /**
     * Which running meta process (1..K) leads its group, by its log: the one whose latest resolver line says it
     * started, most recently of all (a member logs it when it takes the lead and "stopped" when it loses it); 0
     * when none does.
     */
    int metaLeader() throws IOException {
        int leader = 0;
        String newest = "";
        int members = Integer.parseInt(properties().getProperty("meta.nodes", "1"));
        for (int i = 1; members > 1 && i <= members; i++) {
            if (ProcessHandle.of(pid("meta", i)).filter(ProcessHandle::isAlive).isEmpty()) continue;
            String last = "";
            for (String line : Files.readAllLines(dir.resolve("logs").resolve("meta-" + i + ".log")))
                if (line.contains("meta-kv resolver started") || line.contains("meta-kv resolver stopped")) last = line;
            if (last.contains("started") && last.compareTo(newest) > 0) {
                newest = last;
                leader = i;
            }
        }
        return leader;
    }

    /** The cluster's root keys: from the environment it inherited, or those its server generated. */
    AwsCredentialsProvider rootCredentials() throws IOException {
        String ak = System.getenv("SEABED_ACCESS_KEY");
        String sk = System.getenv("SEABED_SECRET_KEY");
        if (ak == null || sk == null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(dir.resolve("server").resolve("root-credentials"))) {
                p.load(in);
            }
            ak = p.getProperty("SEABED_ACCESS_KEY");
            sk = p.getProperty("SEABED_SECRET_KEY");
        }
        return InProcessSeabed.credentials(ak, sk);
    }

    S3Client s3() throws IOException {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(rootCredentials())
                .forcePathStyle(true)
                .build();
    }

    /** {@code seabed verify} of the server: every serving replica of every chunk identical. */
    void verifyIdentical() {
        Run verify = seabed("verify", "--data", dir.resolve("server").toString());
        assertEquals(0, verify.exit(), verify.out());
        assertTrue(verify.out().contains("all serving replicas identical"), verify.out());
    }

    static void await(String what, long millis, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.call()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + " not reached in " + millis + " ms");
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        seabed("cluster", "stop", "--dir", dir.toString());
    }
}
