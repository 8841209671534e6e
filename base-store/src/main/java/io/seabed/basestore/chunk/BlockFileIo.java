package io.seabed.basestore.chunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Positional I/O on one block file: the disk-fault seam of the chunk engine. The default is
 * {@link FileChannelBlockFileIo}; tests wrap it to inject EIO, short writes and fsync failures.
 *
 * <p>Thread safety: {@link #read} and {@link #write} may run concurrently from any threads on
 * disjoint ranges; {@link #force} is called by the target's committer thread only; {@link
 * #setLength} by the allocator under its class lock.
 */
public interface BlockFileIo extends AutoCloseable {

    /**
     * Writes bytes from {@code input} (position to limit) at {@code positionBytes}; may write fewer
     * (a short write) and returns how many, advancing {@code input}'s position by that many.
     */
    int write(ByteBuffer input, long positionBytes) throws IOException;

    /** Reads into {@code output} at {@code positionBytes}; returns bytes read, or -1 at end of file. */
    int read(ByteBuffer output, long positionBytes) throws IOException;

    /** Makes written data durable ({@code fdatasync}). A failure is final: callers never retry it. */
    void force() throws IOException;

    long sizeBytes() throws IOException;

    /**
     * The file's channel, for sends that never copy its bytes through the JVM (sendfile), or null when this
     * implementation has none (then readers copy with {@link #read}).
     */
    default FileChannel channel() {
        return null;
    }

    /** Grows the file to {@code lengthBytes} (preallocation; the new range reads as zeros). */
    void setLength(long lengthBytes) throws IOException;

    @Override
    void close() throws IOException;
}
