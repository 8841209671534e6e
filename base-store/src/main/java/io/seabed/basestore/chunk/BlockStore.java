package io.seabed.basestore.chunk;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The block files of one target, by size class, with their allocators. Opening finds the existing
 * files; {@link #markUsed} then replays the committed metadata into the bitmaps.
 */
final class BlockStore implements AutoCloseable {
    private static final Pattern FILE_NAME = Pattern.compile("c(\\d{2})-(\\d+)k-(\\d{5})\\.blk");

    private final ClassAllocator[] classes = new ClassAllocator[SizeClasses.CLASS_COUNT];

    private BlockStore(Path directory, ChunkEngineConfig config, TargetIo targetIo) {
        for (int i = 0; i < classes.length; i++) classes[i] = new ClassAllocator(i, config, directory, targetIo);
    }

    static BlockStore open(Path directory, ChunkEngineConfig config, TargetIo targetIo) throws IOException {
        Files.createDirectories(directory);
        BlockStore store = new BlockStore(directory, config, targetIo);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.blk")) {
            for (Path path : entries) store.adopt(path, targetIo);
        } catch (IOException | RuntimeException e) {
            store.closeAfterFailure(e);
            throw e;
        }
        return store;
    }

    private void adopt(Path path, TargetIo targetIo) throws IOException {
        Matcher matcher = FILE_NAME.matcher(path.getFileName().toString());
        if (!matcher.matches()) throw new IllegalStateException("unexpected block file name " + path);
        int classIndex = Integer.parseInt(matcher.group(1));
        int fileNo = Integer.parseInt(matcher.group(3));
        if (classIndex >= SizeClasses.CLASS_COUNT
                || Integer.parseInt(matcher.group(2)) != SizeClasses.blockBytes(classIndex) >> 10)
            throw new IllegalStateException("block file " + path + " does not match class " + classIndex);
        classes[classIndex].adopt(fileNo, new BlockFile(classIndex, fileNo, path, targetIo.open(path)));
    }

    void markUsed(ChunkMeta meta) {
        classes[meta.classIndex()].markUsed(meta.fileNo(), meta.blockIndex());
    }

    BlockAddress allocate(int classIndex) throws IOException {
        return classes[classIndex].allocate();
    }

    void free(ChunkMeta meta) {
        classes[meta.classIndex()].free(meta.fileNo(), meta.blockIndex());
    }

    void free(BlockAddress address) {
        classes[address.file().classIndex].free(address.file().fileNo, address.blockIndex());
    }

    BlockFile file(ChunkMeta meta) {
        return classes[meta.classIndex()].file(meta.fileNo());
    }

    long fileBytesTotal() {
        long total = 0;
        for (ClassAllocator allocator : classes) total += allocator.fileBytesTotal();
        return total;
    }

    long blocksUsed() {
        long total = 0;
        for (ClassAllocator allocator : classes) total += allocator.blocksUsed();
        return total;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ClassAllocator allocator : classes) {
            try {
                allocator.closeFiles();
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    private void closeAfterFailure(Exception cause) {
        try {
            close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
