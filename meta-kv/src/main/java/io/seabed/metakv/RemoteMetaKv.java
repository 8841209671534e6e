package io.seabed.metakv;

import io.seabed.metakv.internal.IdempotencyRecords;
import io.seabed.metakv.internal.Keys;
import io.seabed.metakv.internal.RemoteTxns;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link MetaKv} of a process that is not a member of the meta-kv group (a gateway of a cluster whose metadata
 * lives on {@code seabed meta} nodes): every read and commit goes to the group's leader through a
 * {@link MetaKvLink}; the transaction semantics are {@link RaftMetaKv}'s (DESIGN §3.1: reads at the leader's
 * applied state, the read set checked by its resolver at commit). Leader changes are followed within the
 * commit timeout. A commit whose reply is lost fails with TIMEOUT, as a local one past its deadline;
 * {@link #transactOnce} retries those with the same request id, so it still applies once.
 *
 * <p>Thread safety: any thread. Methods block on the network; {@link #transactAsync} runs on a virtual thread.
 */
public final class RemoteMetaKv implements MetaKv {
    private static final Executor ASYNC =
            command -> Thread.ofVirtual().name("meta-kv-remote").start(command);

    private final MetaKvLink link;
    private final RemoteTxns txns;
    private final InstantSource clock;
    private volatile boolean closed;

    public RemoteMetaKv(MetaKvLink link, int retriesMax, long commitTimeoutMillis, InstantSource clock) {
        this.link = link;
        this.txns = new RemoteTxns(link, retriesMax, commitTimeoutMillis);
        this.clock = clock;
    }

    /** With the default retries and commit timeout of {@link MetaKvConfig} and the system clock. */
    public RemoteMetaKv(MetaKvLink link) {
        this(
                link,
                MetaKvConfig.RETRIES_MAX_DEFAULT,
                MetaKvConfig.COMMIT_TIMEOUT_MILLIS_DEFAULT,
                InstantSource.system());
    }

    @Override
    public byte[] get(byte[] key) {
        checkOpen();
        return txns.get(key);
    }

    @Override
    public List<byte[]> multiGet(List<byte[]> keys) {
        checkOpen();
        return txns.multiGet(keys);
    }

    @Override
    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) {
        checkOpen();
        return txns.scan(from, to, limit, reverse);
    }

    @Override
    public <T> T transact(TxnFunction<T> fn) {
        checkOpen();
        return txns.transact(fn);
    }

    /** Runs {@link #transact} on a virtual thread of its own: nothing happens on the calling thread. */
    @Override
    public <T> CompletableFuture<T> transactAsync(TxnFunction<T> fn) {
        checkOpen();
        return CompletableFuture.supplyAsync(() -> txns.transact(fn), ASYNC);
    }

    @Override
    public byte[] transactOnce(RequestId requestId, long retentionMillis, TxnFunction<byte[]> fn) {
        checkOpen();
        if (retentionMillis <= 0) {
            throw new MetaKvException(
                    MetaKvException.Reason.INVALID_ARGUMENT, "retentionMillis=" + retentionMillis + " <= 0");
        }
        byte[] key = IdempotencyRecords.key(requestId);
        TxnFunction<byte[]> once = txn -> {
            byte[] record = txn.get(key);
            if (record != null) return IdempotencyRecords.result(record);
            byte[] result = fn.apply(txn);
            txn.put(key, IdempotencyRecords.encode(clock.millis() + retentionMillis, result));
            return result;
        };
        try {
            return txns.transact(once);
        } catch (MetaKvException e) {
            if (e.reason() != MetaKvException.Reason.TIMEOUT) throw e;
            // The commit may have applied: the record says whether it did, and a second run applies it once.
            return txns.transact(once);
        }
    }

    @Override
    public long add(byte[] key, long delta) {
        checkOpen();
        return txns.blind(txn -> txn.add(key, delta))[0];
    }

    @Override
    public long max(byte[] key, long value) {
        checkOpen();
        return txns.blind(txn -> txn.max(key, value))[0];
    }

    @Override
    public boolean putIfAbsent(byte[] key, byte[] value) {
        checkOpen();
        Keys.checkValue(value);
        return txns.blind(txn -> txn.putIfAbsent(key, value))[0] == 1;
    }

    private void checkOpen() {
        if (closed) throw new MetaKvException(MetaKvException.Reason.CLOSED, "meta-kv client is closed");
    }

    @Override
    public void close() {
        closed = true;
        link.close();
    }
}
