package io.seabed.basestore;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where a written chunk lives: its id, length and the targets holding its replicas. Callers store
 * it opaquely ({@link #encode}) in their layouts and hand it back to read or delete.
 */
public record ChunkRef(ChunkId id, int lengthBytes, int[] targets) {
    private static final byte FORMAT = 1;

    public ChunkRef {
        if (lengthBytes < 0) throw new IllegalArgumentException("lengthBytes=" + lengthBytes);
        if (targets.length == 0 || targets.length > 255)
            throw new IllegalArgumentException("targets.length=" + targets.length);
        targets = targets.clone();
    }

    @Override
    public int[] targets() {
        return targets.clone();
    }

    public int encodedBytes() {
        return 1 + 16 + 4 + 1 + 4 * targets.length;
    }

    public void encode(ByteBuffer out) {
        out.put(FORMAT).putLong(id.high()).putLong(id.low()).putInt(lengthBytes).put((byte) targets.length);
        for (int t : targets) out.putInt(t);
    }

    public static ChunkRef decode(ByteBuffer in) {
        byte format = in.get();
        if (format != FORMAT) throw new IllegalStateException("chunk ref format=" + format + " != " + FORMAT);
        ChunkId id = new ChunkId(in.getLong(), in.getLong());
        int length = in.getInt();
        int[] targets = new int[in.get() & 0xFF];
        for (int i = 0; i < targets.length; i++) targets[i] = in.getInt();
        return new ChunkRef(id, length, targets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkRef r
                && r.id.equals(id)
                && r.lengthBytes == lengthBytes
                && Arrays.equals(r.targets, targets);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        return "ChunkRef[" + id + ", " + lengthBytes + " B, targets=" + Arrays.toString(targets) + "]";
    }
}
