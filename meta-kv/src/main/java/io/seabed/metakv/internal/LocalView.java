package io.seabed.metakv.internal;

import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;

/** Reads of this node's RocksDB with {@code options} (a snapshot the caller owns). */
record LocalView(KvStore store, ReadOptions options) implements BaseView {
    @Override
    public byte[] get(byte[] key) {
        try {
            return store.get(options, key);
        } catch (RocksDBException e) {
            throw new MetaKvException(Reason.UNAVAILABLE, "RocksDB get: " + e.getMessage(), e);
        }
    }

    @Override
    public Cursor cursor(byte[] from, byte[] to, boolean reverse) {
        return new RangeCursor(store, options, from, to, reverse);
    }
}
