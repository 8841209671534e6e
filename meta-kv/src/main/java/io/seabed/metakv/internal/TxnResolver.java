package io.seabed.metakv.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The commit decision of optimistic transactions (DESIGN §3.1). Remembers the keys written by the
 * batches it admitted, newest sequence per key, in a window bounded by {@code windowWritesMax}; a
 * transaction that read at sequence R conflicts when a key or range it read was written with a
 * sequence above R. Forgetting old batches raises the low-water mark; a read older than it is
 * TOO_OLD.
 *
 * <p>Thread safety: synchronized. {@link #decide} runs from {@link KvStateMachine#preAppendTransaction}, which
 * Ratis calls under the log's write lock in log order (RaftLogBase.appendImpl); {@link #start} and {@link #stop}
 * come from leadership changes and {@link #validate} from remote readers, so they take the same monitor (never
 * contended on the write path).
 *
 * <p>In a group of several members only the leader decides. A stopped resolver answers UNAVAILABLE and assigns
 * no sequence, so a new leader can start it at its applied sequence once everything before its term is applied
 * (see {@code RaftNode}); the window starts empty, so reads older than that are TOO_OLD.
 */
final class TxnResolver {
    private final int windowWritesMax;
    /**
     * Newest admitted sequence per key fingerprint in the window (point lookups; see {@link KeyFingerprint}: a
     * shared fingerprint can only make a conflict of a commit). Fingerprints come with each transaction, computed
     * on its own thread, so this single thread never hashes key bytes.
     */
    private final FingerprintWindow newestByKey;

    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private final List<RangeWrite> rangeWrites = new ArrayList<>();
    private int windowWrites;
    private long lastSequence;
    private long lowWater;
    private boolean started;

    private record Batch(long sequence, List<byte[]> keys, long[] fingerprints, List<RangeWrite> ranges) {}

    private record RangeWrite(KeyRange range, long sequence) {}

    TxnResolver(int windowWritesMax) {
        this.windowWritesMax = windowWritesMax;
        this.newestByKey = new FingerprintWindow(windowWritesMax);
    }

    /** Starts deciding after everything in the log is applied; {@code appliedSequence} is the newest one. */
    synchronized void start(long appliedSequence) {
        batches.clear();
        rangeWrites.clear();
        newestByKey.clear();
        windowWrites = 0;
        lastSequence = appliedSequence;
        lowWater = appliedSequence;
        started = true;
    }

    /** Stops deciding (this member no longer leads): every decision is UNAVAILABLE until {@link #start}. */
    synchronized void stop() {
        started = false;
    }

    synchronized boolean started() {
        return started;
    }

    /**
     * Whether a read-only transaction's reads are those of one consistent state: COMMIT when nothing it read was
     * decided since its read version, else CONFLICT, TOO_OLD or UNAVAILABLE as {@link #decide} would answer.
     */
    synchronized byte validate(PreparedTxn txn) {
        return check(txn);
    }

    synchronized long lowWater() {
        return lowWater;
    }

    /** Decides {@code txn} and writes the decision into its entry. */
    byte decide(PreparedTxn txn) {
        return decide(txn, txn.entry, 0);
    }

    /** Decides {@code txn} and writes the decision into its copy at {@code offset} of {@code buffer}. */
    synchronized byte decide(PreparedTxn txn, byte[] buffer, int offset) {
        byte decision = check(txn);
        if (decision != Entry.COMMIT) {
            Entry.decide(buffer, offset, decision, 0);
            return decision;
        }
        long sequence = ++lastSequence;
        Entry.decide(buffer, offset, Entry.COMMIT, sequence);
        remember(sequence, txn);
        return decision;
    }

    private byte check(PreparedTxn txn) {
        if (!started) return Entry.UNAVAILABLE;
        if (!txn.hasReads()) return Entry.COMMIT;
        long r = txn.readVersion;
        if (r < lowWater) return Entry.TOO_OLD;
        // Only a remote client can ask this (a read version from another member's newer term): never decide it.
        if (r > lastSequence) return Entry.TOO_OLD;
        if (r == lastSequence) return Entry.COMMIT;
        long[] readFingerprints = txn.readFingerprints;
        for (int i = 0; i < readFingerprints.length; i++) {
            if (pointWrittenAfter(txn.readKeys.get(i), readFingerprints[i], r)) return Entry.CONFLICT;
        }
        for (KeyRange range : txn.readRanges) {
            if (rangeWrittenAfter(range, r)) return Entry.CONFLICT;
        }
        return Entry.COMMIT;
    }

    private boolean pointWrittenAfter(byte[] key, long fingerprint, long r) {
        if (newestByKey.get(fingerprint) > r) return true;
        for (RangeWrite w : rangeWrites) {
            if (w.sequence > r && w.range.contains(key)) return true;
        }
        return false;
    }

    private boolean rangeWrittenAfter(KeyRange range, long r) {
        // The batches admitted after the read, newest first: linear in what was written since r, which the
        // window bounds (range reads are rare on the write path; point reads take the hash map).
        for (var it = batches.descendingIterator(); it.hasNext(); ) {
            Batch b = it.next();
            if (b.sequence <= r) break;
            for (byte[] key : b.keys) {
                if (range.contains(key)) return true;
            }
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
        long[] fingerprints = txn.writtenFingerprints;
        for (long f : fingerprints) newestByKey.put(f, sequence);
        batches.addLast(new Batch(sequence, txn.writtenKeys, fingerprints, ranges));
        windowWrites += txn.writtenKeys.size() + ranges.size();
        while (windowWrites > windowWritesMax && batches.size() > 1) forgetOldest();
    }

    private void forgetOldest() {
        Batch oldest = batches.removeFirst();
        for (long f : oldest.fingerprints) newestByKey.remove(f, oldest.sequence);
        if (!oldest.ranges.isEmpty()) rangeWrites.removeAll(oldest.ranges);
        windowWrites -= oldest.keys.size() + oldest.ranges.size();
        lowWater = oldest.sequence;
    }
}
