package io.seabed.basestore.chunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One block file of a size class: blocks of {@code blockBytes} at offsets {@code index * blockBytes}.
 * Reads and writes are positional and lock-free; the allocator guarantees writers own their block.
 */
final class BlockFile {
    final int classIndex;
    final int fileNo;
    final Path path;
    final BlockFileIo io;

    BlockFile(int classIndex, int fileNo, Path path, BlockFileIo io) {
        this.classIndex = classIndex;
        this.fileNo = fileNo;
        this.path = path;
        this.io = io;
    }

    /** Writes all of {@code input} at {@code positionBytes}, continuing after short writes. */
    void writeFully(ByteBuffer input, long positionBytes) throws IOException {
        long position = positionBytes;
        while (input.hasRemaining()) {
            int written = io.write(input, position);
            if (written <= 0)
                throw new IOException("write made no progress: written=" + written + " remaining=" + input.remaining()
                        + " position=" + position + " file=" + path);
            position += written;
        }
    }

    /** Fills {@code output} from {@code positionBytes}; a read past the end is an I/O error. */
    void readFully(ByteBuffer output, long positionBytes) throws IOException {
        long position = positionBytes;
        while (output.hasRemaining()) {
            int read = io.read(output, position);
            if (read < 0)
                throw new IOException("read past end of file: position=" + position + " remaining=" + output.remaining()
                        + " file=" + path);
            position += read;
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
