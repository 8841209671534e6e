package io.seabed.metakv.internal;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKvLink;
import java.util.List;

/**
 * A remote attempt's reads, all at one member (the leader it took its read version from): point reads one call
 * each, scans in pages of {@link #PAGE} entries. Counts its calls: a read-only attempt that made more than one
 * has read several states and must be validated ({@link RemoteTxns}).
 *
 * <p>Not thread safe: one attempt's thread.
 */
final class RemoteView implements BaseView {
    /** Entries one scan call fetches. */
    static final int PAGE = 1_000;

    private final MetaKvLink link;
    private final int member;
    private int calls;

    RemoteView(MetaKvLink link, int member) {
        this.link = link;
        this.member = member;
    }

    int calls() {
        return calls;
    }

    @Override
    public byte[] get(byte[] key) {
        calls++;
        return link.get(member, key);
    }

    @Override
    public Cursor cursor(byte[] from, byte[] to, boolean reverse) {
        return new PagedCursor(from, to, reverse);
    }

    static long bytesOf(List<KeyValue> page) {
        long bytes = 0;
        for (KeyValue kv : page) bytes += kv.key().length + kv.value().length;
        return bytes;
    }

    private final class PagedCursor implements Cursor {
        private byte[] from;
        private byte[] to;
        private final boolean reverse;
        private List<KeyValue> page = List.of();
        private int next;
        private boolean last;
        private KeyValue current;

        PagedCursor(byte[] from, byte[] to, boolean reverse) {
            this.from = from;
            this.to = to;
            this.reverse = reverse;
        }

        @Override
        public boolean next() {
            if (next == page.size()) {
                if (last) return false;
                calls++;
                page = link.scan(member, from, to, PAGE, reverse);
                next = 0;
                last = !MetaKvLink.scanMayGoOn(page.size(), PAGE, bytesOf(page));
                if (page.isEmpty()) return false;
                byte[] end = page.getLast().key();
                if (reverse) to = end;
                else from = Keys.successor(end);
            }
            current = page.get(next++);
            return true;
        }

        @Override
        public byte[] key() {
            return current.key();
        }

        @Override
        public byte[] value() {
            return current.value();
        }

        @Override
        public void close() {}
    }
}
