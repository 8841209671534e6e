package io.seabed.metakv.internal;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.MetaKvLink;
import io.seabed.metakv.TxnFunction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running meta-kv node: RocksDB, the state machine and the Ratis server, wired together; the
 * engine behind {@code RaftMetaKv}. Every call is counted in flight so {@link #close} closes RocksDB
 * only after the last native call returned, without a lock on the read path.
 *
 * <p>Thread safety: any thread. Errors: {@link MetaKvException}.
 */
public final class MetaKvNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaKvNode.class);
    private static final long CLOSE_DRAIN_MILLIS = 10_000;

    private final KvStore store;
    private final KvStateMachine stateMachine;
    private final RaftNode raft;
    private final TxnRunner runner;
    private final LongAdder inFlight = new LongAdder();
    private volatile boolean closed;

    private MetaKvNode(KvStore store, KvStateMachine stateMachine, RaftNode raft, MetaKvConfig config) {
        this.store = store;
        this.stateMachine = stateMachine;
        this.raft = raft;
        this.runner = new TxnRunner(store, stateMachine, raft, config.retriesMax(), config.commitTimeoutMillis());
        this.commitTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.commitTimeoutMillis());
    }

    private final long commitTimeoutNanos;

    /** True when this member leads its group and decides transactions (always, for a group of one once open). */
    public boolean leads() {
        return raft.leads();
    }

    private void checkLeads() {
        if (closed) throw new MetaKvException(Reason.CLOSED, "meta-kv is closed");
        if (!raft.leads()) throw new MetaKvException(Reason.NOT_LEADER, "this meta-kv member does not lead its group");
    }

    /** The read version of a remote transaction: the applied sequence, at the leader. */
    public long serveReadVersion() {
        checkLeads();
        return stateMachine.appliedSequence();
    }

    public byte[] serveGet(byte[] key) {
        checkLeads();
        return get(key);
    }

    public List<byte[]> serveMultiGet(List<byte[]> keys) {
        checkLeads();
        return multiGet(keys);
    }

    /** As {@link #scan}, ending early once the entries hold {@link MetaKvLink#SCAN_REPLY_BYTES_MAX} bytes. */
    public List<KeyValue> serveScan(byte[] from, byte[] to, int limit, boolean reverse) {
        checkLeads();
        return scan(from, to, limit, reverse, MetaKvLink.SCAN_REPLY_BYTES_MAX);
    }

    /**
     * Commits a remote transaction ({@link WireTxn}) through the log: its reply bytes (decision, result count,
     * results). NOT_LEADER, INVALID_ARGUMENT or UNAVAILABLE are thrown before anything is submitted; once it is,
     * any failure completes the future with TIMEOUT (the entry may still commit: Ratis fails the requests
     * pending at a leader that steps down, though a new leader may commit their entries).
     */
    public CompletableFuture<byte[]> serveCommit(byte[] message) {
        checkLeads();
        PreparedTxn txn = WireTxn.decode(message, false);
        enter();
        CompletableFuture<ByteBuffer> submitted;
        try {
            submitted = raft.submitAsync(txn, System.nanoTime() + commitTimeoutNanos);
        } catch (RuntimeException e) {
            inFlight.decrement();
            throw e;
        }
        return submitted.handle((reply, error) -> {
            inFlight.decrement();
            if (error != null) {
                throw new MetaKvException(
                        Reason.TIMEOUT,
                        "commit outcome unknown: "
                                + RaftNode.translate(error, "commit").getMessage());
            }
            byte[] bytes = new byte[reply.remaining()];
            reply.duplicate().get(bytes);
            return bytes;
        });
    }

    /** Validates a remote read-only transaction ({@link WireTxn} without writes): a one-byte decision. */
    public byte[] serveValidate(byte[] message) {
        checkLeads();
        PreparedTxn txn = WireTxn.decode(message, true);
        return new byte[] {stateMachine.validate(txn)};
    }

    /** Opens RocksDB, starts Ratis and waits (up to commitTimeoutMillis) until this node leads and applied its log. */
    public static MetaKvNode open(MetaKvConfig config) {
        KvStore store;
        try {
            store = new KvStore(config.directory().resolve("rocksdb"));
        } catch (IOException e) {
            throw new MetaKvException(Reason.UNAVAILABLE, "open RocksDB in " + config.directory(), e);
        }
        KvStateMachine stateMachine = new KvStateMachine(store, config.resolverWindowWritesMax());
        RaftNode raft = null;
        try {
            raft = RaftNode.start(config, stateMachine);
            if (!config.grouped()) {
                // A group of one leads at once; a member of several leads when elected (RaftNode.watchLeadership).
                raft.awaitReady(config.commitTimeoutMillis());
                stateMachine.startResolver();
            }
            return new MetaKvNode(store, stateMachine, raft, config);
        } catch (IOException | RuntimeException e) {
            MetaKvException failure = e instanceof MetaKvException m
                    ? m
                    : new MetaKvException(Reason.UNAVAILABLE, "start meta-kv in " + config.directory(), e);
            if (raft != null) closeQuietly(raft, failure);
            store.close();
            throw failure;
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception primary) {
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }

    public byte[] get(byte[] key) {
        Keys.checkKey(key);
        enter();
        try {
            return store.get(ReadOptionsHolder.DEFAULT, key);
        } catch (RocksDBException e) {
            throw new MetaKvException(Reason.UNAVAILABLE, "RocksDB get: " + e.getMessage(), e);
        } finally {
            inFlight.decrement();
        }
    }

    public List<byte[]> multiGet(List<byte[]> keys) {
        for (byte[] key : keys) Keys.checkKey(key);
        enter();
        try {
            return store.multiGet(ReadOptionsHolder.DEFAULT, keys);
        } catch (RocksDBException e) {
            throw new MetaKvException(Reason.UNAVAILABLE, "RocksDB multiGet: " + e.getMessage(), e);
        } finally {
            inFlight.decrement();
        }
    }

    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) {
        return scan(from, to, limit, reverse, Long.MAX_VALUE);
    }

    private List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse, long bytesMax) {
        Keys.checkRange(from, to);
        int n = TxnAttempt.checkLimit(limit);
        enter();
        Snapshot snapshot = store.snapshot();
        try (ReadOptions options = new ReadOptions().setSnapshot(snapshot);
                RangeCursor cursor = new RangeCursor(store, options, from, to, reverse)) {
            List<KeyValue> out = new ArrayList<>(Math.min(n, 64));
            long bytes = 0;
            while (out.size() < n && bytes < bytesMax && cursor.next()) {
                KeyValue kv = new KeyValue(cursor.key(), cursor.value());
                out.add(kv);
                bytes += kv.key().length + kv.value().length;
            }
            return out;
        } finally {
            store.release(snapshot);
            inFlight.decrement();
        }
    }

    public <T> T transact(TxnFunction<T> fn) {
        enter();
        try {
            return runner.transact(fn);
        } finally {
            inFlight.decrement();
        }
    }

    /** See {@link io.seabed.metakv.MetaKv#transactAsync}. */
    public <T> CompletableFuture<T> transactAsync(TxnFunction<T> fn) {
        enter();
        CompletableFuture<T> pending;
        try {
            pending = runner.transactAsync(fn);
        } catch (RuntimeException | Error e) {
            inFlight.decrement();
            throw e;
        }
        return pending.whenComplete((result, error) -> inFlight.decrement());
    }

    /** Commits the blind ops {@code ops} adds to an attempt; returns their results in op order. */
    public long[] blind(Consumer<io.seabed.metakv.Txn> ops) {
        enter();
        try {
            return runner.blind(ops);
        } finally {
            inFlight.decrement();
        }
    }

    /** Log entries and transactions submitted through group commit so far. */
    public long[] groupStats() {
        return raft.groupStats();
    }

    private void enter() {
        inFlight.increment();
        if (closed) {
            inFlight.decrement();
            throw new MetaKvException(Reason.CLOSED, "meta-kv is closed");
        }
    }

    /** Stops Ratis (waiters get NOT_LEADER/CLOSED), waits for in-flight calls, flushes and closes RocksDB. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            raft.close();
        } finally {
            drain();
            store.close();
        }
    }

    private void drain() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_DRAIN_MILLIS);
        while (inFlight.sum() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("calls still in flight after " + CLOSE_DRAIN_MILLIS + " ms: "
                        + inFlight.sum() + "; RocksDB left open");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted draining calls; RocksDB left open");
                throw new MetaKvException(Reason.CLOSED, "interrupted while closing", e);
            }
        }
    }
}
