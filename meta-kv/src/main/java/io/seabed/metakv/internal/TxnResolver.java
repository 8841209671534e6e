package io.seabed.metakv.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The commit decision of optimistic transactions (DESIGN §3.1). Remembers the keys written by the
 * batches it admitted, newest sequence per key, in a window bounded by {@code windowWritesMax}; a
 * transaction that read at sequence R conflicts when a key or range it read was written with a
 * sequence above R. Forgetting old batches raises the low-water mark; a read older than it is
 * TOO_OLD.
 *
 * <p>Not thread safe: called only from {@link KvStateMachine#preAppendTransaction}, which Ratis runs
 * under the log's write lock in log order (RaftLogBase.appendImpl), and from {@link #start} before
 * any write is submitted.
 */
final class TxnResolver {
    private final int windowWritesMax;
    private final TreeMap<byte[], Long> newestByKey = new TreeMap<>(Keys.ORDER);
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private final List<RangeWrite> rangeWrites = new ArrayList<>();
    private int windowWrites;
    private long lastSequence;
    private long lowWater;
    private boolean started;

    private record Batch(long sequence, List<byte[]> keys, List<RangeWrite> ranges) {}

    private record RangeWrite(KeyRange range, long sequence) {}

    TxnResolver(int windowWritesMax) {
        this.windowWritesMax = windowWritesMax;
    }

    /** Starts deciding after everything in the log is applied; {@code appliedSequence} is the newest one. */
    void start(long appliedSequence) {
        lastSequence = appliedSequence;
        lowWater = appliedSequence;
        started = true;
    }

    long lowWater() {
        return lowWater;
    }

    /** Decides {@code txn} and writes the decision into its entry. */
    byte decide(PreparedTxn txn) {
        byte decision = check(txn);
        if (decision != Entry.COMMIT) {
            Entry.decide(txn.entry, decision, 0);
            return decision;
        }
        long sequence = ++lastSequence;
        Entry.decide(txn.entry, Entry.COMMIT, sequence);
        remember(sequence, txn);
        return decision;
    }

    private byte check(PreparedTxn txn) {
        if (!started) return Entry.UNAVAILABLE;
        if (!txn.hasReads()) return Entry.COMMIT;
        long r = txn.readVersion;
        if (r < lowWater) return Entry.TOO_OLD;
        if (r > lastSequence) {
            throw new IllegalStateException("readVersion=" + r + " > lastSequence=" + lastSequence);
        }
        if (r == lastSequence) return Entry.COMMIT;
        for (byte[] key : txn.readKeys) {
            if (pointWrittenAfter(key, r)) return Entry.CONFLICT;
        }
        for (KeyRange range : txn.readRanges) {
            if (rangeWrittenAfter(range, r)) return Entry.CONFLICT;
        }
        return Entry.COMMIT;
    }

    private boolean pointWrittenAfter(byte[] key, long r) {
        Long newest = newestByKey.get(key);
        if (newest != null && newest > r) return true;
        for (RangeWrite w : rangeWrites) {
            if (w.sequence > r && w.range.contains(key)) return true;
        }
        return false;
    }

    private boolean rangeWrittenAfter(KeyRange range, long r) {
        Map<byte[], Long> keys = range.to() == null
                ? newestByKey.tailMap(range.from(), true)
                : newestByKey.subMap(range.from(), true, range.to(), false);
        // Linear in the window's keys inside the range; a per-range max-sequence index would bound it.
        for (Long sequence : keys.values()) {
            if (sequence > r) return true;
        }
        for (RangeWrite w : rangeWrites) {
            if (w.sequence > r && w.range.overlaps(range.from(), range.to())) return true;
        }
        return false;
    }

    private void remember(long sequence, PreparedTxn txn) {
        List<RangeWrite> ranges = List.of();
        if (!txn.writtenRanges.isEmpty()) {
            ranges = new ArrayList<>(txn.writtenRanges.size());
            for (KeyRange range : txn.writtenRanges) {
                RangeWrite w = new RangeWrite(range, sequence);
                ranges.add(w);
                rangeWrites.add(w);
            }
        }
        for (byte[] key : txn.writtenKeys) newestByKey.put(key, sequence);
        batches.addLast(new Batch(sequence, txn.writtenKeys, ranges));
        windowWrites += txn.writtenKeys.size() + ranges.size();
        while (windowWrites > windowWritesMax && batches.size() > 1) forgetOldest();
    }

    private void forgetOldest() {
        Batch oldest = batches.removeFirst();
        for (byte[] key : oldest.keys) {
            newestByKey.remove(key, oldest.sequence);
        }
        if (!oldest.ranges.isEmpty()) rangeWrites.removeAll(oldest.ranges);
        windowWrites -= oldest.keys.size() + oldest.ranges.size();
        lowWater = oldest.sequence;
    }
}
