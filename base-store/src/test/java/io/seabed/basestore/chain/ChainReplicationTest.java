package io.seabed.basestore.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.ChunkRef;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chain.ChainMessages.Update;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainMessages.UpdateReply;
import io.seabed.basestore.chunk.ChunkData;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkInfo;
import io.seabed.basestore.chunk.ChunkUpdate;
import io.seabed.basestore.chunk.Futures;
import io.seabed.basestore.chunk.RecentTags;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CRAQ chains over real loopback RPC between storage nodes in this JVM. */
class ChainReplicationTest {
    @TempDir
    Path dir;

    private static byte[] read(ChainClient client, int chainId, ChunkId id, int length) {
        ByteBuffer out = ByteBuffer.allocate(length);
        client.read(chainId, id, 0, out);
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Every write-path replica holds the same committed version and bytes, and nothing pending. */
    private static void assertReplicasIdentical(LocalChains cluster, int chainId, ChunkId id, long version) {
        RoutingTable.Chain chain = cluster.table().chain(chainId);
        ChunkInfo first = null;
        for (int target : chain.writePath()) {
            ChunkInfo info = cluster.engine(target).info(id);
            assertEquals(version, info.committedVersion(), "target " + target + " " + info);
            assertEquals(0, info.pendingVersion(), "target " + target + " " + info);
            if (first != null) assertEquals(first.digest(), info.digest(), "target " + target);
            first = info;
        }
    }

    @Test
    void chunksReplicateAlongTheirChainAndReadsSpreadOverReplicas() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 5, 3, 10)) {
            Set<Integer> chainsUsed = new HashSet<>();
            List<ChunkRef> refs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ChunkId id = new ChunkId(7, i);
                ChunkRef ref = cluster.client.writeChunk(id, ChunkData.buffer(i, 1000 + i * 5000));
                refs.add(ref);
                chainsUsed.add(ref.chainId());
                assertReplicasIdentical(cluster, ref.chainId(), id, 1);
                for (int target : cluster.table().chain(ref.chainId()).writePath())
                    assertTrue(target / 100 >= 1, "targets on distinct nodes");
            }
            assertTrue(chainsUsed.size() >= 6, "chunks spread over chains: " + chainsUsed);
            long[] readsBefore = readsPerNode(cluster);
            for (int i = 0; i < refs.size(); i++) {
                ChunkRef ref = refs.get(i);
                byte[] expected = ChunkData.bytes(i, ref.lengthBytes());
                ByteBuffer out = ByteBuffer.allocate(ref.lengthBytes());
                cluster.client.readChunk(ref, 0, out);
                assertArrayEquals(expected, out.array());
                int offset = ref.lengthBytes() / 3;
                ByteBuffer part = ByteBuffer.allocate(ref.lengthBytes() / 2);
                cluster.client.readChunk(ref, offset, part);
                assertArrayEquals(Arrays.copyOfRange(expected, offset, offset + part.capacity()), part.array());
            }
            long[] readsAfter = readsPerNode(cluster);
            for (int n = 0; n < readsAfter.length; n++)
                assertTrue(
                        readsAfter[n] > readsBefore[n],
                        "node " + (n + 1) + " served reads: " + Arrays.toString(readsAfter));
            for (ChunkRef ref : refs) cluster.client.deleteChunk(ref);
            for (ChunkRef ref : refs)
                for (int target : cluster.table().chain(ref.chainId()).writePath())
                    assertFalse(cluster.engine(target).info(ref.id()).exists());
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> cluster.client.readChunk(refs.getFirst(), 0, ByteBuffer.allocate(10)));
            assertEquals(Reason.NO_SUCH_CHUNK, e.reason());
        }
    }

    private static long[] readsPerNode(LocalChains cluster) {
        long[] reads = new long[cluster.nodes.size()];
        for (int n = 0; n < reads.length; n++)
            for (ChunkEngine engine : cluster.nodes.get(n).engines().values())
                reads[n] += engine.stats().reads();
        return reads;
    }

    @Test
    void overwriteAppendAndTruncateStayIdenticalOnEveryReplica() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 3)) {
            ChunkId id = new ChunkId(1, 1);
            int chainId = cluster.client.chainFor(id);
            byte[] expected = ChunkData.bytes(1, 100_000);
            assertEquals(1, cluster.client.update(chainId, id, UpdateKind.REPLACE, 0, ByteBuffer.wrap(expected)));
            byte[] patch = ChunkData.bytes(2, 30_000);
            assertEquals(2, cluster.client.update(chainId, id, UpdateKind.WRITE_AT, 50_000, ByteBuffer.wrap(patch)));
            System.arraycopy(patch, 0, expected, 50_000, patch.length);
            byte[] tail = ChunkData.bytes(3, 5_000);
            assertEquals(3, cluster.client.update(chainId, id, UpdateKind.WRITE_AT, 100_000, ByteBuffer.wrap(tail)));
            byte[] appended = Arrays.copyOf(expected, 105_000);
            System.arraycopy(tail, 0, appended, 100_000, tail.length);
            assertReplicasIdentical(cluster, chainId, id, 3);
            assertArrayEquals(appended, read(cluster.client, chainId, id, 200_000));
            assertEquals(4, cluster.client.update(chainId, id, UpdateKind.TRUNCATE, 70_000, null));
            assertReplicasIdentical(cluster, chainId, id, 4);
            assertArrayEquals(Arrays.copyOf(appended, 70_000), read(cluster.client, chainId, id, 200_000));
        }
    }

    @Test
    void aRetriedUpdateAppliesOnce() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 3);
                RpcClient raw = rawClient(cluster)) {
            ChunkId id = new ChunkId(2, 2);
            int chainId = cluster.client.chainFor(id);
            cluster.client.update(chainId, id, UpdateKind.REPLACE, 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            RoutingTable.Chain chain = cluster.table().chain(chainId);
            UpdateTag tag = new UpdateTag(99, 1, 1);
            Update append = new Update(chainId, chain.chainVersion(), id, tag, UpdateKind.WRITE_AT, 3, 0);
            for (int i = 0; i < 3; i++) {
                RpcClient head = RpcClient.connect(
                        "127.0.0.1",
                        cluster.table().nodeOf(chain.writePath().getFirst()).port(),
                        RpcClient.Config.defaults());
                try (head;
                        RpcClient.Result r = head.call(
                                        RpcMethod.CHUNK_UPDATE,
                                        append.encode(),
                                        RpcPayload.of(new byte[] {4, 5}),
                                        5_000)
                                .get()) {
                    UpdateReply reply = UpdateReply.decode(r.header());
                    assertEquals(ChainStatus.OK, reply.status(), reply.message());
                    assertEquals(2, reply.version(), "every retry reports the one version it made");
                }
            }
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, read(cluster.client, chainId, id, 100));
            assertReplicasIdentical(cluster, chainId, id, 2);
        }
    }

    /**
     * Goal: writer A's update commits but A never hears back; writer B's update follows; A's retry must not
     * apply again (readers would see A, B, A). Method: updates with chosen tags sent straight to the head. The
     * bound is documented too: once RECENT_TAGS_MAX tagged versions followed A's, its retry applies again.
     */
    @Test
    void aRetryAfterAnotherWritersUpdateAppliesOnceWithinTheRecentTags() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 1)) {
            ChunkId id = new ChunkId(8, 8);
            RoutingTable.Chain chain = cluster.table().chain(1);
            assertEquals(1, cluster.client.update(1, id, UpdateKind.REPLACE, 0, ByteBuffer.wrap(new byte[4])));
            UpdateTag a = new UpdateTag(101, 0, 1);
            try (RpcClient head = RpcClient.connect(
                    "127.0.0.1",
                    cluster.table().nodeOf(chain.writePath().getFirst()).port(),
                    RpcClient.Config.defaults())) {
                assertEquals(2, updateTagged(head, chain, id, a, (byte) 'A').version());
                assertEquals(
                        3,
                        updateTagged(head, chain, id, new UpdateTag(102, 0, 3), (byte) 'B')
                                .version());
                UpdateReply retry = updateTagged(head, chain, id, a, (byte) 'A');
                assertEquals(ChainStatus.OK, retry.status(), retry.message());
                assertEquals(2, retry.version(), "the retry reports the version A's update made");
                assertEquals("applied before", retry.message());
                assertArrayEquals(new byte[] {0, 0, 0, 'B'}, read(cluster.client, 1, id, 10));
                assertReplicasIdentical(cluster, 1, id, 3);
                for (int target : chain.writePath())
                    assertEquals(2, cluster.engine(target).info(id).versionOf(a), "target " + target);
                // Version 1 (the client's), 2 (A) and 3 (B) are tagged; the list holds RECENT_TAGS_MAX of them.
                long lastKeepingA = 1 + RecentTags.RECENT_TAGS_MAX;
                for (long v = 4; v <= lastKeepingA; v++)
                    assertEquals(
                            v,
                            updateTagged(head, chain, id, new UpdateTag(102, 0, v), (byte) 'B')
                                    .version());
                assertEquals(2, updateTagged(head, chain, id, a, (byte) 'A').version(), "still within the bound");
                long next = lastKeepingA + 1;
                assertEquals(
                        next,
                        updateTagged(head, chain, id, new UpdateTag(102, 0, next), (byte) 'B')
                                .version());
                // A's tag left the list: beyond the bound the retry is applied again, as a new version.
                assertEquals(
                        next + 1, updateTagged(head, chain, id, a, (byte) 'A').version());
                assertArrayEquals(new byte[] {0, 0, 0, 'A'}, read(cluster.client, 1, id, 10));
                assertReplicasIdentical(cluster, 1, id, next + 1);
            }
        }
    }

    /** Writes {@code value} at offset 3 of the chunk with {@code tag}, straight to the head. */
    private static UpdateReply updateTagged(
            RpcClient head, RoutingTable.Chain chain, ChunkId id, UpdateTag tag, byte value) throws Exception {
        Update write = new Update(chain.chainId(), chain.chainVersion(), id, tag, UpdateKind.WRITE_AT, 3, 0);
        try (RpcClient.Result r = head.call(
                        RpcMethod.CHUNK_UPDATE, write.encode(), RpcPayload.of(new byte[] {value}), 5_000)
                .get()) {
            UpdateReply reply = UpdateReply.decode(r.header());
            assertEquals(ChainStatus.OK, reply.status(), reply.message());
            return reply;
        }
    }

    private static RpcClient rawClient(LocalChains cluster) throws Exception {
        return RpcClient.connect("127.0.0.1", cluster.nodes.getFirst().port(), RpcClient.Config.defaults());
    }

    @Test
    void aStaleChainVersionIsRefusedAndTheClientRetriesAfterRefreshing() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 3)) {
            ChunkId id = new ChunkId(3, 3);
            int chainId = cluster.client.chainFor(id);
            RoutingTable.Chain chain = cluster.table().chain(chainId);
            RoutingTable bumped =
                    cluster.table().with(new RoutingTable.Chain(chainId, chain.chainVersion() + 1, chain.members()));
            // Only the nodes learn the new version: the client's first try is refused as stale.
            for (StorageNode node : cluster.nodes) node.setRouting(bumped);
            Thread refresher = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    return;
                }
                cluster.routing.set(bumped);
            });
            cluster.client.writeChunk(id, ByteBuffer.wrap(new byte[] {9}));
            refresher.join();
            assertTrue(cluster.client.retries() >= 1, "retries=" + cluster.client.retries());
            assertReplicasIdentical(cluster, chainId, id, 1);
        }
    }

    @Test
    void aDirtyReplicaSendsTheReadToTheTailWhichCommitsWhatItHolds() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 1)) {
            ChunkId id = new ChunkId(4, 4);
            int chainId = 1;
            List<Integer> path = cluster.table().chain(chainId).writePath();
            cluster.client.update(chainId, id, UpdateKind.REPLACE, 0, ByteBuffer.wrap(ChunkData.bytes(1, 5000)));
            // Version 2 reached every replica's pending slot, then the head died before any commit.
            byte[] v2 = ChunkData.bytes(2, 6000);
            for (int target : path)
                Futures.await(
                        cluster.engine(target)
                                .updateAsync(
                                        id,
                                        chainId,
                                        2,
                                        new UpdateTag(5, 0, 1),
                                        new ChunkUpdate.Replace(ByteBuffer.wrap(v2)),
                                        false),
                        "stage");
            for (int i = 0; i < 6; i++) assertArrayEquals(v2, read(cluster.client, chainId, id, 10_000));
            assertTrue(cluster.client.dirtyReads() >= 1, "a replica before the tail answered DIRTY");
            assertEquals(2, cluster.engine(path.getLast()).info(id).committedVersion(), "the tail committed");
            // The next update finishes version 2 everywhere before applying version 3.
            assertEquals(
                    3, cluster.client.update(chainId, id, UpdateKind.WRITE_AT, 0, ByteBuffer.wrap(new byte[] {7})));
            assertReplicasIdentical(cluster, chainId, id, 3);
            v2[0] = 7;
            assertArrayEquals(v2, read(cluster.client, chainId, id, 10_000));
        }
    }

    @Test
    void aReplicaMissingTheBaseReceivesTheWholeVersion() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 1)) {
            ChunkId id = new ChunkId(5, 5);
            List<Integer> path = cluster.table().chain(1).writePath();
            byte[] data = ChunkData.bytes(1, 200_000);
            cluster.client.update(1, id, UpdateKind.REPLACE, 0, ByteBuffer.wrap(data));
            cluster.engine(path.getLast()).delete(id);
            assertEquals(2, cluster.client.update(1, id, UpdateKind.WRITE_AT, 10, ByteBuffer.wrap(new byte[] {1, 1})));
            data[10] = 1;
            data[11] = 1;
            assertReplicasIdentical(cluster, 1, id, 2);
            ByteBuffer out = ByteBuffer.allocate(data.length);
            cluster.engine(path.getLast()).read(id, 0, out);
            assertArrayEquals(data, out.array());
        }
    }

    @Test
    void writesStopWhileASuccessorIsDownAndResumeOnTheShortenedChain() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 1)) {
            RoutingTable.Chain chain = cluster.table().chain(1);
            int middle = chain.writePath().get(1);
            cluster.nodeOf(middle).close();
            ChunkId id = new ChunkId(6, 6);
            long start = System.nanoTime();
            StorageException e = assertThrows(
                    StorageException.class, () -> cluster.client.writeChunk(id, ByteBuffer.wrap(new byte[] {1})));
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "bounded retries");
            assertEquals(Reason.NOT_ENOUGH_TARGETS, e.reason(), e.getMessage());
            // The manager's move: the dead target goes offline, at the chain's end, with a new chain version.
            List<RoutingTable.Member> members = new ArrayList<>();
            for (RoutingTable.Member m : chain.members()) if (m.targetId() != middle) members.add(m);
            members.add(new RoutingTable.Member(middle, PublicState.OFFLINE));
            cluster.publish(cluster.table().with(new RoutingTable.Chain(1, chain.chainVersion() + 1, members)));
            ChunkRef ref = cluster.client.writeChunk(id, ByteBuffer.wrap(new byte[] {1, 2}));
            ByteBuffer out = ByteBuffer.allocate(2);
            cluster.client.readChunk(ref, 0, out);
            assertArrayEquals(new byte[] {1, 2}, out.array());
            assertReplicasIdentical(cluster, 1, id, 2);
        }
    }
}
