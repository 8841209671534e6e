package io.seabed.basestore.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.TargetState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkEngineTest {
    private static final int KIB = 1024;
    private static final int[] SIZES = {0, 1, 4 * KIB, 64 * KIB - 1, 64 * KIB, 64 * KIB + 1, (1 << 20) + 3, 8 << 20};
    private static final ChunkEngineConfig SMALL_FILES =
            ChunkEngineConfig.DEFAULTS.withBlockFileBytes(64L << 20, 1L << 20);

    @TempDir
    Path dir;

    private ChunkEngine open(TargetIo io) {
        return ChunkEngine.open(dir, 7, SMALL_FILES, io);
    }

    private static byte[] read(ChunkEngine engine, ChunkId id, int offset, int length) {
        ByteBuffer out = ByteBuffer.allocate(length);
        engine.read(id, offset, out);
        assertEquals(length, out.position());
        return out.array();
    }

    private static byte[] slice(byte[] data, int from, int length) {
        byte[] part = new byte[length];
        System.arraycopy(data, from, part, 0, length);
        return part;
    }

    @Test
    void roundTripsSizesAndRangesAndSurvivesReopen() {
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            for (int i = 0; i < SIZES.length; i++) {
                engine.write(new ChunkId(1, i), ChunkData.buffer(i, SIZES[i]));
            }
            checkAll(engine);
            byte[] big = ChunkData.bytes(7, 8 << 20);
            ChunkId bigId = new ChunkId(1, 7);
            int[][] ranges = {
                {64 * KIB - 5, 10},
                {0, 64 * KIB + 1},
                {3 * 64 * KIB - 1, 2 * 64 * KIB + 2},
                {(8 << 20) - 1, 1},
                {100, (2 << 20) + 17}
            };
            for (int[] r : ranges) assertArrayEquals(slice(big, r[0], r[1]), read(engine, bigId, r[0], r[1]));
        }
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            checkAll(engine);
            assertEquals(SIZES.length, engine.blocksUsed());
        }
    }

    private static void checkAll(ChunkEngine engine) {
        for (int i = 0; i < SIZES.length; i++) {
            assertArrayEquals(
                    ChunkData.bytes(i, SIZES[i]), read(engine, new ChunkId(1, i), 0, SIZES[i]), "size " + SIZES[i]);
        }
    }

    @Test
    void reopenWithSmallerFileLimitKeepsBlocksOfLargerFiles() {
        // The crash test found this: files grown under a larger limit must keep all their blocks.
        ChunkEngineConfig large = ChunkEngineConfig.DEFAULTS.withBlockFileBytes(256L << 20, 4L << 20);
        try (ChunkEngine engine = ChunkEngine.open(dir, 7, large, TargetIo.FILE_CHANNEL)) {
            for (int i = 0; i < 24; i++) engine.write(new ChunkId(12, i), ChunkData.buffer(i, (2 << 20) + 1));
        }
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            for (int i = 0; i < 24; i++)
                assertArrayEquals(
                        ChunkData.bytes(i, (2 << 20) + 1), read(engine, new ChunkId(12, i), 0, (2 << 20) + 1));
            engine.write(new ChunkId(12, 99), ChunkData.buffer(99, (2 << 20) + 1));
            assertEquals(25, engine.blocksUsed());
        }
    }

    @Test
    void overwriteIsCopyOnWriteAndFreesTheOldBlockAfterCommit() {
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            ChunkId id = new ChunkId(2, 2);
            engine.write(id, ChunkData.buffer(1, 5000));
            BlockLocation first = engine.locate(id).orElseThrow();
            engine.write(id, ChunkData.buffer(2, 6000));
            BlockLocation second = engine.locate(id).orElseThrow();
            assertTrue(first.offsetBytes() != second.offsetBytes(), "new version must land in a new block");
            assertTrue(second.version() > first.version());
            assertEquals(1, engine.blocksUsed());
            assertArrayEquals(ChunkData.bytes(2, 6000), read(engine, id, 0, 6000));
        }
    }

    @Test
    void deleteFreesBlocksThatAreReusedWithoutFileGrowth() {
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            for (int round = 0; round < 3; round++) cycle(engine, round);
            long bytesAfterWarmup = engine.fileBytesTotal();
            for (int round = 3; round < 40; round++) cycle(engine, round);
            assertEquals(bytesAfterWarmup, engine.fileBytesTotal(), "block files must not grow");
            assertEquals(0, engine.blocksUsed());
            ChunkId gone = new ChunkId(3, 0);
            StorageException e = assertThrows(StorageException.class, () -> read(engine, gone, 0, 1));
            assertEquals(Reason.NO_SUCH_CHUNK, e.reason());
            engine.delete(gone); // deleting a missing chunk is fine
        }
    }

    private static void cycle(ChunkEngine engine, int round) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int size = i % 2 == 0 ? 4 * KIB : 200 * KIB;
            futures.add(engine.writeAsync(new ChunkId(3, i), ChunkData.buffer(round * 100 + i, size)));
        }
        futures.forEach(CompletableFuture::join);
        for (int i = 0; i < 20; i++) engine.delete(new ChunkId(3, i));
    }

    @Test
    void byteFlipIsDetectedAsCorrupt() throws IOException {
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            ChunkId id = new ChunkId(4, 4);
            engine.write(id, ChunkData.buffer(4, 200 * KIB));
            BlockLocation location = engine.locate(id).orElseThrow();
            flipByte(location.file(), location.offsetBytes() + 130 * KIB + 5);
            assertArrayEquals(slice(ChunkData.bytes(4, 200 * KIB), 0, 128 * KIB), read(engine, id, 0, 128 * KIB));
            StorageException e = assertThrows(StorageException.class, () -> read(engine, id, 129 * KIB, 10));
            assertEquals(Reason.CORRUPT, e.reason());
            assertEquals(1, engine.stats().corruptBlocksDetected());
        }
    }

    static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5A);
        }
    }

    @Test
    void shortWritesAreContinued() {
        FaultyTargetIo io = new FaultyTargetIo();
        io.shortWrites = true;
        try (ChunkEngine engine = open(io)) {
            engine.write(new ChunkId(5, 1), ChunkData.buffer(51, 300 * KIB));
            assertArrayEquals(ChunkData.bytes(51, 300 * KIB), read(engine, new ChunkId(5, 1), 0, 300 * KIB));
            assertTrue(io.shortWritesDone.get() > 100);
        }
    }

    @Test
    void writeErrorTakesTheTargetOfflineForGood() {
        FaultyTargetIo io = new FaultyTargetIo();
        try (ChunkEngine engine = open(io)) {
            engine.write(new ChunkId(6, 1), ChunkData.buffer(61, 10));
            io.failWrites = true;
            StorageException e = assertThrows(
                    StorageException.class, () -> engine.write(new ChunkId(6, 2), ChunkData.buffer(62, 10)));
            assertEquals(Reason.IO_ERROR, e.reason());
            assertEquals(TargetState.OFFLINE, engine.state());
            io.failWrites = false;
            e = assertThrows(StorageException.class, () -> engine.write(new ChunkId(6, 3), ChunkData.buffer(63, 10)));
            assertEquals(Reason.TARGET_OFFLINE, e.reason());
            e = assertThrows(StorageException.class, () -> read(engine, new ChunkId(6, 1), 0, 10));
            assertEquals(Reason.TARGET_OFFLINE, e.reason());
        }
    }

    @Test
    void fsyncFailureFailsThePendingGroupAndIsNeverRetried() {
        FaultyTargetIo io = new FaultyTargetIo();
        try (ChunkEngine engine = open(io)) {
            engine.write(new ChunkId(7, 0), ChunkData.buffer(70, 100));
            io.failForce = true;
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int i = 1; i <= 16; i++) futures.add(engine.writeAsync(new ChunkId(7, i), ChunkData.buffer(i, 100)));
            int forcesAfterFailure = -1;
            for (CompletableFuture<Void> f : futures) {
                StorageException e = assertThrows(StorageException.class, () -> Futures.await(f, "test"));
                assertTrue(e.reason() == Reason.IO_ERROR || e.reason() == Reason.TARGET_OFFLINE, e.getMessage());
            }
            forcesAfterFailure = io.forces.get();
            assertEquals(TargetState.OFFLINE, engine.state());
            StorageException e = assertThrows(
                    StorageException.class, () -> engine.write(new ChunkId(7, 99), ChunkData.buffer(99, 100)));
            assertEquals(Reason.TARGET_OFFLINE, e.reason());
            assertEquals(forcesAfterFailure, io.forces.get(), "an fsync is never retried");
            assertEquals(2, io.forces.get(), "one good force, then the one that failed");
        }
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            assertArrayEquals(ChunkData.bytes(70, 100), read(engine, new ChunkId(7, 0), 0, 100));
            assertEquals(1, engine.blocksUsed(), "uncommitted blocks are free after reopen");
        }
    }

    @Test
    void groupCommitBatchesConcurrentWriters() throws Exception {
        // Goal: 32 writers sharing one target need far fewer fsyncs than writes.
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            int writers = 32;
            int perWriter = 20;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perWriter; i++)
                        engine.write(new ChunkId(8, writer * 1000L + i), ChunkData.buffer(i, 4 * KIB));
                }));
            }
            for (Thread t : threads) t.join();
            var stats = engine.stats();
            assertEquals(writers * perWriter, stats.writes());
            assertTrue(stats.fileForces() < stats.writes(), "fileForces=" + stats.fileForces());
            assertTrue(stats.metadataSyncs() < stats.writes() / 2, "metadataSyncs=" + stats.metadataSyncs());
        }
    }

    @Test
    void rejectsTooLargeChunksAndBadRanges() {
        try (ChunkEngine engine = open(TargetIo.FILE_CHANNEL)) {
            StorageException e = assertThrows(
                    StorageException.class, () -> engine.write(new ChunkId(9, 1), ByteBuffer.allocate((64 << 20) + 1)));
            assertEquals(Reason.INVALID_ARGUMENT, e.reason());
            engine.write(new ChunkId(9, 2), ChunkData.buffer(9, 100));
            e = assertThrows(
                    StorageException.class,
                    () -> engine.readBlocks(new ChunkId(9, 2), 1, 1, ByteBuffer.allocate(64 * KIB), true));
            assertEquals(Reason.OUT_OF_RANGE, e.reason());
            assertEquals(TargetState.SERVING, engine.state());
        }
    }
}
