package io.seabed.basestore.chunk;

import io.seabed.basestore.ChunkId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The chunk metadata of one target in its own RocksDB (WAL on). Every change goes through {@link
 * #commit}: one synced batch, so the batch is durable when the call returns.
 *
 * <p>Thread safety: {@link #get} from any thread; {@link #commit} from the committer thread only;
 * {@link #close} once, after the committer stopped.
 */
final class MetaStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final WriteOptions syncWrites;
    private final RocksDB db;

    private MetaStore(Options options, WriteOptions syncWrites, RocksDB db) {
        this.options = options;
        this.syncWrites = syncWrites;
        this.db = db;
    }

    static MetaStore open(Path directory) throws RocksDBException, IOException {
        Files.createDirectories(directory);
        Options options = new Options().setCreateIfMissing(true).setKeepLogFileNum(4);
        WriteOptions syncWrites = new WriteOptions().setSync(true);
        try {
            return new MetaStore(options, syncWrites, RocksDB.open(options, directory.toString()));
        } catch (RocksDBException e) {
            syncWrites.close();
            options.close();
            throw e;
        }
    }

    /** The committed metadata of a chunk, or null. */
    ChunkMeta get(ChunkId id) throws RocksDBException {
        byte[] value = db.get(ChunkMeta.key(id));
        return value == null ? null : ChunkMeta.decode(value);
    }

    /** The pending (CRAQ, not yet committed) metadata of a chunk, or null. */
    ChunkMeta getPending(ChunkId id) throws RocksDBException {
        byte[] value = db.get(ChunkMeta.pendingKey(id));
        return value == null ? null : ChunkMeta.decode(value);
    }

    /** Calls {@code visitor} for every committed chunk, in id order. */
    void forEach(BiConsumer<ChunkId, ChunkMeta> visitor) throws RocksDBException {
        forEach(ChunkMeta.KEY_PREFIX, null, Long.MAX_VALUE, visitor);
    }

    /** Calls {@code visitor} for every pending chunk version, in id order. */
    void forEachPending(BiConsumer<ChunkId, ChunkMeta> visitor) throws RocksDBException {
        forEach(ChunkMeta.PENDING_KEY_PREFIX, null, Long.MAX_VALUE, visitor);
    }

    /**
     * Calls {@code visitor} for at most {@code countMax} rows under {@code prefix} with ids after
     * {@code after} (from the first when null), in id order; returns how many it visited.
     */
    long forEach(byte prefix, ChunkId after, long countMax, BiConsumer<ChunkId, ChunkMeta> visitor)
            throws RocksDBException {
        long visited = 0;
        try (RocksIterator iterator = db.newIterator()) {
            if (after == null) iterator.seek(new byte[] {prefix});
            else {
                byte[] start = prefix == ChunkMeta.KEY_PREFIX ? ChunkMeta.key(after) : ChunkMeta.pendingKey(after);
                iterator.seek(start);
                if (iterator.isValid() && java.util.Arrays.equals(iterator.key(), start)) iterator.next();
            }
            for (; iterator.isValid() && visited < countMax; iterator.next()) {
                byte[] key = iterator.key();
                if (key.length == 0 || key[0] != prefix) break;
                visitor.accept(ChunkMeta.idOf(key), ChunkMeta.decode(iterator.value()));
                visited++;
            }
            iterator.status();
        }
        return visited;
    }

    /** Writes {@code batch} with {@code sync=true}: it is durable when this returns. */
    void commit(WriteBatch batch) throws RocksDBException {
        db.write(syncWrites, batch);
    }

    @Override
    public void close() {
        db.close();
        syncWrites.close();
        options.close();
    }
}
