package io.seabed.basestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.chunk.BlockLocation;
import io.seabed.basestore.chunk.ChunkData;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.chunk.FaultyTargetIo;
import io.seabed.basestore.chunk.TargetIo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBaseStoreClientTest {
    private static final int KIB = 1024;
    static final BaseStoreConfig CONFIG =
            BaseStoreConfig.DEFAULTS.withEngine(ChunkEngineConfig.DEFAULTS.withBlockFileBytes(64L << 20, 1L << 20));

    @TempDir
    Path root;

    private List<Path> dirs(int count) {
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < count; i++) dirs.add(root.resolve("t" + i));
        return dirs;
    }

    static byte[] read(BaseStoreClient client, ChunkRef ref, int offset, int length) {
        ByteBuffer out = ByteBuffer.allocateDirect(length);
        client.readChunk(ref, offset, out);
        assertEquals(length, out.position());
        byte[] bytes = new byte[length];
        out.flip().get(bytes);
        return bytes;
    }

    @Test
    void writesReplicasOnDistinctTargetsAndReadsRanges() {
        int[] sizes = {0, 1, 4 * KIB, 64 * KIB - 1, 64 * KIB + 1, (1 << 20) + 3, 8 << 20};
        Map<ChunkRef, byte[]> written = new HashMap<>();
        try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs(5), CONFIG)) {
            for (int i = 0; i < sizes.length; i++) {
                byte[] data = ChunkData.bytes(i, sizes[i]);
                ChunkRef ref = client.writeChunk(new ChunkId(10, i), ByteBuffer.wrap(data));
                assertEquals(3, ref.targets().length);
                assertEquals(
                        3, java.util.Arrays.stream(ref.targets()).distinct().count());
                written.put(ref, data);
            }
            for (var e : written.entrySet())
                assertArrayEquals(e.getValue(), read(client, e.getKey(), 0, e.getValue().length));
            ChunkRef big = ChunkRef.decode(encode(find(written, 8 << 20)));
            byte[] bigData = written.get(big);
            int offset = 3 * 64 * KIB - 7;
            int length = (1 << 20) + 100;
            byte[] expected = new byte[length];
            System.arraycopy(bigData, offset, expected, 0, length);
            assertArrayEquals(expected, read(client, big, offset, length));
            StorageException e = assertThrows(StorageException.class, () -> read(client, big, (8 << 20) - 1, 2));
            assertEquals(Reason.OUT_OF_RANGE, e.reason());
            assertEquals(sizes.length, client.stats().chunkWrites());
        }
        try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs(5).reversed(), CONFIG)) {
            for (var e : written.entrySet())
                assertArrayEquals(e.getValue(), read(client, e.getKey(), 0, e.getValue().length));
            for (ChunkRef ref : written.keySet()) client.deleteChunk(ref);
            ChunkRef any = written.keySet().iterator().next();
            if (any.lengthBytes() > 0) {
                StorageException e = assertThrows(StorageException.class, () -> read(client, any, 0, 1));
                assertEquals(Reason.NO_SUCH_CHUNK, e.reason());
            }
            client.deleteChunk(any); // missing is fine
        }
    }

    private static ChunkRef find(Map<ChunkRef, byte[]> written, int size) {
        return written.keySet().stream()
                .filter(r -> r.lengthBytes() == size)
                .findFirst()
                .orElseThrow();
    }

    private static ByteBuffer encode(ChunkRef ref) {
        ByteBuffer buffer = ByteBuffer.allocate(ref.encodedBytes());
        ref.encode(buffer);
        return buffer.flip();
    }

    @Test
    void flippedByteIsDetectedAndServedFromAnotherReplica() throws IOException {
        try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs(3), CONFIG)) {
            byte[] data = ChunkData.bytes(11, 300 * KIB);
            ChunkRef ref = client.writeChunk(new ChunkId(11, 1), ByteBuffer.wrap(data));
            int first = ref.targets()[0];
            BlockLocation location = client.engine(first).locate(ref.id()).orElseThrow();
            flipByte(location.file(), location.offsetBytes() + 70 * KIB);
            assertArrayEquals(data, read(client, ref, 0, data.length));
            assertEquals(1, client.stats().corruptReadsDetected());
            assertEquals(1, client.stats().replicaReadFailures());
            // The same block read directly at the target is CORRUPT too.
            StorageException e = assertThrows(StorageException.class, () -> client.engine(first)
                    .read(ref.id(), 64 * KIB, ByteBuffer.allocate(10)));
            assertEquals(Reason.CORRUPT, e.reason());
            for (int t : ref.targets()) {
                if (t == first) continue; // already flipped
                BlockLocation l = client.engine(t).locate(ref.id()).orElseThrow();
                flipByte(l.file(), l.offsetBytes() + 70 * KIB);
            }
            e = assertThrows(StorageException.class, () -> read(client, ref, 0, data.length));
            assertEquals(Reason.CORRUPT, e.reason());
            assertArrayEquals(java.util.Arrays.copyOf(data, 64 * KIB), read(client, ref, 0, 64 * KIB));
        }
    }

    static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0xFF);
        }
    }

    @Test
    void fsyncFailureTakesOneTargetOfflineAndWritesMoveOn() {
        // Goal: with 4 targets and 3 replicas, a target whose fsync fails goes offline, every
        // write still succeeds on the other three, and chunks that had a replica there still read.
        List<Path> dirs = dirs(4);
        Map<Path, FaultyTargetIo> ios = new HashMap<>();
        for (Path d : dirs) ios.put(d, new FaultyTargetIo());
        try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs, CONFIG, ios::get)) {
            Map<ChunkRef, byte[]> before = writeMany(client, 12, 40);
            int victim = client.targetStates().keySet().iterator().next();
            ios.get(dirs.get(0)).failForce = true;
            Map<ChunkRef, byte[]> after = writeMany(client, 13, 40);
            assertEquals(TargetState.OFFLINE, client.targetStates().get(victim));
            assertTrue(client.stats().replicaWriteRetries() >= 1);
            for (ChunkRef ref : after.keySet()) {
                assertFalse(
                        java.util.Arrays.stream(ref.targets()).anyMatch(t -> t == victim),
                        "no chunk is acknowledged on a target whose fsync failed: " + ref);
            }
            int onVictim = 0;
            for (var e : before.entrySet()) {
                if (java.util.Arrays.stream(e.getKey().targets()).anyMatch(t -> t == victim)) onVictim++;
                assertArrayEquals(e.getValue(), read(client, e.getKey(), 0, e.getValue().length));
            }
            assertTrue(onVictim > 0, "some earlier chunks had a replica on the victim");
            for (var e : after.entrySet())
                assertArrayEquals(e.getValue(), read(client, e.getKey(), 0, e.getValue().length));
            ios.get(dirs.get(1)).failWrites = true;
            StorageException e = assertThrows(
                    StorageException.class, () -> client.writeChunk(new ChunkId(14, 1), ChunkData.buffer(1, 100)));
            assertEquals(Reason.NOT_ENOUGH_TARGETS, e.reason());
        }
    }

    private static Map<ChunkRef, byte[]> writeMany(LocalBaseStoreClient client, long high, int count) {
        Map<ChunkRef, byte[]> written = new HashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] data = ChunkData.bytes(high * 1000 + i, 1 + i * 997);
            written.put(client.writeChunk(new ChunkId(high, i), ByteBuffer.wrap(data)), data);
        }
        return written;
    }

    @Test
    void writeErrorOnOneTargetIsRetriedElsewhere() {
        List<Path> dirs = dirs(4);
        FaultyTargetIo bad = new FaultyTargetIo();
        bad.failWrites = true;
        try (LocalBaseStoreClient client =
                LocalBaseStoreClient.open(dirs, CONFIG, d -> d.equals(dirs.get(2)) ? bad : TargetIo.FILE_CHANNEL)) {
            int badId = new ArrayList<>(client.targetStates().keySet()).get(2);
            Map<ChunkRef, byte[]> written = writeMany(client, 15, 20);
            assertEquals(TargetState.OFFLINE, client.targetStates().get(badId));
            for (var e : written.entrySet()) {
                assertFalse(java.util.Arrays.stream(e.getKey().targets()).anyMatch(t -> t == badId));
                assertArrayEquals(e.getValue(), read(client, e.getKey(), 0, e.getValue().length));
            }
        }
    }

    @Test
    void targetIdsAreStableAcrossReopenInAnyOrder() {
        List<Path> dirs = dirs(3);
        Map<Integer, TargetState> first;
        try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs, CONFIG)) {
            first = client.targetStates();
        }
        try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs.reversed(), CONFIG)) {
            List<Integer> reopened = new ArrayList<>(client.targetStates().keySet());
            assertEquals(new ArrayList<>(first.keySet()).reversed(), reopened);
        }
        StorageException e = assertThrows(StorageException.class, () -> {
            try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs(2), CONFIG)) {
                client.writeChunk(new ChunkId(16, 1), ChunkData.buffer(1, 10));
            }
        });
        assertEquals(Reason.NOT_ENOUGH_TARGETS, e.reason());
    }
}
