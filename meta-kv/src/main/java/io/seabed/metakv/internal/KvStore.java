package io.seabed.metakv.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB of one meta-kv node: column families {@code default}, {@code bodies} (keys of
 * {@code MetaKv.BODY_TABLE}) and {@code meta} (the applied log position), atomic flush on, writes
 * without WAL (the Raft log is the durability point).
 *
 * <p>Thread safety: reads from any thread; {@link #write} only from the state machine's apply
 * thread. {@link #close} after Ratis stopped.
 */
final class KvStore implements AutoCloseable {
    private static final byte[] APPLIED_KEY = {'a'};
    private static final int APPLIED_BYTES = 24;

    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle defaultFamily;
    private final ColumnFamilyHandle bodyFamily;
    private final ColumnFamilyHandle metaFamily;
    private final WriteOptions writeOptions;

    /** The applied log position persisted with the data: term, index and the resolver sequence. */
    record Applied(long term, long index, long sequence) {
        static final Applied NONE = new Applied(0, -1, 0);
    }

    KvStore(Path directory) throws IOException {
        Files.createDirectories(directory);
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setAtomicFlush(true)
                .setMaxBackgroundJobs(2)
                // Compaction read its inputs a block per pread (tens of thousands a second under small PUTs).
                .setCompactionReadaheadSize(2L << 20);
        this.cfOptions = new ColumnFamilyOptions().setWriteBufferSize(32L << 20);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor("bodies".getBytes(), cfOptions),
                new ColumnFamilyDescriptor("meta".getBytes(), cfOptions));
        this.handles = new ArrayList<>(3);
        try {
            this.db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            dbOptions.close();
            cfOptions.close();
            throw new IOException("open RocksDB at " + directory + ": " + e.getMessage(), e);
        }
        this.defaultFamily = handles.get(0);
        this.bodyFamily = handles.get(1);
        this.metaFamily = handles.get(2);
        this.writeOptions = new WriteOptions().setDisableWAL(true);
    }

    ColumnFamilyHandle familyOf(byte[] key) {
        return Keys.isBody(key) ? bodyFamily : defaultFamily;
    }

    ColumnFamilyHandle defaultFamily() {
        return defaultFamily;
    }

    ColumnFamilyHandle bodyFamily() {
        return bodyFamily;
    }

    RocksDB db() {
        return db;
    }

    byte[] get(ReadOptions options, byte[] key) throws RocksDBException {
        return db.get(familyOf(key), options, key);
    }

    List<byte[]> multiGet(ReadOptions options, List<byte[]> keys) throws RocksDBException {
        // RocksDB's multiGetAsList asserts on an empty key list.
        if (keys.isEmpty()) return new ArrayList<>();
        List<ColumnFamilyHandle> families = new ArrayList<>(keys.size());
        for (byte[] key : keys) families.add(familyOf(key));
        return db.multiGetAsList(options, families, keys);
    }

    Snapshot snapshot() {
        return db.getSnapshot();
    }

    void release(Snapshot snapshot) {
        db.releaseSnapshot(snapshot);
    }

    /** Read options kept for reuse: creating and disposing one per transaction were two JNI calls each time. */
    private static final int READ_OPTIONS_POOLED_MAX = 256;

    private final ArrayBlockingQueue<ReadOptions> readOptionsPool = new ArrayBlockingQueue<>(READ_OPTIONS_POOLED_MAX);

    /** Read options reading at {@code snapshot}; give them back with {@link #giveBack}. */
    ReadOptions readOptions(Snapshot snapshot) {
        ReadOptions options = readOptionsPool.poll();
        if (options == null) options = new ReadOptions();
        return options.setSnapshot(snapshot);
    }

    void giveBack(ReadOptions options) {
        options.setSnapshot(null);
        if (!readOptionsPool.offer(options)) options.close();
    }

    Applied applied() throws RocksDBException {
        byte[] b = db.get(metaFamily, APPLIED_KEY);
        if (b == null) return Applied.NONE;
        ByteBuffer buffer = ByteBuffer.wrap(b);
        return new Applied(buffer.getLong(), buffer.getLong(), buffer.getLong());
    }

    /** Adds the applied position to {@code batch} so it is persisted atomically with the data. */
    void putApplied(WriteBatch batch, Applied applied) throws RocksDBException {
        byte[] b = ByteBuffer.allocate(APPLIED_BYTES)
                .putLong(applied.term())
                .putLong(applied.index())
                .putLong(applied.sequence())
                .array();
        batch.put(metaFamily, APPLIED_KEY, b);
    }

    void write(WriteBatch batch) throws RocksDBException {
        db.write(writeOptions, batch);
    }

    /** Flushes every column family atomically and waits: after it, the applied position is on disk. */
    void flush() throws RocksDBException {
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            db.flush(options, handles);
        }
    }

    /** Creates a checkpoint (hard links of SST files) at {@code directory}, which must not exist. */
    void checkpoint(Path directory) throws RocksDBException {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(directory.toString());
        }
    }

    @Override
    public void close() {
        try {
            // WAL is off: flush so a clean close does not need the Raft log to rebuild the memtables.
            flush();
        } catch (RocksDBException e) {
            throw new IllegalStateException("flush before close: " + e.getMessage(), e);
        } finally {
            writeOptions.close();
            for (ReadOptions o = readOptionsPool.poll(); o != null; o = readOptionsPool.poll()) o.close();
            for (ColumnFamilyHandle h : handles) h.close();
            db.close();
            dbOptions.close();
            cfOptions.close();
        }
    }
}
