package io.seabed.basestore.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.ChunkRef;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chunk.ChunkData;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkInfo;
import io.seabed.basestore.chunk.ChunkUpdate;
import io.seabed.basestore.chunk.Futures;
import io.seabed.basestore.chunk.TargetIo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A target that was down rejoins its chains: it syncs from its predecessors under load, then serves. */
class ChainSyncTest {
    @TempDir
    Path dir;

    @Test
    void aReturningTargetSyncsUnderLoadAndEveryReplicaVerifiesIdentical() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 4, 3, 8)) {
            ChainClient client = cluster.client;
            Map<ChunkId, byte[]> expected = new ConcurrentHashMap<>();
            Map<ChunkId, Integer> chainOf = new ConcurrentHashMap<>();
            for (int i = 0; i < 300; i++)
                write(client, new ChunkId(1, i), i, 1 + (i * 7919) % 200_000, expected, chainOf);

            int down = 200; // node 2's target
            cluster.nodeOf(down).close();
            RoutingTable table = cluster.table();
            for (RoutingTable.Chain chain : table.chains().values()) {
                if (chain.member(down) == null) continue;
                table = table.with(moveToEnd(chain, down, PublicState.OFFLINE));
            }
            cluster.publish(table);

            // While it is down: new chunks, overwrites, appends and deletes.
            for (int i = 300; i < 450; i++)
                write(client, new ChunkId(1, i), i, 1 + (i * 7919) % 100_000, expected, chainOf);
            for (int i = 0; i < 60; i++) overwrite(client, new ChunkId(1, i), expected, chainOf, (byte) 1);
            List<ChunkId> deleted = new ArrayList<>();
            for (int i = 60; i < 90; i++) {
                ChunkId id = new ChunkId(1, i);
                client.deleteChunk(ChunkRef.onChain(id, expected.get(id).length, chainOf.get(id)));
                expected.remove(id);
                deleted.add(id);
            }

            // It returns (new process, new port) and syncs while writers keep going.
            ChunkEngine engine =
                    ChunkEngine.open(dir.resolve("t" + down), down, LocalChains.ENGINE, TargetIo.FILE_CHANNEL);
            StorageNode back = StorageNode.start(StorageNode.Config.loopback(2), Map.of(down, engine), cluster.table());
            cluster.nodes.set(1, back);
            table = cluster.table();
            Map<Integer, RoutingTable.Node> nodes = new HashMap<>(table.nodes());
            nodes.put(2, new RoutingTable.Node(2, "127.0.0.1", back.port()));
            Map<Integer, RoutingTable.Chain> chains = new HashMap<>(table.chains());
            for (RoutingTable.Chain chain : table.chains().values())
                if (chain.member(down) != null)
                    chains.put(chain.chainId(), moveToEnd(chain, down, PublicState.SYNCING));
            cluster.publish(new RoutingTable(table.version() + 1, nodes, table.targetNodes(), chains));

            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 450; !stop.get() && i < 5_000; i++) {
                    write(client, new ChunkId(1, i), i, 1 + (i * 31) % 70_000, expected, chainOf);
                    overwrite(client, new ChunkId(1, i % 60), expected, chainOf, (byte) i);
                }
            });
            long synced = 0;
            for (RoutingTable.Chain chain : cluster.table().chains().values()) {
                List<Integer> path = chain.writePath();
                if (!path.contains(down)) continue;
                int predecessor = path.get(path.indexOf(down) - 1);
                StorageNode.SyncProgress progress = cluster.nodeOf(predecessor)
                        .syncSuccessor(chain.chainId(), new StorageNode.SyncProgress())
                        .get(60, TimeUnit.SECONDS);
                synced += progress.sent.get();
                assertTrue(progress.scanned.get() > 0, "chain " + chain.chainId() + " " + progress);
            }
            assertTrue(synced > 100, "chunks sent by syncs: " + synced);
            stop.set(true);
            writer.join(60_000);
            assertFalse(writer.isAlive());

            table = cluster.table();
            for (RoutingTable.Chain chain : table.chains().values())
                if (chain.member(down) != null) table = table.with(moveToEnd(chain, down, PublicState.SERVING));
            cluster.publish(table);

            try (ChainVerifier verifier = new ChainVerifier()) {
                ChainVerifier.Report report = verifier.verify(cluster.table(), 10, checked -> {});
                assertTrue(report.identical(), report.toString());
                assertEquals(expected.size(), report.chunks(), "every live chunk checked once: " + report);
                assertEquals(0, report.inFlight());
            }
            for (ChunkId id : deleted) assertFalse(engine.info(id).exists(), "sync removed " + id);
            for (Map.Entry<ChunkId, byte[]> e : expected.entrySet()) {
                ByteBuffer out = ByteBuffer.allocate(e.getValue().length);
                client.read(chainOf.get(e.getKey()), e.getKey(), 0, out);
                assertArrayEquals(e.getValue(), out.array(), "chunk " + e.getKey());
            }
        }
    }

    @Test
    void anOrphanPendingVersionOnAReturningTargetIsDroppedBySyncAndATailFinishesItsPendingForTheSyncingEnd()
            throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 1)) {
            ChunkId id = new ChunkId(3, 3);
            byte[] v1 = ChunkData.bytes(1, 3000);
            cluster.client.update(1, id, UpdateKind.REPLACE, 0, ByteBuffer.wrap(v1));
            RoutingTable.Chain chain = cluster.table().chain(1);
            int head = chain.writePath().get(0);
            int middle = chain.writePath().get(1);
            int tail = chain.writePath().get(2);
            // The head staged version 2 and died before forwarding it: an orphan nobody else has.
            Futures.await(
                    cluster.engine(head)
                            .updateAsync(
                                    id,
                                    1,
                                    2,
                                    new UpdateTag(7, 0, 1),
                                    new ChunkUpdate.Replace(ChunkData.buffer(9, 3000)),
                                    false),
                    "orphan");
            // It rejoins at the end as SYNCING; the middle meanwhile holds version 2 pending (in flight).
            RoutingTable.Chain syncing = new RoutingTable.Chain(
                    1,
                    chain.chainVersion() + 1,
                    List.of(
                            new RoutingTable.Member(middle, PublicState.SERVING),
                            new RoutingTable.Member(tail, PublicState.SERVING),
                            new RoutingTable.Member(head, PublicState.SYNCING)));
            cluster.publish(cluster.table().with(syncing));
            StorageNode.SyncProgress progress = cluster.nodeOf(tail)
                    .syncSuccessor(1, new StorageNode.SyncProgress())
                    .get(30, TimeUnit.SECONDS);
            assertEquals(1, progress.sent.get(), progress.toString());
            assertEquals(0, cluster.engine(head).info(id).pendingVersion(), "the orphan is gone");
            assertEquals(1, cluster.engine(head).info(id).committedVersion());
            // The tail holds a pending version 2 that the syncing end lacks; a read at the tail finishes it.
            byte[] v2 = ChunkData.bytes(2, 4000);
            for (int target : List.of(middle, tail))
                Futures.await(
                        cluster.engine(target)
                                .updateAsync(
                                        id,
                                        1,
                                        2,
                                        new UpdateTag(8, 0, 1),
                                        new ChunkUpdate.Replace(ByteBuffer.wrap(v2)),
                                        false),
                        "stage");
            for (int i = 0; i < 4; i++) {
                ByteBuffer out = ByteBuffer.allocate(4000);
                cluster.client.read(1, id, 0, out);
                assertArrayEquals(v2, out.array());
            }
            for (int target : List.of(middle, tail, head))
                assertEquals(2, cluster.engine(target).info(id).latestVersion(), "target " + target);
            assertEquals(2, cluster.engine(head).info(id).committedVersion(), "the syncing end received version 2");
        }
    }

    @Test
    void aSyncedReplicaReceivesTheRecentTagsOfItsPredecessor() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 1)) {
            ChunkId id = new ChunkId(4, 4);
            for (int i = 0; i < 3; i++)
                cluster.client.update(1, id, UpdateKind.WRITE_AT, i, ByteBuffer.wrap(new byte[] {(byte) i}));
            RoutingTable.Chain chain = cluster.table().chain(1);
            int middle = chain.writePath().get(1);
            int tail = chain.writePath().get(2);
            ChunkInfo expected = cluster.engine(middle).info(id);
            assertEquals(3, expected.recentTags().size(), expected.toString());
            // The tail lost the chunk and rejoins as SYNCING: the sync gives it the version and its recent tags.
            cluster.engine(tail).delete(id);
            cluster.publish(cluster.table().with(moveToEnd(chain, tail, PublicState.SYNCING)));
            StorageNode.SyncProgress progress = cluster.nodeOf(middle)
                    .syncSuccessor(1, new StorageNode.SyncProgress())
                    .get(30, TimeUnit.SECONDS);
            assertEquals(1, progress.sent.get(), progress.toString());
            ChunkInfo synced = cluster.engine(tail).info(id);
            assertEquals(3, synced.committedVersion());
            assertEquals(expected.recentTags(), synced.recentTags());
            assertEquals(expected.digest(), synced.digest());
        }
    }

    @Test
    void verifyReportsAReplicaHoldingOtherBytes() throws Exception {
        try (LocalChains cluster = new LocalChains(dir, 3, 3, 2)) {
            ChunkId id = new ChunkId(2, 2);
            ChunkRef ref = cluster.client.writeChunk(id, ByteBuffer.wrap(ChunkData.bytes(1, 5000)));
            cluster.client.writeChunk(new ChunkId(2, 3), ByteBuffer.wrap(ChunkData.bytes(3, 5000)));
            int tail = cluster.table().chain(ref.chainId()).tail();
            Futures.await(
                    cluster.engine(tail)
                            .updateAsync(
                                    id,
                                    ref.chainId(),
                                    1,
                                    UpdateTag.NONE,
                                    new ChunkUpdate.Replace(ChunkData.buffer(2, 5000)),
                                    true),
                    "diverge");
            try (ChainVerifier verifier = new ChainVerifier()) {
                List<Long> progress = new ArrayList<>();
                ChainVerifier.Report report = verifier.verify(cluster.table(), 10, progress::add);
                assertEquals(2, report.chunks());
                assertEquals(1, report.mismatches().size(), report.toString());
                assertEquals(id, report.mismatches().getFirst().chunk());
                assertFalse(progress.isEmpty());
            }
        }
    }

    private static RoutingTable.Chain moveToEnd(RoutingTable.Chain chain, int target, PublicState state) {
        List<RoutingTable.Member> members = new ArrayList<>();
        for (RoutingTable.Member m : chain.members()) if (m.targetId() != target) members.add(m);
        members.add(new RoutingTable.Member(target, state));
        return new RoutingTable.Chain(chain.chainId(), chain.chainVersion() + 1, members);
    }

    private static void write(
            ChainClient client,
            ChunkId id,
            int seed,
            int length,
            Map<ChunkId, byte[]> expected,
            Map<ChunkId, Integer> chainOf) {
        byte[] data = ChunkData.bytes(seed, length);
        ChunkRef ref = client.writeChunk(id, ByteBuffer.wrap(data));
        chainOf.put(id, ref.chainId());
        expected.put(id, data);
    }

    private static void overwrite(
            ChainClient client, ChunkId id, Map<ChunkId, byte[]> expected, Map<ChunkId, Integer> chainOf, byte value) {
        byte[] data = expected.get(id);
        if (data == null) return;
        int offset = data.length / 2;
        client.update(chainOf.get(id), id, UpdateKind.WRITE_AT, offset, ByteBuffer.wrap(new byte[] {value, value}));
        byte[] next = java.util.Arrays.copyOf(data, Math.max(data.length, offset + 2));
        next[offset] = value;
        next[offset + 1] = value;
        expected.put(id, next);
    }
}
