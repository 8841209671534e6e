package io.seabed.basestore.chunk;

/** A block allocated to a write that is not committed yet. */
record BlockAddress(BlockFile file, int blockIndex) {
    long offsetBytes() {
        return (long) blockIndex * SizeClasses.blockBytes(file.classIndex);
    }
}
