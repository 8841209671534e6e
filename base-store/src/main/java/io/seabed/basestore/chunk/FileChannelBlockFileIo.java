package io.seabed.basestore.chunk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * {@link BlockFileIo} on a {@link FileChannel}: positional reads and writes (no shared position,
 * no lock), {@code force(false)} as {@code fdatasync}, {@link RandomAccessFile#setLength} to grow.
 */
public final class FileChannelBlockFileIo implements BlockFileIo {
    private final RandomAccessFile file;
    private final FileChannel channel;

    private FileChannelBlockFileIo(RandomAccessFile file) {
        this.file = file;
        this.channel = file.getChannel();
    }

    public static FileChannelBlockFileIo open(Path path) throws IOException {
        return new FileChannelBlockFileIo(new RandomAccessFile(path.toFile(), "rw"));
    }

    @Override
    public int write(ByteBuffer input, long positionBytes) throws IOException {
        return channel.write(input, positionBytes);
    }

    @Override
    public int read(ByteBuffer output, long positionBytes) throws IOException {
        return channel.read(output, positionBytes);
    }

    @Override
    public void force() throws IOException {
        channel.force(false);
    }

    @Override
    public long sizeBytes() throws IOException {
        return channel.size();
    }

    @Override
    public FileChannel channel() {
        return channel;
    }

    @Override
    public void setLength(long lengthBytes) throws IOException {
        file.setLength(lengthBytes);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
