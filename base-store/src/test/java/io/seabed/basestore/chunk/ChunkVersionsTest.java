package io.seabed.basestore.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chunk.ChunkEngine.ChunkListing;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versioned chunk updates on one engine: pending and committed versions, updates on a base, listing. */
class ChunkVersionsTest {
    private static final ChunkEngineConfig SMALL_FILES =
            ChunkEngineConfig.DEFAULTS.withBlockFileBytes(64L << 20, 1L << 20);
    private static final ChunkId ID = new ChunkId(3, 4);
    private static final UpdateTag TAG = new UpdateTag(11, 2, 5);

    @TempDir
    Path dir;

    private ChunkEngine open() {
        return ChunkEngine.open(dir, 1, SMALL_FILES, TargetIo.FILE_CHANNEL);
    }

    private static byte[] read(ChunkEngine engine, ChunkId id) {
        ByteBuffer out = ByteBuffer.allocate(engine.info(id).lengthBytes());
        engine.read(id, 0, out);
        return out.array();
    }

    private static void update(ChunkEngine engine, long version, ChunkUpdate update, boolean commit) {
        Futures.await(engine.updateAsync(ID, 0, version, TAG, update, commit), "update");
    }

    @Test
    void pendingVersionIsInvisibleUntilCommittedAndSurvivesReopen() {
        byte[] v1 = ChunkData.bytes(1, 100_000);
        byte[] v2 = ChunkData.bytes(2, 70_000);
        try (ChunkEngine engine = open()) {
            update(engine, 1, new ChunkUpdate.Replace(ByteBuffer.wrap(v1)), true);
            update(engine, 2, new ChunkUpdate.Replace(ByteBuffer.wrap(v2)), false);
            ChunkInfo info = engine.info(ID);
            assertEquals(1, info.committedVersion());
            assertEquals(2, info.pendingVersion());
            assertEquals(TAG, info.pendingTag());
            assertArrayEquals(v1, read(engine, ID));
            ChunkBlocks blocks = engine.readBlocks(ID, 0, 1, ByteBuffer.allocate(64 << 10), true);
            assertTrue(blocks.dirty());
            assertEquals(1, blocks.chunkVersion());
        }
        try (ChunkEngine engine = open()) {
            assertEquals(2, engine.info(ID).pendingVersion(), "pending survives a restart");
            assertArrayEquals(v1, read(engine, ID));
            Futures.await(engine.commitAsync(ID, 2), "commit");
            ChunkInfo info = engine.info(ID);
            assertEquals(2, info.committedVersion());
            assertEquals(0, info.pendingVersion());
            assertEquals(70_000, info.lengthBytes());
            assertArrayEquals(v2, read(engine, ID));
            assertFalse(engine.readBlocks(ID, 0, 1, ByteBuffer.allocate(64 << 10), true)
                    .dirty());
            // Committing again (a retried commit) changes nothing; an unknown version is refused.
            Futures.await(engine.commitAsync(ID, 2), "commit again");
            StorageException e =
                    assertThrows(StorageException.class, () -> Futures.await(engine.commitAsync(ID, 3), "commit 3"));
            assertEquals(Reason.VERSION_MISMATCH, e.reason());
        }
        try (ChunkEngine engine = open()) {
            assertArrayEquals(v2, read(engine, ID));
            assertEquals(1, engine.blocksUsed(), "the replaced and the staged blocks were freed");
        }
    }

    @Test
    void writeAtAndTruncateApplyToTheCommittedBase() {
        byte[] expected = ChunkData.bytes(5, 200_000);
        try (ChunkEngine engine = open()) {
            update(engine, 1, new ChunkUpdate.Replace(ByteBuffer.wrap(expected.clone())), true);
            byte[] patch = ChunkData.bytes(6, 70_000);
            update(engine, 2, new ChunkUpdate.WriteAt(65_000, ByteBuffer.wrap(patch)), true);
            System.arraycopy(patch, 0, expected, 65_000, patch.length);
            assertArrayEquals(expected, read(engine, ID));
            // Writing beyond the end leaves a hole of zeros.
            byte[] tail = ChunkData.bytes(7, 10);
            update(engine, 3, new ChunkUpdate.WriteAt(300_000, ByteBuffer.wrap(tail)), false);
            Futures.await(engine.commitAsync(ID, 3), "commit");
            byte[] grown = Arrays.copyOf(expected, 300_010);
            System.arraycopy(tail, 0, grown, 300_000, 10);
            assertArrayEquals(grown, read(engine, ID));
            update(engine, 4, new ChunkUpdate.Truncate(1_000), true);
            assertArrayEquals(Arrays.copyOf(grown, 1_000), read(engine, ID));
            update(engine, 5, new ChunkUpdate.Truncate(5_000), true);
            assertArrayEquals(
                    Arrays.copyOf(Arrays.copyOf(grown, 1_000), 5_000),
                    read(engine, ID),
                    "extending truncate adds zeros");
            // An update whose base is not the committed version is refused and changes nothing.
            StorageException e = assertThrows(
                    StorageException.class,
                    () -> update(engine, 7, new ChunkUpdate.WriteAt(0, ByteBuffer.wrap(new byte[] {1})), true));
            assertEquals(Reason.VERSION_MISMATCH, e.reason());
            assertEquals(5, engine.info(ID).committedVersion());
            assertArrayEquals(Arrays.copyOf(Arrays.copyOf(grown, 1_000), 5_000), read(engine, ID));
        }
    }

    @Test
    void listingPagesOverCommittedAndPendingChunksAndDigestsFollowTheBytes() {
        try (ChunkEngine engine = open()) {
            List<ChunkId> ids = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                ChunkId id = new ChunkId(i % 3 == 0 ? -1L : 1L, i);
                ids.add(id);
                boolean commit = i % 4 != 0;
                Futures.await(
                        engine.updateAsync(id, 0, 1, TAG, new ChunkUpdate.Replace(ChunkData.buffer(i, 1000)), commit),
                        "write");
            }
            ids.sort(ChunkEngine::compareIds);
            List<ChunkId> seen = new ArrayList<>();
            ChunkId after = null;
            while (true) {
                List<ChunkListing> page = engine.list(after, 4);
                if (page.isEmpty()) break;
                for (ChunkListing l : page) {
                    seen.add(l.id());
                    long i = l.id().low();
                    assertEquals(i % 4 != 0 ? 1 : 0, l.info().committedVersion(), "chunk " + i);
                    assertEquals(i % 4 == 0 ? 1 : 0, l.info().pendingVersion(), "chunk " + i);
                }
                after = page.getLast().id();
            }
            assertEquals(ids, seen);
            ChunkId a = new ChunkId(9, 1);
            ChunkId b = new ChunkId(9, 2);
            engine.write(a, ChunkData.buffer(42, 5000));
            engine.write(b, ChunkData.buffer(42, 5000));
            assertEquals(engine.info(a).digest(), engine.info(b).digest());
            engine.write(b, ChunkData.buffer(43, 5000));
            assertNotEquals(engine.info(a).digest(), engine.info(b).digest());
        }
    }
}
