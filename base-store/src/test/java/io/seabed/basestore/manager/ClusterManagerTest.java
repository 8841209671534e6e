package io.seabed.basestore.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.ChunkRef;
import io.seabed.basestore.chain.ChainMessages;
import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.ChainVerifier;
import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.chunk.ChunkData;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager's failure handling with real nodes, RPC and meta-kv in this JVM. */
class ClusterManagerTest {
    @TempDir
    Path dir;

    /** Writes chunks until stopped; every write must succeed (the client's bounded retries ride out changes). */
    private static Thread writer(
            ManagedCluster cluster, List<ChunkRef> written, AtomicBoolean stop, AtomicInteger failures, int base) {
        return Thread.ofPlatform().start(() -> {
            for (int i = base; !stop.get(); i++) {
                try {
                    ChunkRef ref =
                            cluster.client.writeChunk(new ChunkId(9, i), ChunkData.buffer(i, 1 + (i * 131) % 90_000));
                    synchronized (written) {
                        written.add(ref);
                    }
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    e.printStackTrace();
                }
            }
        });
    }

    private static void checkAll(ManagedCluster cluster, List<ChunkRef> written) {
        for (ChunkRef ref : written) {
            ByteBuffer out = ByteBuffer.allocate(ref.lengthBytes());
            cluster.client.readChunk(ref, 0, out);
            assertArrayEquals(ChunkData.bytes(ref.id().low(), ref.lengthBytes()), out.array(), ref.toString());
        }
    }

    private static void verifyIdentical(ManagedCluster cluster, long chunksAtLeast) {
        try (ChainVerifier verifier = new ChainVerifier()) {
            ChainVerifier.Report report = verifier.verify(cluster.primary().routing(), 10, n -> {});
            assertTrue(report.identical(), report.toString());
            assertTrue(report.chunks() >= chunksAtLeast, report.toString());
        }
    }

    @Test
    void aDeadNodeLeavesItsChainsAndSyncsBackAfterRestartWhileWritesContinue() throws Exception {
        try (ManagedCluster cluster = new ManagedCluster(dir, 4, 3)) {
            RoutingTable placed = cluster.await(ManagedCluster::allServing, 20_000);
            assertEquals(4, placed.chains().size());
            List<ChunkRef> written = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger failures = new AtomicInteger();
            Thread w = writer(cluster, written, stop, failures, 0);
            Thread.sleep(500);
            cluster.stopNode(2);
            RoutingTable shrunk = cluster.await(
                    t -> t.chains().values().stream()
                            .flatMap(c -> c.members().stream())
                            .anyMatch(m -> m.targetId() == 200 && m.state() == PublicState.OFFLINE),
                    10_000);
            assertNotNull(shrunk);
            int before;
            synchronized (written) {
                before = written.size();
            }
            // The writer may be in its backoff (up to 1 s a try) when the chain changes: wait for the
            // writes to flow on the shortened chains rather than for a fixed time.
            long flowDeadline = System.nanoTime() + 10_000_000_000L;
            int during;
            do {
                Thread.sleep(50);
                synchronized (written) {
                    during = written.size() - before;
                }
            } while (during <= 10 && System.nanoTime() < flowDeadline);
            assertTrue(during > 10, "chunks written in 10 s while target 200 was offline: " + during);
            cluster.startNode(2);
            cluster.await(ManagedCluster::allServing, 30_000);
            Thread.sleep(300);
            stop.set(true);
            w.join(30_000);
            assertEquals(0, failures.get(), "writes failed during the failure");
            assertTrue(written.size() > 50, "written=" + written.size());
            checkAll(cluster, written);
            verifyIdentical(cluster, written.size());
        }
    }

