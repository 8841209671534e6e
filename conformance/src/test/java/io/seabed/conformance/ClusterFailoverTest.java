package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.manager.ManagerRouting;
import io.seabed.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real multi-process cluster ({@code seabed cluster}: a server process and 5 storage processes) under steady
 * S3 PUT/GET load: one storage node is SIGKILLed, writes and reads go on with no error (the storage client's
 * bounded retries ride out the routing change), nothing acknowledged is lost, and once the node is restarted
 * and synced, every replica verifies identical.
 */
class ClusterFailoverTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out) {}

    private Run seabed(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString());
    }

    @AfterEach
    void stop() {
        seabed("cluster", "stop", "--dir", dir.toString());
    }

    /** The cluster's root keys: from the environment it inherited, or those its server generated. */
    private software.amazon.awssdk.auth.credentials.AwsCredentialsProvider rootCredentials() throws Exception {
        String ak = System.getenv("SEABED_ACCESS_KEY");
        String sk = System.getenv("SEABED_SECRET_KEY");
        if (ak == null || sk == null) {
            Properties p = new Properties();
            try (var in =
                    java.nio.file.Files.newInputStream(dir.resolve("server").resolve("root-credentials"))) {
                p.load(in);
            }
            ak = p.getProperty("SEABED_ACCESS_KEY");
            sk = p.getProperty("SEABED_SECRET_KEY");
        }
        return InProcessSeabed.credentials(ak, sk);
    }

    private static int sizeOf(long seed) {
        int[] sizes = {20_000, 150_000, 700_000, 2_500_000};
        return sizes[(int) (seed % sizes.length)];
    }

    private RoutingTable routing() throws Exception {
        Properties p = new Properties();
        try (var in = java.nio.file.Files.newInputStream(dir.resolve("cluster.properties"))) {
            p.load(in);
        }
        RoutingTable.Node manager =
                new RoutingTable.Node(0, "127.0.0.1", Integer.parseInt(p.getProperty("manager.port")));
        try (ManagerRouting routing = new ManagerRouting(List.of(manager), 1_000, 5_000)) {
            return routing.current();
        }
    }

    private boolean targetIs(int target, PublicState state) throws Exception {
        return routing().chains().values().stream()
                .flatMap(c -> c.members().stream())
                .anyMatch(m -> m.targetId() == target && m.state() == state);
    }

    private boolean allServing() throws Exception {
        return routing().chains().values().stream()
                .flatMap(c -> c.members().stream())
                .allMatch(m -> m.state() == PublicState.SERVING);
    }

    private static void await(String what, long millis, java.util.concurrent.Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.call()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + " not reached in " + millis + " ms");
            Thread.sleep(100);
        }
    }

    @Test
    void aKilledStorageNodeLosesNothingAndSyncsBackToIdenticalReplicas() throws Exception {
        Run start = seabed("cluster", "start", "--dir", dir.toString(), "--storage-nodes", "5");
        assertEquals(0, start.exit(), start.out());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^(http://127\\.0\\.0\\.1:\\d+)$")
                .matcher(start.out());
        assertTrue(m.find(), start.out());
        URI endpoint = URI.create(m.group(1));
        Map<String, Long> acked = new ConcurrentHashMap<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong gets = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(rootCredentials())
                .forcePathStyle(true)
                .build()) {
            s3.createBucket(b -> b.bucket("failover"));
            AtomicLong seeds = new AtomicLong();
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 3; t++)
                load.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        long seed = seeds.incrementAndGet();
                        try {
                            s3.putObject(
                                    b -> b.bucket("failover").key("k" + seed),
                                    RequestBody.fromBytes(TestFiles.bytes(seed, sizeOf(seed))));
                            acked.put("k" + seed, seed);
                        } catch (RuntimeException e) {
                            errors.add("PUT k" + seed + ": " + e);
                        }
                    }
                }));
            for (int t = 0; t < 2; t++)
                load.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        List<String> keys = new ArrayList<>(acked.keySet());
                        if (keys.isEmpty()) continue;
                        String key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
                        long seed = acked.get(key);
                        try {
                            byte[] got = s3.getObjectAsBytes(
                                            b -> b.bucket("failover").key(key))
                                    .asByteArray();
                            if (!java.util.Arrays.equals(TestFiles.bytes(seed, sizeOf(seed)), got))
                                errors.add("GET " + key + ": wrong bytes");
                            gets.incrementAndGet();
                        } catch (RuntimeException e) {
                            errors.add("GET " + key + ": " + e);
                        }
                    }
                }));
            Thread.sleep(3_000);
            Run kill = seabed("cluster", "kill", "--dir", dir.toString(), "storage", "2");
            assertEquals(0, kill.exit(), kill.out());
            await("target 200 offline", 30_000, () -> targetIs(200, PublicState.OFFLINE));
            long putsBefore = acked.size();
            Thread.sleep(4_000);
            assertTrue(
                    acked.size() > putsBefore + 5,
                    "PUTs kept flowing with node 2 down: " + putsBefore + " -> " + acked.size());
            Run restart = seabed("cluster", "restart", "--dir", dir.toString(), "storage", "2");
            assertEquals(0, restart.exit(), restart.out());
            await("every target serving again", 60_000, this::allServing);
            Thread.sleep(1_000);
            stop.set(true);
            for (Thread t : load) t.join(60_000);
            assertEquals(List.of(), errors, "errors under load");
            assertTrue(gets.get() > 20, "GETs=" + gets.get());
            for (Map.Entry<String, Long> e : acked.entrySet())
                assertArrayEquals(
                        TestFiles.bytes(e.getValue(), sizeOf(e.getValue())),
                        s3.getObjectAsBytes(b -> b.bucket("failover").key(e.getKey()))
                                .asByteArray(),
                        e.getKey());
        }
        Run verify = seabed("verify", "--data", dir.resolve("server").toString());
        assertEquals(0, verify.exit(), verify.out());
        assertTrue(verify.out().contains("all serving replicas identical"), verify.out());
    }
}
