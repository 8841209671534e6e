package io.seabed.basestore.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seabed.basestore.BaseStoreClient;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** CRC32C combination against the JDK's CRC32C of the concatenated bytes. */
class BlockCrcsTest {
    private static int crc(byte[] data, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(data, offset, length);
        return (int) c.getValue();
    }

    @Test
    void combineEqualsTheCrcOfTheConcatenation() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] data = new byte[random.nextInt(0, 5_000)];
            random.nextBytes(data);
            int split = data.length == 0 ? 0 : random.nextInt(data.length + 1);
            int combined =
                    BlockCrcs.combine(crc(data, 0, split), crc(data, split, data.length - split), data.length - split);
            assertEquals(crc(data, 0, data.length), combined, "length " + data.length + " split " + split);
        }
    }

    @Test
    void aRangeOfStoredBlocksHasTheCrcOfItsBytes() {
        int block = BaseStoreClient.CRC_BLOCK_BYTES;
        SplittableRandom random = new SplittableRandom(7);
        for (int length : new int[] {1, block - 1, block, block + 1, 5 * block + 123, 16 * block}) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            int[] crcs = BlockCrcs.compute(ByteBuffer.wrap(data));
            for (int first = 0; first < crcs.length; first++)
                for (int count = 0; first + count <= crcs.length; count++) {
                    int start = first * block;
                    int bytes = Math.min(length, (first + count) * block) - start;
                    assertEquals(
                            crc(data, start, bytes),
                            BlockCrcs.ofRange(crcs, first, count, length),
                            "length " + length + " blocks " + first + "+" + count);
                }
        }
    }
}
