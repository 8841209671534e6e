package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chain.PublicState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real multi-process cluster ({@code seabed cluster}: a server process, 2 managers and 5 storage processes)
 * under steady S3 PUT/GET load: one storage node is SIGKILLed, writes and reads go on with no error (the storage
 * client's bounded retries ride out the routing change), nothing acknowledged is lost, and once the node is
 * restarted and synced, every replica verifies identical.
 */
@org.junit.jupiter.api.extension.ExtendWith(ClusterLogsOnFailure.class)
class ClusterFailoverTest {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private static int sizeOf(long seed) {
        int[] sizes = {20_000, 150_000, 700_000, 2_500_000};
        return sizes[(int) (seed % sizes.length)];
    }

    @Test
    void aKilledStorageNodeLosesNothingAndSyncsBackToIdenticalReplicas() throws Exception {
        Map<String, Long> acked = new ConcurrentHashMap<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong gets = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (LocalCluster cluster = new LocalCluster(dir, "--storage-nodes", "5");
                S3Client s3 = cluster.s3()) {
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
            cluster.kill("storage", 2);
            LocalCluster.await("target 200 offline", 30_000, () -> cluster.targetIs(200, PublicState.OFFLINE));
            long putsBefore = acked.size();
            LocalCluster.await("PUTs flowing with node 2 down", 20_000, () -> acked.size() > putsBefore + 5);
            cluster.restart("storage", 2);
            LocalCluster.await("every target serving again", 60_000, cluster::allServing);
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
            cluster.verifyIdentical();
        }
    }
}
