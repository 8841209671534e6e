package io.seabed.metakv.internal;

import io.seabed.metakv.MetaKv;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A transaction prepared by a remote client ({@link RemoteTxns}) as it travels to the leader: the read version,
 * the read set, and the entry of its writes.
 *
 * <pre>
 * long  readVersion
 * int   read keys, each: int length, key
 * int   read ranges, each: int length, from, int length (-1: unbounded), to
 * the rest: an entry of {@link Entry}'s single format
 * </pre>
 *
 * The leader never trusts the write set: {@link #decode} replays the entry's ops through a fresh
 * {@link TxnAttempt}, which checks every key, value and size as a local transaction's ops are checked and
 * records what is written, so a malformed or inconsistent message is refused (INVALID_ARGUMENT) before it
 * can reach the log, whose entries every replica applies blindly.
 */
final class WireTxn {
    /** Read-set entries one message may carry (keys plus ranges): bounded as a transaction's writes are. */
    static final int READS_MAX = 100_000;

    private WireTxn() {}

    static byte[] encode(PreparedTxn txn) {
        int size = 8 + 4 + 4 + txn.entry.length;
        for (byte[] k : txn.readKeys) size += 4 + k.length;
        for (KeyRange r : txn.readRanges) size += 8 + r.from().length + (r.to() == null ? 0 : r.to().length);
        ByteBuffer b = ByteBuffer.allocate(size).putLong(txn.readVersion).putInt(txn.readKeys.size());
        for (byte[] k : txn.readKeys) b.putInt(k.length).put(k);
        b.putInt(txn.readRanges.size());
        for (KeyRange r : txn.readRanges) {
            b.putInt(r.from().length).put(r.from());
            if (r.to() == null) b.putInt(-1);
            else b.putInt(r.to().length).put(r.to());
        }
        return b.put(txn.entry).array();
    }

    /** The leader's copy of a remote transaction; {@code readOnly}: one without writes, for validation. */
    static PreparedTxn decode(byte[] message, boolean readOnly) {
        try {
            return replay(ByteBuffer.wrap(message), readOnly);
        } catch (BufferUnderflowException | IllegalStateException | IllegalArgumentException e) {
            throw new MetaKvException(Reason.INVALID_ARGUMENT, "malformed transaction message: " + e);
        }
    }

    private static PreparedTxn replay(ByteBuffer in, boolean readOnly) {
        long readVersion = in.getLong();
        if (readVersion < 0) throw new IllegalArgumentException("readVersion=" + readVersion);
        int keys = count(in.getInt(), 0);
        List<byte[]> readKeys = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++) {
            byte[] key = bytes(in, false);
            Keys.checkKey(key);
            readKeys.add(key);
        }
        int ranges = count(in.getInt(), keys);
        List<KeyRange> readRanges = new ArrayList<>(ranges);
        for (int i = 0; i < ranges; i++) {
            byte[] from = bytes(in, false);
            byte[] to = bytes(in, true);
            Keys.checkRange(from, to);
            readRanges.add(new KeyRange(from, to));
        }
        ByteBuffer entry = in.slice();
        if (entry.remaining() < Entry.HEADER_BYTES || entry.get(0) != Entry.FORMAT)
            throw new IllegalArgumentException("entry of " + entry.remaining() + " B is not a transaction entry");
        if (Entry.Reader.decision(entry) != Entry.PENDING) throw new IllegalArgumentException("entry already decided");
        if (entry.remaining() > TxnAttempt.ENTRY_BYTES_MAX)
            throw new IllegalArgumentException("entry of " + entry.remaining() + " B > " + TxnAttempt.ENTRY_BYTES_MAX);
        TxnAttempt attempt = new TxnAttempt(null, readVersion);
        Entry.Reader ops = new Entry.Reader(entry);
        int count = entry.getInt(Entry.COUNT_OFFSET);
        if (count < 0 || count > entry.remaining()) throw new IllegalArgumentException("op count=" + count);
        while (ops.next()) {
            switch (ops.type) {
                case Entry.PUT -> attempt.put(ops.key, ops.value);
                case Entry.DELETE -> attempt.delete(ops.key);
                case Entry.DELETE_RANGE -> {
                    if (ops.value == null) throw new IllegalArgumentException("unbounded deleteRange");
                    attempt.deleteRange(ops.key, ops.value);
                }
                case Entry.ADD -> attempt.add(ops.key, ops.number);
                case Entry.MAX -> attempt.max(ops.key, ops.number);
                case Entry.PUT_IF_ABSENT -> attempt.putIfAbsent(ops.key, ops.value);
                default -> throw new IllegalArgumentException("op type=" + ops.type);
            }
        }
        if (ops.remaining() != 0) throw new IllegalArgumentException(ops.remaining() + " B after the last op");
        if (attempt.hasWrites() == readOnly)
            throw new IllegalArgumentException(readOnly ? "writes in a validation" : "a commit without writes");
        return attempt.prepare(readVersion, readKeys, readRanges);
    }

    private static int count(int n, int before) {
        if (n < 0 || (long) n + before > READS_MAX)
            throw new IllegalArgumentException("read set of " + n + " > " + READS_MAX);
        return n;
    }

    private static byte[] bytes(ByteBuffer in, boolean nullable) {
        int n = in.getInt();
        if (n == -1 && nullable) return null;
        if (n < 0 || n > MetaKv.KEY_BYTES_MAX || n > in.remaining())
            throw new IllegalArgumentException("key length " + n);
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}
