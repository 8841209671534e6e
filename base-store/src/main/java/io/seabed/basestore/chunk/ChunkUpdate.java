package io.seabed.basestore.chunk;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import java.nio.ByteBuffer;

/**
 * What one chunk version changes relative to the version before it. Every replica of a chain applies
 * the same update to the same base version, so replicas stay byte-identical without shipping whole
 * chunks; a replica missing the base gets a {@link Replace} of the whole new version instead.
 */
public sealed interface ChunkUpdate {
    /** Whether the result depends on the previous version's bytes. */
    boolean needsBase();

    /** Length of the new version given the base's length. */
    int resultLength(int baseLength);

    /** The new version is exactly {@code data} (position to limit). */
    record Replace(ByteBuffer data) implements ChunkUpdate {
        @Override
        public boolean needsBase() {
            return false;
        }

        @Override
        public int resultLength(int baseLength) {
            return data.remaining();
        }
    }

    /** {@code data} written at {@code offset}; the chunk grows if needed, a gap reads as zeros. */
    record WriteAt(int offset, ByteBuffer data) implements ChunkUpdate {
        public WriteAt {
            if (offset < 0 || (long) offset + data.remaining() > BaseStoreClient.CHUNK_BYTES_MAX)
                throw new StorageException(
                        Reason.INVALID_ARGUMENT,
                        "write at " + offset + " of " + data.remaining() + " B beyond CHUNK_BYTES_MAX="
                                + BaseStoreClient.CHUNK_BYTES_MAX);
        }

        @Override
        public boolean needsBase() {
            return true;
        }

        @Override
        public int resultLength(int baseLength) {
            return Math.max(baseLength, offset + data.remaining());
        }
    }

    /** The chunk cut or extended (with zeros) to {@code length}. */
    record Truncate(int length) implements ChunkUpdate {
        public Truncate {
            if (length < 0 || length > BaseStoreClient.CHUNK_BYTES_MAX)
                throw new StorageException(
                        Reason.INVALID_ARGUMENT,
                        "truncate to " + length + " not in [0, CHUNK_BYTES_MAX=" + BaseStoreClient.CHUNK_BYTES_MAX
                                + "]");
        }

        @Override
        public boolean needsBase() {
            return true;
        }

        @Override
        public int resultLength(int baseLength) {
            return length;
        }
    }
}
