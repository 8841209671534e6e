package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The meta-kv group as processes of its own ({@code seabed cluster start --meta-nodes 3}: three {@code seabed
 * meta} members, a server using them over the RPC, three storage nodes).
 *
 * <p>Goal: losing the meta-kv leader loses no acknowledged S3 write, and neither does killing every process at
 * once. Method: S3 PUTs and GETs run on three threads; the leader (found by its log) is SIGKILLed; PUTs may fail
 * while the two others elect a leader (they are counted, not errors), but PUTs go on being acknowledged after,
 * every GET of an acknowledged object returns its bytes or fails (never wrong bytes), and afterwards every
 * acknowledged object reads back. The killed member is restarted, then every process is SIGKILLed at once and the
 * cluster started again: every acknowledged object is still there.
 */
@org.junit.jupiter.api.extension.ExtendWith(ClusterLogsOnFailure.class)
class ClusterMetaFailoverTest {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    /** S3 PUTs on two threads and GETs of acknowledged keys on one, counting what was acknowledged and what failed. */
    private static final class Load {
        final Map<String, Long> acked = new ConcurrentHashMap<>();
        final AtomicLong putFailures = new AtomicLong();
        final AtomicLong getFailures = new AtomicLong();
        final List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        static int sizeOf(long seed) {
            int[] sizes = {1_000, 100_000, 700_000};
            return sizes[(int) (seed % sizes.length)];
        }

        Load(S3Client s3, String bucket) {
            AtomicLong seeds = new AtomicLong();
            for (int t = 0; t < 2; t++)
                threads.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        long seed = seeds.incrementAndGet();
                        try {
                            s3.putObject(
                                    b -> b.bucket(bucket).key("k" + seed),
                                    RequestBody.fromBytes(TestFiles.bytes(seed, sizeOf(seed))));
                            acked.put("k" + seed, seed);
                        } catch (RuntimeException e) {
                            putFailures.incrementAndGet();
                        }
                    }
                }));
            threads.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(11);
                while (!stop.get()) {
                    List<String> keys = new ArrayList<>(acked.keySet());
                    if (keys.isEmpty()) {
                        Thread.onSpinWait();
                        continue;
                    }
                    String key = keys.get(random.nextInt(keys.size()));
                    long seed = acked.get(key);
                    try {
                        byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key))
                                .asByteArray();
                        if (!Arrays.equals(TestFiles.bytes(seed, sizeOf(seed)), got)) wrong.add(key);
                    } catch (RuntimeException e) {
                        getFailures.incrementAndGet();
                    }
                }
            }));
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) t.join(120_000);
        }

        void awaitMoreAcked(long than, long millis) throws Exception {
            LocalCluster.await("more than " + than + " PUTs acknowledged", millis, () -> acked.size() > than);
        }

        void assertAllReadable(S3Client s3, String bucket) {
            for (Map.Entry<String, Long> e : acked.entrySet())
                assertArrayEquals(
                        TestFiles.bytes(e.getValue(), sizeOf(e.getValue())),
                        s3.getObjectAsBytes(b -> b.bucket(bucket).key(e.getKey()))
                                .asByteArray(),
                        e.getKey());
        }
    }

    @Test
    void metaLeaderKilledThenEveryProcessKilledLosesNoAcknowledgedPut() throws Exception {
        for (String even : List.of("2", "4")) {
            LocalCluster.Run refused = LocalCluster.seabed(
                    "cluster", "start", "--dir", dir.resolve("even").toString(), "--meta-nodes", even);
            assertEquals(2, refused.exit(), refused.out());
            assertTrue(refused.out().contains("--meta-nodes " + even + ": use 1"), refused.out());
        }
        String bucket = "meta-failover";
        Load load;
        try (LocalCluster cluster =
                new LocalCluster(dir, "--meta-nodes", "3", "--storage-nodes", "3", "--managers", "0")) {
            assertFalse(Files.exists(dir.resolve("server").resolve("meta")), "the server keeps no meta-kv of its own");
            LocalCluster.Run status = LocalCluster.seabed("cluster", "status", "--dir", dir.toString());
            for (int i = 1; i <= 3; i++) assertTrue(status.out().contains("meta " + i + ": running"), status.out());
            try (S3Client s3 = cluster.s3()) {
                s3.createBucket(b -> b.bucket(bucket));
                load = new Load(s3, bucket);
                load.awaitMoreAcked(30, 30_000);
                int leader = cluster.metaLeader();
                assertTrue(leader > 0, "a meta member leads");
                cluster.kill("meta", leader);
                long ackedAtKill = load.acked.size();
                LocalCluster.await("another meta member leads", 30_000, () -> {
                    int now = cluster.metaLeader();
                    return now > 0 && now != leader;
                });
                load.awaitMoreAcked(ackedAtKill + 20, 30_000);
                cluster.restart("meta", leader);
                load.awaitMoreAcked(load.acked.size() + 10, 30_000);
                load.stop();
                System.out.println("meta leader " + leader + " killed: " + load.acked.size() + " PUTs acknowledged ("
                        + ackedAtKill + " before the kill), " + load.putFailures + " PUTs and " + load.getFailures
                        + " GETs failed");
                assertEquals(List.of(), load.wrong, "GETs that returned wrong bytes");
                load.assertAllReadable(s3, bucket);
            }
            // Every process at once, then the same cluster started again.
            List<ProcessHandle> all = new ArrayList<>();
            for (int i = 1; i <= 3; i++)
                all.add(ProcessHandle.of(cluster.pid("meta", i)).orElseThrow());
            all.add(ProcessHandle.of(cluster.pid("server", 0)).orElseThrow());
            for (int i = 1; i <= 3; i++)
                all.add(ProcessHandle.of(cluster.pid("storage", i)).orElseThrow());
            for (ProcessHandle p : all) p.destroyForcibly();
            for (ProcessHandle p : all) p.onExit().get(30, TimeUnit.SECONDS);
            cluster.resume();
            LocalCluster.await("every target serving", 60_000, cluster::allServing);
            try (S3Client s3 = cluster.s3()) {
                load.assertAllReadable(s3, bucket);
                s3.putObject(b -> b.bucket(bucket).key("after-restart"), RequestBody.fromBytes(new byte[] {1, 2, 3}));
                assertArrayEquals(
                        new byte[] {1, 2, 3},
                        s3.getObjectAsBytes(b -> b.bucket(bucket).key("after-restart"))
                                .asByteArray());
            }
        }
    }
}
