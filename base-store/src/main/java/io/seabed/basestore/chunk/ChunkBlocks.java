package io.seabed.basestore.chunk;

/**
 * What {@link ChunkEngine#readBlocks} returns with the bytes: the committed block's write sequence
 * ({@code version}, to tell a concurrent change from corruption), its chain-wide chunk version and
 * length, the CRC32C the writer computed for each of its 64 KiB blocks (so the reader checks the
 * bytes it received end to end), and the version pending on this target when the read began (0 if
 * none: CRAQ's clean/dirty). {@code crcs} is shared: callers must not modify it.
 */
public record ChunkBlocks(long version, long chunkVersion, int lengthBytes, int[] crcs, long pendingVersion) {
    public boolean dirty() {
        return pendingVersion != 0;
    }
}
