package io.seabed.basestore.chunk;

/**
 * What {@link ChunkEngine#readBlocks} returns with the bytes: the chunk's committed version and
 * length, and the CRC32C the writer computed for each of its 64 KiB blocks, so the reader checks
 * the bytes it received end to end. {@code crcs} is shared: callers must not modify it.
 */
public record ChunkBlocks(long version, int lengthBytes, int[] crcs) {}
