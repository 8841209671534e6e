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

    /** Calls {@code visitor} for every committed chunk, in id order; used at open only. */
    void forEach(BiConsumer<ChunkId, ChunkMeta> visitor) throws RocksDBException {
        try (RocksIterator iterator = db.newIterator()) {
            for (iterator.seek(new byte[] {ChunkMeta.KEY_PREFIX}); iterator.isValid(); iterator.next()) {
                byte[] key = iterator.key();
                if (key.length == 0 || key[0] != ChunkMeta.KEY_PREFIX) break;
                visitor.accept(ChunkMeta.idOf(key), ChunkMeta.decode(iterator.value()));
            }
            iterator.status();
        }
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
