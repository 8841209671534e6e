package io.seabed.metakv.internal;

import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * Iterates the stored keys of {@code [from, to)} in key order (or reverse) across the column
 * families: the body table's range {@code [0x60, 0x61)} is read from {@code bodies}, the rest from
 * {@code default}, so a scan sees bodies only when its range covers that table.
 *
 * <p>Not thread safe. Close it (it holds native iterators).
 */
final class RangeCursor implements BaseView.Cursor {
    private record Segment(ColumnFamilyHandle family, byte[] from, byte[] to) {}

    private final KvStore store;
    private final ReadOptions options;
    private final boolean reverse;
    private final List<Segment> segments = new ArrayList<>(3);
    private int segmentIndex = -1;
    private Segment segment;
    private RocksIterator iterator;
    private boolean started;
    private byte[] key;

    RangeCursor(KvStore store, ReadOptions options, byte[] from, byte[] to, boolean reverse) {
        this.store = store;
        this.options = options;
        this.reverse = reverse;
        addSegment(store.defaultFamily(), from, min(to, Keys.BODY_FROM));
        addSegment(store.bodyFamily(), max(from, Keys.BODY_FROM), min(to, Keys.BODY_TO));
        addSegment(store.defaultFamily(), max(from, Keys.BODY_TO), to);
        if (reverse) java.util.Collections.reverse(segments);
    }

    private void addSegment(ColumnFamilyHandle family, byte[] from, byte[] to) {
        if (to == null || Keys.compare(from, to) < 0) segments.add(new Segment(family, from, to));
    }

    private static byte[] min(byte[] to, byte[] bound) {
        return to == null || Keys.compare(bound, to) < 0 ? bound : to;
    }

    private static byte[] max(byte[] from, byte[] bound) {
        return Keys.compare(bound, from) > 0 ? bound : from;
    }

    /** Moves to the next key; false at the end of the range. */
    @Override
    public boolean next() {
        while (true) {
            if (iterator == null && !openNextSegment()) return false;
            if (started) {
                if (reverse) iterator.prev();
                else iterator.next();
            }
            started = true;
            if (iterator.isValid()) {
                byte[] k = iterator.key();
                if (reverse
                        ? Keys.compare(k, segment.from) >= 0
                        : segment.to == null || Keys.compare(k, segment.to) < 0) {
                    key = k;
                    return true;
                }
            } else {
                checkStatus();
            }
            closeIterator();
        }
    }

    private void checkStatus() {
        try {
            iterator.status();
        } catch (org.rocksdb.RocksDBException e) {
            closeIterator();
            throw new io.seabed.metakv.MetaKvException(
                    io.seabed.metakv.MetaKvException.Reason.UNAVAILABLE, "RocksDB iterator: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] key() {
        return key;
    }

    @Override
    public byte[] value() {
        return iterator.value();
    }

    private boolean openNextSegment() {
        if (++segmentIndex >= segments.size()) return false;
        segment = segments.get(segmentIndex);
        iterator = store.db().newIterator(segment.family, options);
        if (!reverse) {
            iterator.seek(segment.from);
        } else if (segment.to == null) {
            iterator.seekToLast();
        } else {
            iterator.seekForPrev(segment.to);
            if (iterator.isValid() && Keys.compare(iterator.key(), segment.to) >= 0) iterator.prev();
        }
        started = false;
        return true;
    }

    private void closeIterator() {
        if (iterator != null) {
            iterator.close();
            iterator = null;
        }
    }

    @Override
    public void close() {
        closeIterator();
        segmentIndex = segments.size();
    }
}
