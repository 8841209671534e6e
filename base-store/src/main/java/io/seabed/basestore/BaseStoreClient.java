package io.seabed.basestore;

import java.nio.ByteBuffer;

/**
 * The storage base as its callers see it: write a chunk, read a range, delete. This issue's
 * implementation places replicas on local targets; later ones put the same interface in front of
 * data-plane RPC and CRAQ chains without changing callers.
 *
 * <p>Thread safety: all methods may be called concurrently from any thread; they block, so never
 * call them from an event loop.
 */
public interface BaseStoreClient extends AutoCloseable {

    /** Largest chunk accepted, in bytes. */
    int CHUNK_BYTES_MAX = 64 << 20;

    /** Bytes covered by one CRC32C; every chunk's checksums are per block of this size from offset 0. */
    int CRC_BLOCK_BYTES = 64 << 10;

    /**
     * Writes a new, immutable chunk durably on {@link #replicas()} distinct healthy targets and
     * returns where it lives. Reads {@code data} from its position to its limit and does not keep it.
     *
     * @throws StorageException NOT_ENOUGH_TARGETS when fewer healthy targets exist, IO_ERROR when a
     *     write failed on a target (that target is taken offline; the caller may retry)
     */
    ChunkRef writeChunk(ChunkId id, ByteBuffer data);

    /**
     * Fills {@code output} (position to limit) with the chunk's bytes from {@code offsetBytes},
     * from any healthy replica, verifying CRC32C of every 64 KiB block read; a replica whose check
     * fails is reported and the next one is tried.
     *
     * @throws StorageException NO_SUCH_CHUNK, CORRUPT when no replica has good bytes, OUT_OF_RANGE
     */
    void readChunk(ChunkRef ref, int offsetBytes, ByteBuffer output);

    /** Deletes every replica of the chunk; deleting a missing chunk is not an error. */
    void deleteChunk(ChunkRef ref);

    /**
     * Deletes chunk {@code id} wherever it may live: for writes that died before their placement was
     * recorded (the garbage collector's intents). Missing is not an error.
     */
    void deleteChunkAnywhere(ChunkId id);

    /** How many replicas each chunk gets. */
    int replicas();
}
