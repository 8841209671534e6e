package io.seabed.basestore.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.UpdateTag;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of a range that may pass the chunk's end ({@link ChunkEngine#readBlocksUpTo}): the blocks and the length
 * answered come from one version, whichever version a concurrent replace left (a storage node once took the
 * block count from one look-up and the blocks from another, answering a 200,000 B version cut to one block).
 */
class ChunkReadRangeTest {
    private static final ChunkId ID = new ChunkId(7, 7);
    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    private static void replace(ChunkEngine engine, long version, byte[] content) {
        Futures.await(
                engine.updateAsync(
                        ID, 0, version, UpdateTag.NONE, new ChunkUpdate.Replace(ByteBuffer.wrap(content)), true),
                "replace");
    }

    @Test
    void aRangePastTheEndReadsTheBlocksOfTheVersionFound() {
        try (ChunkEngine engine = ChunkEngine.open(
                dir, 1, ChunkEngineConfig.DEFAULTS.withBlockFileBytes(64L << 20, 1L << 20), TargetIo.FILE_CHANNEL)) {
            byte[] big = ChunkData.bytes(1, 200_000);
            byte[] small = ChunkData.bytes(2, 65_536);
            replace(engine, 1, big);
            ByteBuffer out = ByteBuffer.allocate(16 * BLOCK);
            assertThrows(StorageException.class, () -> engine.readBlocks(ID, 0, 16, out, true));
            ChunkBlocks blocks = engine.readBlocksUpTo(ID, 0, 16, out.clear(), true);
            assertEquals(200_000, blocks.lengthBytes());
            assertEquals(200_000, out.position());
            assertArrayEquals(big, Arrays.copyOf(out.array(), 200_000));
            replace(engine, 2, small);
            blocks = engine.readBlocksUpTo(ID, 0, 16, out.clear(), true);
            assertEquals(65_536, blocks.lengthBytes());
            assertEquals(2, blocks.chunkVersion());
            assertArrayEquals(small, Arrays.copyOf(out.array(), out.position()));
            blocks = engine.readBlocksUpTo(ID, 1, 16, out.clear(), true);
            assertEquals(0, out.position(), "no block after the last");
            assertThrows(StorageException.class, () -> engine.readBlocksUpTo(ID, 2, 16, out.clear(), true));
        }
    }
}
