package io.seabed.metakv;

import io.seabed.metakv.internal.ExpiryCleaner;
import io.seabed.metakv.internal.IdempotencyRecords;
import io.seabed.metakv.internal.Keys;
import io.seabed.metakv.internal.MetaKvNode;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link MetaKv} on a RocksDB state machine under an Apache Ratis group (DESIGN §3.1): a group of one member
 * (the embedded default) or one member of a group of several ({@link MetaKvConfig#peers}). Writes always go
 * through the Raft log (submitted in-process to the local Ratis server); reads use the local RocksDB. The
 * {@link MetaKv} methods are for a group of one, or for the leader; processes outside the group use
 * {@link RemoteMetaKv}, whose calls a member answers through its {@code serve*} methods.
 *
 * <p>Thread safety: every method from any thread, concurrently; all block. Errors: {@link
 * MetaKvException}: INVALID_ARGUMENT for bad keys, values, limits; CONFLICT after retriesMax attempts;
 * TIMEOUT past commitTimeoutMillis (the commit may still apply); NOT_LEADER, UNAVAILABLE from Ratis
 * or RocksDB (cause kept); CLOSED after {@link #close}.
 */
public final class RaftMetaKv implements MetaKv {
    /** Period of the background deletion of expired idempotency records. */
    public static final long EXPIRY_CLEANUP_PERIOD_MILLIS = 5_000;

    private final MetaKvNode node;
    private final InstantSource clock;
    private final ExpiryCleaner cleaner;

    private RaftMetaKv(MetaKvNode node, InstantSource clock) {
        this.node = node;
        this.clock = clock;
        this.cleaner = new ExpiryCleaner(this, clock, EXPIRY_CLEANUP_PERIOD_MILLIS, node::leads);
    }

    /**
     * Opens (or creates) the node in {@code config.directory()} and starts its Ratis server. A group of one then
     * waits up to {@code commitTimeoutMillis} until it leads and has applied its log (UNAVAILABLE otherwise); a
     * member of a group of several returns at once and leads when elected.
     */
    public static RaftMetaKv open(MetaKvConfig config) {
        return open(config, InstantSource.system());
    }

    /** As {@link #open(MetaKvConfig)}, with the clock that sets idempotency record expiry. */
    public static RaftMetaKv open(MetaKvConfig config, InstantSource clock) {
        return new RaftMetaKv(MetaKvNode.open(config), clock);
    }

    /** The background cleanup of expired idempotency records (runs by itself; exposed for tests). */
    ExpiryCleaner expiryCleaner() {
        return cleaner;
    }

    @Override
    public byte[] get(byte[] key) {
        return node.get(key);
    }

    @Override
    public List<byte[]> multiGet(List<byte[]> keys) {
        return node.multiGet(keys);
    }

    @Override
    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) {
        return node.scan(from, to, limit, reverse);
    }

    @Override
    public <T> T transact(TxnFunction<T> fn) {
        return node.transact(fn);
    }

    @Override
    public <T> CompletableFuture<T> transactAsync(TxnFunction<T> fn) {
        return node.transactAsync(fn);
    }

    @Override
    public byte[] transactOnce(RequestId requestId, long retentionMillis, TxnFunction<byte[]> fn) {
        if (retentionMillis <= 0) {
            throw new MetaKvException(
                    MetaKvException.Reason.INVALID_ARGUMENT, "retentionMillis=" + retentionMillis + " <= 0");
        }
        byte[] key = IdempotencyRecords.key(requestId);
        return node.transact(txn -> {
            byte[] record = txn.get(key);
            if (record != null) return IdempotencyRecords.result(record);
            byte[] result = fn.apply(txn);
            txn.put(key, IdempotencyRecords.encode(clock.millis() + retentionMillis, result));
            return result;
        });
    }

    @Override
    public long add(byte[] key, long delta) {
        return node.blind(txn -> txn.add(key, delta))[0];
    }

    @Override
    public long max(byte[] key, long value) {
        return node.blind(txn -> txn.max(key, value))[0];
    }

    @Override
    public boolean putIfAbsent(byte[] key, byte[] value) {
        Keys.checkValue(value);
        return node.blind(txn -> txn.putIfAbsent(key, value))[0] == 1;
    }

    /** True when this member leads its group and decides transactions. */
    public boolean leads() {
        return node.leads();
    }

    /** For {@link MetaKvLink#readVersion}: the applied sequence, at the leader (else NOT_LEADER). */
    public long serveReadVersion() {
        return node.serveReadVersion();
    }

    /** For {@link MetaKvLink#get}: {@link #get} at the leader (else NOT_LEADER). */
    public byte[] serveGet(byte[] key) {
        return node.serveGet(key);
    }

    /** For {@link MetaKvLink#multiGet}: {@link #multiGet} at the leader (else NOT_LEADER). */
    public List<byte[]> serveMultiGet(List<byte[]> keys) {
        return node.serveMultiGet(keys);
    }

    /** For {@link MetaKvLink#scan}: {@link #scan} at the leader (else NOT_LEADER). */
    public List<KeyValue> serveScan(byte[] from, byte[] to, int limit, boolean reverse) {
        return node.serveScan(from, to, limit, reverse);
    }

    /**
     * For {@link MetaKvLink#commit}: decides and commits a remote client's transaction at the leader. Throws
     * NOT_LEADER, INVALID_ARGUMENT (a malformed message) or UNAVAILABLE before anything is submitted; the future
     * fails with TIMEOUT once it was (the outcome is then unknown).
     */
    public CompletableFuture<byte[]> serveCommit(byte[] txn) {
        return node.serveCommit(txn);
    }

    /** For {@link MetaKvLink#validate}: checks a remote read-only transaction's reads at the leader's resolver. */
    public byte[] serveValidate(byte[] txn) {
        return node.serveValidate(txn);
    }

    /**
     * Group commit so far: {log entries, transactions} submitted, and nanoseconds entries took from submit to
     * reply (summed). Under concurrent writers one entry carries
     * many transactions.
     */
    public long[] groupStats() {
        return node.groupStats();
    }

    /** Stops the cleanup, then Ratis, then RocksDB; commits acknowledged before are durable. */
    @Override
    public void close() {
        try {
            cleaner.close();
        } finally {
            node.close();
        }
    }
}
