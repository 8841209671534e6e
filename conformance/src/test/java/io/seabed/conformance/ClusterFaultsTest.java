package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.chain.ChainClient;
import io.seabed.basestore.chain.ChainMessages;
import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.manager.ManagerRouting;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Failures of single processes in a real multi-process cluster ({@code seabed cluster}: a server, 2 managers, 5
 * storage nodes), each under a recorded history of concurrent whole-chunk writes and reads on chosen chains
 * (from this JVM through the storage client, as the S3 front uses it) that is then checked for
 * linearizability per chunk ({@link ChunkHistory}): the head of a chain killed during writes, its tail killed
 * during writes, a tail stopped (SIGSTOP) beyond the lease and continued, the primary manager killed, and every
 * process killed at once. Afterwards every serving replica must verify identical.
 */
@org.junit.jupiter.api.extension.ExtendWith(ClusterLogsOnFailure.class)
class ClusterFaultsTest {
    private static final int STORAGE_NODES = 5;
    /**
     * Tries of 5 s (a stopped node accepts connections but never answers), 14 of them (8.3 s of pauses, as the
     * servers' clients have).
     */
    private static final ChainClient.Config CLIENT = new ChainClient.Config(14, 20, 5_000);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private LocalCluster start() {
        return new LocalCluster(dir, "--storage-nodes", Integer.toString(STORAGE_NODES), "--managers", "2");
    }

    /** The first chain (by id) whose write path has node {@code node}'s target at {@code position} (0 head, -1 tail). */
    private static RoutingTable.Chain chainWith(RoutingTable table, int node, int position) {
        int target = node * 100;
        for (RoutingTable.Chain c : table.chains().values()) {
            List<Integer> path = c.writePath();
            int at = position < 0 ? path.size() + position : position;
            if (path.size() == 3 && path.get(at) == target) return c;
        }
        throw new AssertionError("no chain with target " + target + " at " + position + ": " + table);
    }

    private static void assertClean(ChunkHistory history, boolean errorFree) {
        List<String> violations = history.check(20);
        assertEquals(List.of(), violations, "history violations");
        if (errorFree) assertEquals(List.of(), history.failures(), "failed operations");
        assertTrue(history.count(true, true) > 20, "acknowledged writes: " + history.count(true, true));
        assertTrue(history.count(false, true) > 20, "successful reads: " + history.count(false, true));
    }

    /** Kills storage node {@code node} under load on {@code chains}, restarts it, checks the history and replicas. */
    private void killUnderLoad(LocalCluster cluster, int node, int[] chains) throws Exception {
        try (ManagerRouting routing = new ManagerRouting(cluster.managers(), 1_000, 10_000);
                ChainClient client = new ChainClient(routing, CLIENT)) {
            ChunkHistory history = new ChunkHistory(client, chains, 3, 0x5EED_0001L);
            history.seed();
            history.start(3, 2);
            Thread.sleep(2_000);
            cluster.kill("storage", node);
            LocalCluster.await(
                    "target " + node * 100 + " offline",
                    30_000,
                    () -> cluster.targetIs(node * 100, PublicState.OFFLINE));
            long acked = history.count(true, true);
            LocalCluster.await(
                    "writes flowing with node " + node + " down", 20_000, () -> history.count(true, true) > acked + 5);
            cluster.restart("storage", node);
            LocalCluster.await("every target serving again", 60_000, cluster::allServing);
            Thread.sleep(1_000);
            history.stop();
            assertClean(history, true);
        }
        cluster.verifyIdentical();
    }

    @Test
    void headKilledDuringWrites() throws Exception {
        try (LocalCluster cluster = start()) {
            RoutingTable table = cluster.routing();
            killUnderLoad(cluster, 2, new int[] {chainWith(table, 2, 0).chainId()});
        }
    }

    @Test
    void tailKilledDuringWrites() throws Exception {
        try (LocalCluster cluster = start()) {
            RoutingTable table = cluster.routing();
            killUnderLoad(cluster, 3, new int[] {chainWith(table, 3, -1).chainId()});
        }
    }

