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
 * @param peers the Raft addresses ({@code host:port}) of every member of a group of several, in member order,
 *     the same list at every member; empty for a group of one (then raftHost and raftPort are its address)
 * @param self this member's place in {@code peers} (0 when empty)
 */
public record MetaKvConfig(
        Path directory,
        String raftHost,
        int raftPort,
        long commitTimeoutMillis,
        int retriesMax,
        int resolverWindowWritesMax,
        long snapshotEveryEntries,
        java.util.List<String> peers,
        int self) {

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
        peers = java.util.List.copyOf(Objects.requireNonNull(peers, "peers"));
        if (peers.size() == 1) throw new IllegalArgumentException("peers: one member is the empty list");
        if (peers.isEmpty() ? self != 0 : self < 0 || self >= peers.size())
            throw new IllegalArgumentException("self=" + self + " of " + peers.size() + " peers");
        for (String p : peers) {
            int colon = p.lastIndexOf(':');
            if (colon <= 0 || colon == p.length() - 1)
                throw new IllegalArgumentException("peer " + p + ": not host:port");
        }
    }

    /** A group of one member at {@code raftHost:raftPort}. */
    public MetaKvConfig(
            Path directory,
            String raftHost,
            int raftPort,
            long commitTimeoutMillis,
            int retriesMax,
            int resolverWindowWritesMax,
            long snapshotEveryEntries) {
        this(
                directory,
                raftHost,
                raftPort,
                commitTimeoutMillis,
                retriesMax,
                resolverWindowWritesMax,
                snapshotEveryEntries,
                java.util.List.of(),
                0);
    }

    /** True for a member of a group of several. */
    public boolean grouped() {
        return !peers.isEmpty();
    }

    /** The same settings as member {@code self} of the group whose members are at {@code peers}. */
    public MetaKvConfig member(java.util.List<String> peers, int self) {
        String me = peers.get(self);
        int colon = me.lastIndexOf(':');
        return new MetaKvConfig(
                directory,
                me.substring(0, colon),
                Integer.parseInt(me.substring(colon + 1)),
                commitTimeoutMillis,
                retriesMax,
                resolverWindowWritesMax,
                snapshotEveryEntries,
                peers,
                self);
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
