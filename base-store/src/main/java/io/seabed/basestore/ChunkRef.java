package io.seabed.basestore;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where a written chunk lives: its id, length, and either the chain holding it ({@code chainId} > 0,
 * {@code targets} empty: CRAQ chains) or the local targets holding its replicas ({@code chainId} 0).
 * Callers store it opaquely ({@link #encode}) in their layouts and hand it back to read or delete.
 */
public record ChunkRef(ChunkId id, int lengthBytes, int chainId, int[] targets) {
    private static final byte FORMAT_TARGETS = 1;
    private static final byte FORMAT_CHAIN = 2;

    public ChunkRef {
        if (lengthBytes < 0) throw new IllegalArgumentException("lengthBytes=" + lengthBytes);
        if (chainId < 0) throw new IllegalArgumentException("chainId=" + chainId);
        if (chainId == 0 && (targets.length == 0 || targets.length > 255))
            throw new IllegalArgumentException("targets.length=" + targets.length);
        if (chainId > 0 && targets.length != 0)
            throw new IllegalArgumentException("a chain ref has no targets: " + targets.length);
        targets = targets.clone();
    }

    /** A chunk replicated on local targets. */
    public ChunkRef(ChunkId id, int lengthBytes, int[] targets) {
        this(id, lengthBytes, 0, targets);
    }

    /** A chunk on chain {@code chainId}. */
    public static ChunkRef onChain(ChunkId id, int lengthBytes, int chainId) {
        if (chainId < 1) throw new IllegalArgumentException("chainId=" + chainId);
        return new ChunkRef(id, lengthBytes, chainId, new int[0]);
    }

    @Override
    public int[] targets() {
        return targets.clone();
    }

    public int encodedBytes() {
        return chainId > 0 ? 1 + 16 + 4 + 4 : 1 + 16 + 4 + 1 + 4 * targets.length;
    }

    public void encode(ByteBuffer out) {
        if (chainId > 0) {
            out.put(FORMAT_CHAIN)
                    .putLong(id.high())
                    .putLong(id.low())
                    .putInt(lengthBytes)
                    .putInt(chainId);
            return;
        }
        out.put(FORMAT_TARGETS)
                .putLong(id.high())
                .putLong(id.low())
                .putInt(lengthBytes)
                .put((byte) targets.length);
        for (int t : targets) out.putInt(t);
    }

    public static ChunkRef decode(ByteBuffer in) {
        byte format = in.get();
        if (format != FORMAT_TARGETS && format != FORMAT_CHAIN)
            throw new IllegalStateException("chunk ref format=" + format + " not in {1, 2}");
        ChunkId id = new ChunkId(in.getLong(), in.getLong());
        int length = in.getInt();
        if (format == FORMAT_CHAIN) return onChain(id, length, in.getInt());
        int[] targets = new int[in.get() & 0xFF];
        for (int i = 0; i < targets.length; i++) targets[i] = in.getInt();
        return new ChunkRef(id, length, targets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkRef r
                && r.id.equals(id)
                && r.lengthBytes == lengthBytes
                && r.chainId == chainId
                && Arrays.equals(r.targets, targets);
    }

    @Override
    public int hashCode() {
        return (id.hashCode() * 31 + chainId) * 31 + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        return "ChunkRef[" + id + ", " + lengthBytes + " B, "
                + (chainId > 0 ? "chain " + chainId : "targets=" + Arrays.toString(targets)) + "]";
    }
}