    /**
     * A tail stopped past the lease: its chain moves on without it (writes keep being acknowledged), then it
     * continues. Reads sent to it while it was stopped, carrying the chain version it knew, are handled the moment
     * it runs again, before any heartbeat answer can reach it: it must refuse them (it fenced itself), never
     * answer with the version it held.
     */
    @Test
    void stoppedTailNeverServesAStaleRead() throws Exception {
        int node = 4;
        try (LocalCluster cluster = start();
                ManagerRouting routing = new ManagerRouting(cluster.managers(), 1_000, 10_000);
                ChainClient client = new ChainClient(routing, CLIENT)) {
            RoutingTable before = cluster.routing();
            RoutingTable.Chain chain = chainWith(before, node, -1);
            ChunkHistory history = new ChunkHistory(client, new int[] {chain.chainId()}, 3, 0x5EED_0002L);
            history.seed();
            history.start(2, 2);
            Thread.sleep(1_500);
            cluster.signal("storage", node, "STOP");
            LocalCluster.await(
                    "target " + node * 100 + " offline",
                    30_000,
                    () -> cluster.targetIs(node * 100, PublicState.OFFLINE));
            // Updates caught at the stopped tail fail once the routing moves the chain on (their forwards are
            // dropped then, not at their 10 s deadline); retried, they go down the chain without it.
            long ackedAtOffline = history.count(true, true);
            LocalCluster.await(
                    "writes acknowledged without the stopped tail",
                    5_000,
                    () -> history.count(true, true) > ackedAtOffline + 3);
            long ackedBeforeCont = history.count(true, true);
            RoutingTable.Node zombie = before.nodeOf(node * 100);
            List<CompletableFuture<RpcClient.Result>> queued = new ArrayList<>();
            try (RpcClient direct = RpcClient.connect(zombie.host(), zombie.port(), RpcClient.Config.defaults())) {
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < 4; i++)
                        queued.add(direct.call(
                                RpcMethod.CHUNK_READ,
                                new ChainMessages.Read(
                                                chain.chainId(),
                                                chain.chainVersion(),
                                                new ChunkId(0x5EED_0002L, c),
                                                0,
                                                1 << 20)
                                        .encode(),
                                RpcPayload.NONE,
                                30_000));
                Thread.sleep(200);
                cluster.signal("storage", node, "CONT");
                for (CompletableFuture<RpcClient.Result> f : queued)
                    try (RpcClient.Result r = f.get(30, TimeUnit.SECONDS)) {
                        ChainMessages.ReadReply reply = ChainMessages.ReadReply.decode(r.header());
                        assertNotEquals(
                                ChainStatus.OK,
                                reply.status(),
                                "the stopped tail answered a read at version " + reply.version() + " after its chain"
                                        + " moved on (" + ackedBeforeCont + " writes acknowledged meanwhile)");
                    }
            }
            LocalCluster.await("every target serving again", 60_000, cluster::allServing);
            Thread.sleep(1_000);
            history.stop();
            assertClean(history, true);
            cluster.verifyIdentical();
        }
    }

    /** S3 PUTs and GETs on 3 threads; records what was acknowledged and any error. */
    private static final class S3Load {
        final Map<String, Long> acked = new ConcurrentHashMap<>();
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        static int sizeOf(long seed) {
            int[] sizes = {10_000, 300_000, 1_500_000};
            return sizes[(int) (seed % sizes.length)];
        }

        S3Load(S3Client s3, String bucket) {
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
                            errors.add("PUT k" + seed + ": " + e);
                        }
                    }
                }));
            threads.add(Thread.ofPlatform().start(() -> {
                java.util.SplittableRandom random = new java.util.SplittableRandom(7);
                while (!stop.get()) {
                    List<String> keys = new ArrayList<>(acked.keySet());
                    if (keys.isEmpty()) continue;
                    String key = keys.get(random.nextInt(keys.size()));
                    long seed = acked.get(key);
                    try {
                        byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key))
                                .asByteArray();
                        if (!java.util.Arrays.equals(TestFiles.bytes(seed, sizeOf(seed)), got))
                            errors.add("GET " + key + ": wrong bytes");
                    } catch (RuntimeException e) {
                        errors.add("GET " + key + ": " + e);
                    }
                }
            }));
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) t.join(120_000);
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

    /**
     * The primary manager is killed under S3 and chunk load: the standby takes the lease, load goes on without
     * an error (the nodes' fencing pause is within the clients' retries), and the new primary does a manager's
     * work: it moves a killed storage node's chains on and syncs the node back when it returns.
     */
    @Test
    void primaryManagerKilledStandbyTakesOver() throws Exception {
        try (LocalCluster cluster = start();
                S3Client s3 = cluster.s3();
                ManagerRouting routing = new ManagerRouting(cluster.managers(), 1_000, 10_000);
                ChainClient client = new ChainClient(routing, CLIENT)) {
            s3.createBucket(b -> b.bucket("managers"));
            RoutingTable table = cluster.routing();
            ChunkHistory history = new ChunkHistory(
                    client,
                    new int[] {
                        chainWith(table, 1, 0).chainId(),
                        chainWith(table, 5, -1).chainId()
                    },
                    2,
                    0x5EED_0003L);
            history.seed();
            history.start(2, 2);
            S3Load load = new S3Load(s3, "managers");
            Thread.sleep(2_000);
            int primary = cluster.primaryManager();
            assertTrue(primary > 0, "a primary manager");
            cluster.kill("manager", primary);
            int standby = 3 - primary;
            LocalCluster.await("manager " + standby + " primary", 30_000, () -> cluster.primaryManager() == standby);
            long acked = load.acked.size();
            LocalCluster.await("S3 PUTs flowing under the new primary", 20_000, () -> load.acked.size() > acked);
            cluster.kill("storage", 5);
            LocalCluster.await("target 500 offline", 30_000, () -> cluster.targetIs(500, PublicState.OFFLINE));
            cluster.restart("storage", 5);
            LocalCluster.await("every target serving again", 60_000, cluster::allServing);
            load.stop();
            history.stop();
            assertEquals(List.of(), load.errors, "S3 errors");
            load.assertAllReadable(s3, "managers");
            assertClean(history, true);
            cluster.verifyIdentical();
        }
    }

    /**
     * Every process is killed at once (SIGKILL) under load and the cluster is started again: everything acknowledged
     * before is there, the history holds (writes cut off have unknown outcomes), and the replicas are identical.
     */
    @Test
    void everyProcessKilledAtOnceAndRestarted() throws Exception {
        S3Load load;
        ChunkHistory history;
        try (LocalCluster cluster = start()) {
            ManagerRouting routing = new ManagerRouting(cluster.managers(), 1_000, 10_000);
            ChainClient client = new ChainClient(routing, CLIENT);
            try (S3Client s3 = cluster.s3()) {
                s3.createBucket(b -> b.bucket("restart-all"));
                RoutingTable table = cluster.routing();
                history = new ChunkHistory(
                        client,
                        new int[] {
                            chainWith(table, 2, 0).chainId(),
                            chainWith(table, 4, -1).chainId()
                        },
                        2,
                        0x5EED_0004L);
                history.seed();
                history.start(2, 1);
                load = new S3Load(s3, "restart-all");
                Thread.sleep(3_000);
                List<ProcessHandle> all = new ArrayList<>();
                all.add(ProcessHandle.of(cluster.pid("server", 0)).orElseThrow());
                for (int i = 1; i <= 2; i++)
                    all.add(ProcessHandle.of(cluster.pid("manager", i)).orElseThrow());
                for (int i = 1; i <= STORAGE_NODES; i++)
                    all.add(ProcessHandle.of(cluster.pid("storage", i)).orElseThrow());
                for (ProcessHandle p : all) p.destroyForcibly();
                for (ProcessHandle p : all) p.onExit().get(30, TimeUnit.SECONDS);
                load.stop();
                history.stop();
            }
            cluster.resume();
            LocalCluster.await("every target serving", 60_000, cluster::allServing);
            try (S3Client s3 = cluster.s3()) {
                load.assertAllReadable(s3, "restart-all");
            }
            assertClean(history, false);
            client.close();
            routing.close();
            cluster.verifyIdentical();
        }
    }
}
