package io.seabed.basestore.chunk;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.CrcCombine;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C per {@link BaseStoreClient#CRC_BLOCK_BYTES} block of chunk bytes; used by writers and readers. */
public final class BlockCrcs {
    private static final int BLOCK = BaseStoreClient.CRC_BLOCK_BYTES;

    private BlockCrcs() {}

    /** The CRC of each block of {@code data} (position to limit, block 0 at position); data is not moved. */
    public static int[] compute(ByteBuffer data) {
        int[] crcs = new int[SizeClasses.crcBlockCount(data.remaining())];
        ByteBuffer view = data.duplicate();
        CRC32C crc = new CRC32C();
        int start = data.position();
        for (int i = 0; i < crcs.length; i++) {
            int blockStart = start + i * BLOCK;
            crcs[i] = crcOf(crc, view, blockStart, Math.min(BLOCK, data.limit() - blockStart));
        }
        return crcs;
    }

    /**
     * Checks the blocks in {@code data} (position to limit, the first being chunk block {@code
     * blockFirst}) against {@code crcs}; returns the chunk block index of the first mismatch, or -1.
     */
    public static int firstMismatch(ByteBuffer data, int blockFirst, int[] crcs) {
        ByteBuffer view = data.duplicate();
        CRC32C crc = new CRC32C();
        int start = data.position();
        int count = SizeClasses.crcBlockCount(data.remaining());
        for (int i = 0; i < count; i++) {
            int blockStart = start + i * BLOCK;
            int actual = crcOf(crc, view, blockStart, Math.min(BLOCK, data.limit() - blockStart));
            if (actual != crcs[blockFirst + i]) return blockFirst + i;
        }
        return -1;
    }

    /** The reflected CRC32C (Castagnoli) polynomial. */
    private static final long CASTAGNOLI_REFLECTED = 0x82F63B78L;

    /**
     * The CRC32C of the concatenation A‖B from the CRC32C of A, that of B and B's length, without the bytes:
     * lets a range of stored blocks go out with sendfile carrying one CRC made from their stored ones.
     */
    public static int combine(int crcA, int crcB, long lengthB) {
        return (int) CrcCombine.combine(crcA & 0xFFFFFFFFL, crcB & 0xFFFFFFFFL, lengthB, CASTAGNOLI_REFLECTED, 32);
    }

    /** The CRC32C of {@code count} stored blocks from {@code blockFirst} of a chunk of {@code lengthBytes}. */
    public static int ofRange(int[] crcs, int blockFirst, int count, int lengthBytes) {
        int crc = 0;
        for (int i = blockFirst; i < blockFirst + count; i++) {
            int blockBytes = Math.min(BLOCK, lengthBytes - i * BLOCK);
            crc = i == blockFirst ? crcs[i] : combine(crc, crcs[i], blockBytes);
        }
        return crc;
    }

    private static int crcOf(CRC32C crc, ByteBuffer view, int start, int length) {
        crc.reset();
        view.limit(start + length).position(start);
        crc.update(view);
        return (int) crc.getValue();
    }
}
