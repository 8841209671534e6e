package io.seabed.metakv.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Turns one decided entry into a RocksDB {@link WriteBatch}, deterministically: blind operations read
 * the current value (or the value an earlier op of the same batch left) and nothing else (no clock,
 * no randomness). Returns the per-op results of blind ops, in op order: the new value for ADD and
 * MAX, 1 or 0 (stored or not) for PUT_IF_ABSENT.
 *
 * <p>Used only by the state machine's apply thread.
 */
final class BatchApplier {
    private static final byte[] TOMBSTONE = new byte[0];

    private final KvStore store;

    BatchApplier(KvStore store) {
        this.store = store;
    }

    /** Adds the ops of {@code entry} to {@code batch}; returns the blind ops' results. */
    long[] apply(ByteBuffer entry, WriteBatch batch) throws RocksDBException {
        return apply(entry, batch, new Scope());
    }

    /**
     * What the entries applied so far into one WriteBatch wrote, since a WriteBatch cannot be read: values
     * (TOMBSTONE: deleted) and deleted ranges. Entries of a group share one scope, so each sees the ones before.
     */
    static final class Scope {
        final Map<ByteKey, byte[]> written = new HashMap<>();
        final List<KeyRange> deletedRanges = new ArrayList<>(0);
    }

    /** As {@link #apply(ByteBuffer, WriteBatch)}, after the entries {@code scope} has seen in the same batch. */
    long[] apply(ByteBuffer entry, WriteBatch batch, Scope scope) throws RocksDBException {
        Entry.Reader reader = new Entry.Reader(entry);
        Map<ByteKey, byte[]> written = scope.written;
        List<KeyRange> deletedRanges = scope.deletedRanges;
        long[] results = new long[8];
        int resultCount = 0;
        while (reader.next()) {
            byte[] key = reader.key;
            switch (reader.type) {
                case Entry.PUT -> {
                    batch.put(store.familyOf(key), key, reader.value);
                    written.put(new ByteKey(key), reader.value);
                }
                case Entry.DELETE -> {
                    batch.delete(store.familyOf(key), key);
                    written.put(new ByteKey(key), TOMBSTONE);
                }
                case Entry.DELETE_RANGE -> {
                    deleteRange(batch, key, reader.value);
                    written.entrySet().removeIf(e -> Keys.inRange(e.getKey().bytes(), key, reader.value));
                    deletedRanges.add(new KeyRange(key, reader.value));
                }
                default -> {
                    byte[] current = current(key, written, deletedRanges);
                    long result = blind(reader, current);
                    if (resultCount == results.length) results = Arrays.copyOf(results, resultCount * 2);
                    results[resultCount++] = result;
                    byte[] stored = reader.type == Entry.PUT_IF_ABSENT
                            ? (result == 1 ? reader.value : null)
                            : Keys.counterBytes(result);
                    if (stored != null) {
                        batch.put(store.familyOf(key), key, stored);
                        written.put(new ByteKey(key), stored);
                    }
                }
            }
        }
        return Arrays.copyOf(results, resultCount);
    }

    private static long blind(Entry.Reader op, byte[] current) {
        return switch (op.type) {
            case Entry.ADD -> Keys.counterOr(current, 0) + op.number;
            case Entry.MAX -> current == null ? op.number : Math.max(Keys.counterOr(current, op.number), op.number);
            case Entry.PUT_IF_ABSENT -> current == null ? 1 : 0;
            default -> throw new IllegalStateException("not a blind op: type=" + op.type);
        };
    }

    private byte[] current(byte[] key, Map<ByteKey, byte[]> written, List<KeyRange> deletedRanges)
            throws RocksDBException {
        byte[] w = written.get(new ByteKey(key));
        if (w != null) return w == TOMBSTONE ? null : w;
        for (KeyRange range : deletedRanges) {
            if (range.contains(key)) return null;
        }
        return store.db().get(store.familyOf(key), key);
    }

    /** A range delete split at the body table's bounds, since bodies live in their own family. */
    private void deleteRange(WriteBatch batch, byte[] from, byte[] to) throws RocksDBException {
        deleteSegment(batch, store.defaultFamily(), from, minKey(to, Keys.BODY_FROM));
        deleteSegment(batch, store.bodyFamily(), maxKey(from, Keys.BODY_FROM), minKey(to, Keys.BODY_TO));
        deleteSegment(batch, store.defaultFamily(), maxKey(from, Keys.BODY_TO), to);
    }

    private static void deleteSegment(WriteBatch batch, ColumnFamilyHandle family, byte[] from, byte[] to)
            throws RocksDBException {
        if (Keys.compare(from, to) < 0) batch.deleteRange(family, from, to);
    }

    private static byte[] minKey(byte[] a, byte[] b) {
        return Keys.compare(a, b) <= 0 ? a : b;
    }

    private static byte[] maxKey(byte[] a, byte[] b) {
        return Keys.compare(a, b) >= 0 ? a : b;
    }
}