    @Test
    void theStandbyTakesOverWhenThePrimaryDies() throws Exception {
        try (ManagedCluster cluster = new ManagedCluster(dir, 3, 3)) {
            cluster.await(ManagedCluster::allServing, 20_000);
            ClusterManager first = cluster.primary();
            long epochBefore = cluster.store.lease().epoch();
            List<ChunkRef> written = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger failures = new AtomicInteger();
            Thread w = writer(cluster, written, stop, failures, 0);
            Thread.sleep(300);
            int index = first == cluster.managers[0] ? 0 : 1;
            first.close();
            cluster.managers[index] = null;
            // Nodes fence themselves without a primary, then the standby's lease brings them back.
            ClusterManager second = cluster.managers[1 - index];
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (!second.primary() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(second.primary(), "standby took over");
            assertTrue(cluster.store.lease().epoch() > epochBefore);
            Thread.sleep(1_000);
            stop.set(true);
            w.join(30_000);
            assertEquals(0, failures.get(), "writes failed during the takeover");
            checkAll(cluster, written);
        }
    }

    @Test
    void aNodeCutOffFromTheManagersStopsServingBeforeItsChainsMoveOn() throws Exception {
        try (ManagedCluster cluster = new ManagedCluster(dir, 3, 3)) {
            RoutingTable table = cluster.await(ManagedCluster::allServing, 20_000);
            ChunkRef ref = cluster.client.writeChunk(new ChunkId(1, 1), ByteBuffer.wrap(ChunkData.bytes(1, 1000)));
            RoutingTable.Chain chain = table.chain(ref.chainId());
            int tail = chain.tail();
            int tailNode = tail / 100;
            cluster.links[tailNode - 1].pause(true);
            Thread.sleep(ManagedCluster.FENCE_MILLIS);
            long fenceDeadline = System.nanoTime() + 5_000_000_000L;
            while (!cluster.nodes[tailNode - 1].fenced() && System.nanoTime() < fenceDeadline) Thread.sleep(20);
            assertTrue(cluster.nodes[tailNode - 1].fenced(), "node cut off from the managers fenced itself");
            // A reader still routing by the old chain version gets no data from the fenced tail.
            try (RpcClient raw = RpcClient.connect(
                            "127.0.0.1", cluster.nodes[tailNode - 1].port(), RpcClient.Config.defaults());
                    RpcClient.Result r = raw.call(
                                    RpcMethod.CHUNK_READ,
                                    new ChainMessages.Read(ref.chainId(), chain.chainVersion(), ref.id(), 0, 1000)
                                            .encode(),
                                    RpcPayload.NONE,
                                    5_000)
                            .get()) {
                assertEquals(
                        ChainStatus.NOT_SERVING,
                        ChainMessages.ReadReply.decode(r.header()).status());
            }
            cluster.await(t -> t.chain(ref.chainId()).member(tail).state() != PublicState.SERVING, 10_000);
            // Writes continue on the shortened chain; the cut-off node comes back and syncs.
            ChunkRef after = cluster.client.writeChunk(new ChunkId(1, 2), ByteBuffer.wrap(ChunkData.bytes(2, 1000)));
            cluster.links[tailNode - 1].pause(false);
            cluster.await(ManagedCluster::allServing, 30_000);
            checkAll(cluster, List.of(ref, after));
            verifyIdentical(cluster, 2);
        }
    }

    /**
     * The primary stores a table (a quiet node's target offline) but the store's reply is lost, and the node is
     * back before the next tick. The stored table is what a standby serves to clients, so the primary must
     * publish it too: if it kept the older one, the nodes would stay on older chain versions than the clients
     * and every write would meet STALE_ROUTING until the next change.
     */
    @Test
    void aRoutingStoreWhoseReplyWasLostIsPublishedNotForgotten() throws Exception {
        try (ManagedCluster cluster = new ManagedCluster(dir, 3, 3)) {
            cluster.await(ManagedCluster::allServing, 20_000);
            java.util.concurrent.CountDownLatch lost = new java.util.concurrent.CountDownLatch(1);
            cluster.loseNextRoutingReply.set(() -> {
                cluster.links[2].pause(false);
                try {
                    // Node 3's heartbeats reach the managers again before this manager's next tick.
                    Thread.sleep(4 * ManagedCluster.HEARTBEAT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                lost.countDown();
            });
            cluster.links[2].pause(true);
            assertTrue(lost.await(20, java.util.concurrent.TimeUnit.SECONDS), "a routing store with a lost reply");
            RoutingTable settled = cluster.await(
                    t -> ManagedCluster.allServing(t)
                            && t.equals(cluster.store.routing())
                            && java.util.Arrays.stream(cluster.nodes)
                                    .allMatch(n -> n.routing().version() == t.version()),
                    20_000);
            assertTrue(settled.version() > 2, "the lost table and the ones after it: " + settled);
            // A client routed by the managers writes to every chain.
            for (int chain : settled.chainIds())
                cluster.client.update(
                        chain,
                        new ChunkId(chain, 7),
                        ChainMessages.UpdateKind.REPLACE,
                        0,
                        ByteBuffer.wrap(ChunkData.bytes(chain, 1000)));
        }
    }
}
