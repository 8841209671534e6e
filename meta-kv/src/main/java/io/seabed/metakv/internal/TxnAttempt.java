package io.seabed.metakv.internal;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.Txn;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One attempt of a transaction: reads a {@link BaseView} that holds at least everything up to the applied
 * sequence R read before it (a RocksDB snapshot taken after R was read, or the leader's newest state; any newer
 * data it shows only causes a spurious conflict, never a missed one), records its read set, and buffers its
 * writes in op order with an overlay for read-your-own-writes.
 *
 * <p>Not thread safe: used by the thread running the transaction function. The caller owns the view.
 */
final class TxnAttempt implements Txn {
    /** Largest encoded batch of one transaction; bounded by Ratis' log buffer (RaftNode sets it). */
    static final int ENTRY_BYTES_MAX = 4 << 20;

    /** Entries one scan returns at most, whatever the limit asked. */
    static final int SCAN_LIMIT_MAX = 100_000;

    private final BaseView view;
    private final long readVersion;
    private final TreeMap<byte[], PendingValue> overlay = new TreeMap<>(Keys.ORDER);
    private final List<KeyRange> deletedRanges = new ArrayList<>(0);
    private final Entry.Writer writer = new Entry.Writer();
    private final List<byte[]> readKeys = new ArrayList<>();
    private final List<KeyRange> readRanges = new ArrayList<>(0);
    private final List<byte[]> writtenKeys = new ArrayList<>();
    private final List<KeyRange> writtenRanges = new ArrayList<>(0);
    private int entryBytes = Entry.HEADER_BYTES;

    /** An attempt reading {@code view} (null: blind ops only) at sequence {@code readVersion}. */
    TxnAttempt(BaseView view, long readVersion) {
        this.view = view;
        this.readVersion = readVersion;
    }

    boolean hasWrites() {
        return writer.count() > 0;
    }

    PreparedTxn prepare() {
        return new PreparedTxn(writer.finish(), readVersion, readKeys, readRanges, writtenKeys, writtenRanges);
    }

    /** As {@link #prepare}, with a read set that was recorded elsewhere (a remote client's; see {@link WireTxn}). */
    PreparedTxn prepare(long readVersion, List<byte[]> readKeys, List<KeyRange> readRanges) {
        return new PreparedTxn(writer.finish(), readVersion, readKeys, readRanges, writtenKeys, writtenRanges);
    }

    /** Reads this attempt recorded: keys, then ranges. */
    List<byte[]> readKeys() {
        return readKeys;
    }

    List<KeyRange> readRanges() {
        return readRanges;
    }

    @Override
    public byte[] get(byte[] key) {
        Keys.checkKey(key);
        PendingValue pending = overlay.get(key);
        if (pending != null && pending.known) return copy(pending.value);
        if (pending == null && inDeletedRange(key)) return null;
        byte[] base = readBase(key);
        if (pending == null) return base;
        pending.resolve(base);
        return copy(pending.value);
    }

    @Override
    public List<byte[]> multiGet(List<byte[]> keys) {
        List<byte[]> values = new ArrayList<>(keys.size());
        for (byte[] key : keys) values.add(get(key));
        return values;
    }

