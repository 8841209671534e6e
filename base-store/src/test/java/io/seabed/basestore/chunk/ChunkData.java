package io.seabed.basestore.chunk;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** Deterministic chunk contents for tests: the bytes follow from (seed, length). */
public final class ChunkData {
    private ChunkData() {}

    public static byte[] bytes(long seed, int length) {
        byte[] data = new byte[length];
        SplittableRandom random = new SplittableRandom(seed);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) data[i + k] = (byte) (v >>> (8 * k));
        }
        for (; i < length; i++) data[i] = (byte) random.nextInt();
        return data;
    }

    public static ByteBuffer buffer(long seed, int length) {
        return ByteBuffer.wrap(bytes(seed, length));
    }

    public static int crc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }
}
