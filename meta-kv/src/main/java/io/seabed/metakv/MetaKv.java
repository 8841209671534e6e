package io.seabed.metakv;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The metadata store's front door: an ordered byte-key map with serializable optimistic
 * transactions (DESIGN §3.1).
 *
 * <p>Keys compare as unsigned bytes. Keys whose first byte is {@link #BODY_TABLE} live in a separate
 * RocksDB column family (inline object bodies), so scans of other tables never read bodies.
 *
 * <p>Thread safety: every method may be called from any thread, concurrently. Methods block (they
 * wait for RocksDB and for the Raft log): never call them from an event loop. The one exception is
 * {@link #transactAsync}, which reads RocksDB on the calling thread but never waits for the log.
 *
 * <p>Errors: {@link MetaKvException} with a {@link MetaKvException.Reason}; exceptions thrown by a
 * transaction function propagate unchanged and nothing of that attempt is written.
 */
public interface MetaKv extends AutoCloseable {

    /** Table byte of inline bodies; such keys are stored in their own column family. */
    byte BODY_TABLE = 0x60;

    /** Longest key accepted, in bytes. */
    int KEY_BYTES_MAX = 4096;

    /** Largest value accepted, in bytes (inline bodies up to 64 KiB plus a header). */
    int VALUE_BYTES_MAX = 256 * 1024;

    /** The committed value of {@code key}, or null. Reads the leader's applied state. */
    byte[] get(byte[] key);

    /** The committed values of {@code keys}, in order, null where absent. */
    List<byte[]> multiGet(List<byte[]> keys);

    /**
     * Up to {@code limit} entries with {@code from <= key < to} (null {@code to}: to the end), in
     * ascending order, or descending from just below {@code to} when {@code reverse}.
     */
    List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse);

    /**
     * Runs {@code fn} against a consistent read view and commits its writes if nothing it read
     * (keys and scanned ranges) was written since; otherwise runs it again, a bounded number of
     * times, then fails with {@link MetaKvException.Reason#CONFLICT}. {@code fn} may run more than
     * once, so it must not have side effects outside the transaction.
     */
    <T> T transact(TxnFunction<T> fn);

    /**
     * As {@link #transact}, without waiting for the commit: the first attempt runs on the calling thread
     * (reads of this node's RocksDB, no waiting for the log) and the result comes through the returned
     * future, which completes on a meta-kv thread once the commit is applied (or with
     * {@link MetaKvException}, TIMEOUT after the commit timeout). If that attempt conflicts, the retries
     * run as {@link #transact} on a thread of their own. Dependent work should move off the completing
     * thread. Exceptions of the first attempt (of {@code fn} or of the store) are thrown directly.
     */
    <T> CompletableFuture<T> transactAsync(TxnFunction<T> fn);

    /**
     * As {@link #transact}, exactly once for {@code requestId}: the function's result is stored in
     * the same commit (for {@code retentionMillis}), and a later call with the same id returns the
     * stored result without running {@code fn}.
     */
    byte[] transactOnce(RequestId requestId, long retentionMillis, TxnFunction<byte[]> fn);

    /** Blindly adds {@code delta} to the 8-byte big-endian counter at {@code key}; returns the new value. */
    long add(byte[] key, long delta);

    /** Blindly raises the 8-byte big-endian value at {@code key} to at least {@code value}; returns the result. */
    long max(byte[] key, long value);

    /** Stores {@code value} unless {@code key} exists; true when it was stored. */
    boolean putIfAbsent(byte[] key, byte[] value);

    @Override
    void close();
}
