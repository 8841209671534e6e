package io.seabed.basestore.chunk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens block files and syncs directories of one target; the factory half of the disk-fault seam.
 * Implementations must be thread-safe.
 */
public interface TargetIo {

    /** The real disk: {@link FileChannelBlockFileIo} and a directory {@code fsync}. */
    TargetIo FILE_CHANNEL = new TargetIo() {
        @Override
        public BlockFileIo open(Path file) throws IOException {
            return FileChannelBlockFileIo.open(file);
        }

        @Override
        public void syncDirectory(Path directory) throws IOException {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    };

    /** Opens (creating if missing) a block file for positional reads and writes. */
    BlockFileIo open(Path file) throws IOException;

    /** Makes the directory's entries durable, after a file was created in it. */
    void syncDirectory(Path directory) throws IOException;
}
