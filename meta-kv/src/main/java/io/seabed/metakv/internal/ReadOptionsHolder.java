package io.seabed.metakv.internal;

import org.rocksdb.ReadOptions;

/** Shared read options of plain (latest-state) reads; RocksDB only reads them, so sharing is safe. */
final class ReadOptionsHolder {
    static final ReadOptions DEFAULT = new ReadOptions();

    private ReadOptionsHolder() {}
}
