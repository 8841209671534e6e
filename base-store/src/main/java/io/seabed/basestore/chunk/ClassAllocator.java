package io.seabed.basestore.chunk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The bitmap allocator of one size class: which blocks of which files are in use. Rebuilt at open
 * from the chunk metadata ({@link #markUsed}); nothing of it is persisted. Files grow by {@code
 * growBlocks} up to {@code blocksPerFileMax}, then a new file is created.
 *
 * <p>Thread safety: allocate/free/markUsed hold this object's lock (growing a file happens under it,
 * rarely); {@link #file} is lock-free for readers through a volatile copy-on-write array.
 */
final class ClassAllocator {
    private final int classIndex;
    private final int blockBytes;
    private final int blocksPerFileMax;
    private final int growBlocks;
    private final Path directory;
    private final TargetIo targetIo;
    private volatile BlockFile[] files;
    private int[] capacityBlocks;
    private BitSet[] used;
    private int[] usedCount;

    ClassAllocator(int classIndex, ChunkEngineConfig config, Path directory, TargetIo targetIo) {
        this.classIndex = classIndex;
        this.blockBytes = SizeClasses.blockBytes(classIndex);
        this.blocksPerFileMax = (int) (config.blockFileBytesMax() / blockBytes);
        this.growBlocks = (int) Math.max(1, Math.min(blocksPerFileMax, config.blockFileGrowBytes() / blockBytes));
        this.directory = directory;
        this.targetIo = targetIo;
        this.files = new BlockFile[0];
        this.capacityBlocks = new int[0];
        this.used = new BitSet[0];
        this.usedCount = new int[0];
    }

    static String fileName(int classIndex, int fileNo) {
        return String.format("c%02d-%dk-%05d.blk", classIndex, SizeClasses.blockBytes(classIndex) >> 10, fileNo);
    }

    /** Registers an existing file found at open; its capacity is its whole blocks. */
    synchronized void adopt(int fileNo, BlockFile file) throws IOException {
        ensureSlots(fileNo + 1);
        if (files[fileNo] != null) throw new IllegalStateException("block file " + fileNo + " adopted twice");
        // Not capped by blocksPerFileMax: a file grown under a larger limit keeps all its blocks.
        long blocks = file.io.sizeBytes() / blockBytes;
        if (blocks > Integer.MAX_VALUE)
            throw new IllegalStateException("block file " + file + " has " + blocks + " blocks");
        capacityBlocks[fileNo] = (int) blocks;
        publish(fileNo, file);
    }

    /** Marks a block used by committed metadata, at open. A block claimed twice is corruption. */
    synchronized void markUsed(int fileNo, int blockIndex) {
        if (fileNo >= files.length || files[fileNo] == null)
            throw new IllegalStateException("metadata names missing block file " + fileName(classIndex, fileNo));
        if (blockIndex < 0 || blockIndex >= capacityBlocks[fileNo])
            throw new IllegalStateException("metadata names block " + blockIndex + " beyond capacity "
                    + capacityBlocks[fileNo] + " of " + files[fileNo]);
        if (used[fileNo].get(blockIndex))
            throw new IllegalStateException("block " + blockIndex + " of " + files[fileNo] + " used twice");
        used[fileNo].set(blockIndex);
        usedCount[fileNo]++;
    }

    /** Takes a free block, growing or creating a file when all are full. */
    synchronized BlockAddress allocate() throws IOException {
        for (int fileNo = 0; fileNo < files.length; fileNo++) {
            if (files[fileNo] == null || usedCount[fileNo] >= capacityBlocks[fileNo]) continue;
            return take(fileNo, used[fileNo].nextClearBit(0));
        }
        for (int fileNo = 0; fileNo < files.length; fileNo++) {
            if (files[fileNo] != null && capacityBlocks[fileNo] < blocksPerFileMax) {
                grow(fileNo);
                return take(fileNo, used[fileNo].nextClearBit(0));
            }
        }
        int fileNo = firstMissingFileNo();
        create(fileNo);
        grow(fileNo);
        return take(fileNo, 0);
    }

    /** Returns a block whose removal from the metadata is durable. */
    synchronized void free(int fileNo, int blockIndex) {
        if (!used[fileNo].get(blockIndex))
            throw new IllegalStateException("block " + blockIndex + " of " + files[fileNo] + " freed while free");
        used[fileNo].clear(blockIndex);
        usedCount[fileNo]--;
    }

    BlockFile file(int fileNo) {
        BlockFile[] snapshot = files;
        if (fileNo < 0 || fileNo >= snapshot.length || snapshot[fileNo] == null)
            throw new IllegalStateException("no block file " + fileName(classIndex, fileNo));
        return snapshot[fileNo];
    }

    synchronized long fileBytesTotal() {
        long total = 0;
        for (int fileNo = 0; fileNo < files.length; fileNo++) {
            if (files[fileNo] != null) total += (long) capacityBlocks[fileNo] * blockBytes;
        }
        return total;
    }

    synchronized long blocksUsed() {
        long total = 0;
        for (int count : usedCount) total += count;
        return total;
    }

    synchronized void closeFiles() throws IOException {
        IOException first = null;
        for (BlockFile file : files) {
            if (file == null) continue;
            try {
                file.io.close();
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    private BlockAddress take(int fileNo, int blockIndex) {
        if (blockIndex >= capacityBlocks[fileNo])
            throw new IllegalStateException("no free block below capacity " + capacityBlocks[fileNo] + " in "
                    + files[fileNo] + " usedCount=" + usedCount[fileNo]);
        used[fileNo].set(blockIndex);
        usedCount[fileNo]++;
        return new BlockAddress(files[fileNo], blockIndex);
    }

    private void grow(int fileNo) throws IOException {
        int capacity = Math.min(blocksPerFileMax, capacityBlocks[fileNo] + growBlocks);
        files[fileNo].io.setLength((long) capacity * blockBytes);
        capacityBlocks[fileNo] = capacity;
    }

    private void create(int fileNo) throws IOException {
        Path path = directory.resolve(fileName(classIndex, fileNo));
        BlockFile file = new BlockFile(classIndex, fileNo, path, targetIo.open(path));
        targetIo.syncDirectory(directory);
        ensureSlots(fileNo + 1);
        capacityBlocks[fileNo] = 0;
        publish(fileNo, file);
    }

    private int firstMissingFileNo() {
        for (int fileNo = 0; fileNo < files.length; fileNo++) {
            if (files[fileNo] == null) return fileNo;
        }
        return files.length;
    }

    private void ensureSlots(int count) {
        if (files.length >= count) return;
        int old = files.length;
        capacityBlocks = Arrays.copyOf(capacityBlocks, count);
        usedCount = Arrays.copyOf(usedCount, count);
        used = Arrays.copyOf(used, count);
        for (int i = old; i < count; i++) used[i] = new BitSet();
        files = Arrays.copyOf(files, count);
    }

    private void publish(int fileNo, BlockFile file) {
        BlockFile[] next = files.clone();
        next[fileNo] = file;
        files = next;
    }
}
