package io.seabed.basestore.chunk;

import io.seabed.basestore.ChunkId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One chunk's metadata row on a target: where its block is, how long it is, its version and the
 * CRC32C of each 64 KiB block. Immutable; {@code crcs} is owned by the record and never modified.
 *
 * <p>Key: {@code 'c'} + 16 bytes of chunk id (big-endian, so ids sort). Value: format, class,
 * file, block, length, version, CRCs (little-endian ints).
 */
record ChunkMeta(int classIndex, int fileNo, int blockIndex, int lengthBytes, long version, int[] crcs) {
    static final byte KEY_PREFIX = 'c';
    static final int KEY_BYTES = 17;
    private static final byte FORMAT = 1;
    private static final int HEADER_BYTES = 1 + 1 + 4 + 4 + 4 + 8;

    ChunkMeta {
        if (crcs.length != SizeClasses.crcBlockCount(lengthBytes))
            throw new IllegalArgumentException("crcs.length=" + crcs.length + " for lengthBytes=" + lengthBytes);
    }

    long offsetBytes() {
        return (long) blockIndex * SizeClasses.blockBytes(classIndex);
    }

    static byte[] key(ChunkId id) {
        return ByteBuffer.allocate(KEY_BYTES)
                .put(KEY_PREFIX)
                .putLong(id.high())
                .putLong(id.low())
                .array();
    }

    static ChunkId idOf(byte[] key) {
        if (key.length != KEY_BYTES || key[0] != KEY_PREFIX)
            throw new IllegalStateException("chunk key length=" + key.length + " prefix=" + key[0]);
        ByteBuffer buffer = ByteBuffer.wrap(key, 1, 16);
        return new ChunkId(buffer.getLong(), buffer.getLong());
    }

    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + 4 * crcs.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(FORMAT).put((byte) classIndex).putInt(fileNo).putInt(blockIndex).putInt(lengthBytes);
        out.putLong(version);
        for (int crc : crcs) out.putInt(crc);
        return out.array();
    }

    static ChunkMeta decode(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        byte format = in.get();
        if (format != FORMAT) throw new IllegalStateException("chunk meta format=" + format + " != " + FORMAT);
        int classIndex = in.get();
        int fileNo = in.getInt();
        int blockIndex = in.getInt();
        int lengthBytes = in.getInt();
        long version = in.getLong();
        int count = SizeClasses.crcBlockCount(lengthBytes);
        if (value.length != HEADER_BYTES + 4 * count)
            throw new IllegalStateException("chunk meta bytes=" + value.length + " for lengthBytes=" + lengthBytes);
        if (classIndex < 0 || classIndex >= SizeClasses.CLASS_COUNT)
            throw new IllegalStateException("chunk meta classIndex=" + classIndex);
        if (lengthBytes > SizeClasses.blockBytes(classIndex))
            throw new IllegalStateException(
                    "chunk meta lengthBytes=" + lengthBytes + " > block of class " + classIndex);
        int[] crcs = new int[count];
        for (int i = 0; i < count; i++) crcs[i] = in.getInt();
        return new ChunkMeta(classIndex, fileNo, blockIndex, lengthBytes, version, crcs);
    }
}
