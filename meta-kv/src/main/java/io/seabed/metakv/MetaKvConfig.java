package io.seabed.metakv;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of one meta-kv node.
 *
 * @param directory where the Raft log, RocksDB and snapshots live
 * @param raftHost host the Ratis server binds and advertises
 * @param raftPort port of the Ratis server (0: choose a free one at start)
 * @param commitTimeoutMillis deadline of one commit through the log
 * @param retriesMax attempts of a conflicting transaction before CONFLICT
 * @param resolverWindowWritesMax keys the resolver remembers before older read views turn TOO_OLD
 * @param snapshotEveryEntries take a snapshot (RocksDB checkpoint) after this many applied entries
 */
public record MetaKvConfig(
        Path directory,
        String raftHost,
        int raftPort,
        long commitTimeoutMillis,
        int retriesMax,
        int resolverWindowWritesMax,
        long snapshotEveryEntries) {

    public static final long COMMIT_TIMEOUT_MILLIS_DEFAULT = 30_000;
    public static final int RETRIES_MAX_DEFAULT = 64;
    /** About 20 MB of heap; at ~6,000 small PUTs/s (about 4 keys each) a read view stays valid ~8 s. */
    public static final int RESOLVER_WINDOW_WRITES_MAX_DEFAULT = 200_000;

    public static final long SNAPSHOT_EVERY_ENTRIES_DEFAULT = 400_000;

    public MetaKvConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(raftHost, "raftHost");
        if (raftPort < 0 || raftPort > 65535) throw new IllegalArgumentException("raftPort=" + raftPort);
        if (commitTimeoutMillis <= 0) throw new IllegalArgumentException("commitTimeoutMillis=" + commitTimeoutMillis);
        if (retriesMax < 1) throw new IllegalArgumentException("retriesMax=" + retriesMax + " < 1");
        if (resolverWindowWritesMax < 1024)
            throw new IllegalArgumentException("resolverWindowWritesMax=" + resolverWindowWritesMax + " < 1024");
        if (snapshotEveryEntries < 1)
            throw new IllegalArgumentException("snapshotEveryEntries=" + snapshotEveryEntries);
    }

    public static MetaKvConfig defaults(Path directory) {
        return new MetaKvConfig(
                directory,
                "127.0.0.1",
                0,
                COMMIT_TIMEOUT_MILLIS_DEFAULT,
                RETRIES_MAX_DEFAULT,
                RESOLVER_WINDOW_WRITES_MAX_DEFAULT,
                SNAPSHOT_EVERY_ENTRIES_DEFAULT);
    }
}
