package io.seabed.basestore.chunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The disk wrapper of DESIGN §7 for one target: real files underneath, with switchable EIO on
 * write, short writes (at most {@link #SHORT_WRITE_BYTES} per call) and fsync failures.
 */
public final class FaultyTargetIo implements TargetIo {
    public static final int SHORT_WRITE_BYTES = 1000;

    public volatile boolean failWrites;
    public volatile boolean shortWrites;
    public volatile boolean failForce;
    public final AtomicInteger forces = new AtomicInteger();
    public final AtomicInteger shortWritesDone = new AtomicInteger();

    @Override
    public BlockFileIo open(Path file) throws IOException {
        return new FaultyFile(FileChannelBlockFileIo.open(file));
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        TargetIo.FILE_CHANNEL.syncDirectory(directory);
    }

    private final class FaultyFile implements BlockFileIo {
        private final BlockFileIo inner;

        FaultyFile(BlockFileIo inner) {
            this.inner = inner;
        }

        @Override
        public int write(ByteBuffer input, long positionBytes) throws IOException {
            if (failWrites) throw new IOException("injected EIO on write at " + positionBytes);
            if (shortWrites && input.remaining() > SHORT_WRITE_BYTES) {
                ByteBuffer part = input.slice(input.position(), SHORT_WRITE_BYTES);
                int written = inner.write(part, positionBytes);
                input.position(input.position() + written);
                shortWritesDone.incrementAndGet();
                return written;
            }
            return inner.write(input, positionBytes);
        }

        @Override
        public int read(ByteBuffer output, long positionBytes) throws IOException {
            return inner.read(output, positionBytes);
        }

        @Override
        public void force() throws IOException {
            forces.incrementAndGet();
            if (failForce) throw new IOException("injected EIO on fsync");
            inner.force();
        }

        @Override
        public long sizeBytes() throws IOException {
            return inner.sizeBytes();
        }

        @Override
        public void setLength(long lengthBytes) throws IOException {
            inner.setLength(lengthBytes);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
