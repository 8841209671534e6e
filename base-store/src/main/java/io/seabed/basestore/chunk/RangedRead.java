package io.seabed.basestore.chunk;

import io.seabed.basestore.BaseStoreClient;
import java.nio.ByteBuffer;

/**
 * A byte range read as windows of whole CRC blocks: each window is read (and checked) into a
 * scratch buffer, then the requested part is copied to the output. Checking a CRC needs its whole
 * 64 KiB block, so a ranged read touches every block that covers the range, and nothing else.
 */
public final class RangedRead {
    private static final int BLOCK = BaseStoreClient.CRC_BLOCK_BYTES;

    /** Reads whole blocks {@code [blockFirst, blockFirst + blockCount)} into {@code window} from its position. */
    @FunctionalInterface
    public interface WindowSource {
        void read(int blockFirst, int blockCount, ByteBuffer window);
    }

    private RangedRead() {}

    /**
     * Fills {@code output} (position to limit) with chunk bytes from {@code offsetBytes}; the caller
     * checked the range against the chunk length. {@code scratch} holds at least one block.
     */
    public static void run(int offsetBytes, ByteBuffer output, ByteBuffer scratch, WindowSource source) {
        int blocksPerWindow = scratch.capacity() / BLOCK;
        if (blocksPerWindow < 1) throw new IllegalArgumentException("scratch capacity=" + scratch.capacity());
        long position = offsetBytes;
        while (output.hasRemaining()) {
            int blockFirst = (int) (position / BLOCK);
            long endBytes = position + output.remaining();
            int blockEnd = (int) ((endBytes + BLOCK - 1) / BLOCK);
            int blockCount = Math.min(blocksPerWindow, blockEnd - blockFirst);
            scratch.clear();
            source.read(blockFirst, blockCount, scratch);
            scratch.flip();
            int skip = (int) (position - (long) blockFirst * BLOCK);
            int take = Math.min(output.remaining(), scratch.limit() - skip);
            if (take <= 0)
                throw new IllegalStateException("window of " + scratch.limit() + " B at block " + blockFirst
                        + " does not reach offset " + position);
            output.put(output.position(), scratch, skip, take);
            output.position(output.position() + take);
            position += take;
        }
    }
}