    @Override
    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) {
        Keys.checkRange(from, to);
        int n = checkLimit(limit);
        if (to != null && Keys.compare(from, to) >= 0) return new ArrayList<>(0);
        NavigableMap<byte[], PendingValue> view =
                to == null ? overlay.tailMap(from, true) : overlay.subMap(from, true, to, false);
        if (reverse) view = view.descendingMap();
        Iterator<Map.Entry<byte[], PendingValue>> own = view.entrySet().iterator();
        List<KeyValue> out = new ArrayList<>(Math.min(n, 64));
        try (BaseView.Cursor base = this.view.cursor(from, to, reverse)) {
            boolean hasBase = base.next();
            Map.Entry<byte[], PendingValue> mine = own.hasNext() ? own.next() : null;
            while (out.size() < n && (hasBase || mine != null)) {
                int c = !hasBase ? 1 : mine == null ? -1 : Keys.compare(base.key(), mine.getKey()) * (reverse ? -1 : 1);
                if (c < 0) {
                    if (!inDeletedRange(base.key())) out.add(new KeyValue(base.key(), base.value()));
                    hasBase = base.next();
                    continue;
                }
                PendingValue pending = mine.getValue();
                if (!pending.known) pending.resolve(c == 0 ? base.value() : null);
                if (pending.value != null) out.add(new KeyValue(mine.getKey().clone(), pending.value.clone()));
                if (c == 0) hasBase = base.next();
                mine = own.hasNext() ? own.next() : null;
            }
        }
        recordRange(from, to, reverse, out, n);
        return out;
    }

    private void recordRange(byte[] from, byte[] to, boolean reverse, List<KeyValue> out, int limit) {
        if (out.size() < limit) {
            readRanges.add(new KeyRange(from, to));
            return;
        }
        byte[] last = out.getLast().key();
        readRanges.add(reverse ? new KeyRange(last, to) : new KeyRange(from, Keys.successor(last)));
    }

    static int checkLimit(int limit) {
        if (limit < 1) throw new MetaKvException(Reason.INVALID_ARGUMENT, "scan limit=" + limit + " < 1");
        return Math.min(limit, SCAN_LIMIT_MAX);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        Keys.checkKey(key);
        Keys.checkValue(value);
        byte[] k = key.clone();
        byte[] v = value.clone();
        grow(9 + k.length + v.length);
        writer.put(Entry.PUT, k, v);
        overlay.put(k, PendingValue.known(v));
        writtenKeys.add(k);
    }

    @Override
    public void delete(byte[] key) {
        Keys.checkKey(key);
        byte[] k = key.clone();
        grow(5 + k.length);
        writer.delete(k);
        overlay.put(k, PendingValue.known(null));
        writtenKeys.add(k);
    }

    @Override
    public void deleteRange(byte[] from, byte[] to) {
        Keys.checkKey(from);
        Keys.checkKey(to);
        if (Keys.compare(from, to) >= 0) {
            throw new MetaKvException(Reason.INVALID_ARGUMENT, "deleteRange from >= to");
        }
        byte[] f = from.clone();
        byte[] t = to.clone();
        grow(9 + f.length + t.length);
        writer.deleteRange(f, t);
        for (PendingValue p : overlay.subMap(f, true, t, false).values()) p.setKnown(null);
        deletedRanges.add(new KeyRange(f, t));
        writtenRanges.add(new KeyRange(f, t));
    }

    @Override
    public void add(byte[] key, long delta) {
        blind(Entry.ADD, key, delta, null);
    }

    @Override
    public void max(byte[] key, long value) {
        blind(Entry.MAX, key, value, null);
    }

    @Override
    public void putIfAbsent(byte[] key, byte[] value) {
        Keys.checkValue(value);
        blind(Entry.PUT_IF_ABSENT, key, 0, value.clone());
    }

    private void blind(byte type, byte[] key, long number, byte[] value) {
        Keys.checkKey(key);
        byte[] k = key.clone();
        grow(9 + k.length + (value == null ? 8 : value.length));
        if (value == null) writer.number(type, k, number);
        else writer.put(type, k, value);
        PendingValue pending = overlay.get(k);
        if (pending == null) {
            pending = inDeletedRange(k) ? PendingValue.known(null) : PendingValue.unknown();
            overlay.put(k, pending);
        }
        pending.apply(type, number, value);
        writtenKeys.add(k);
    }

    private void grow(int bytes) {
        entryBytes += bytes;
        if (entryBytes > ENTRY_BYTES_MAX) {
            throw new MetaKvException(
                    Reason.INVALID_ARGUMENT,
                    "transaction batch bytes=" + entryBytes + " > ENTRY_BYTES_MAX=" + ENTRY_BYTES_MAX);
        }
    }

    private byte[] readBase(byte[] key) {
        readKeys.add(key.clone());
        return view.get(key);
    }

    private boolean inDeletedRange(byte[] key) {
        for (KeyRange r : deletedRanges) {
            if (r.contains(key)) return true;
        }
        return false;
    }

    private static byte[] copy(byte[] value) {
        return value == null ? null : value.clone();
    }
}
