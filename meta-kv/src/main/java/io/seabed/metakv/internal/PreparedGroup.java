package io.seabed.metakv.internal;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Transactions committed together as one Raft log entry (group commit): the entry is their entries one after
 * another, and the resolver decides each in order, in place, as it would decide them one by one.
 *
 * <pre>
 * offset 0  byte  Entry.FORMAT_GROUP
 * offset 1  int   count
 * offset 5  count times: int length, then an entry of {@link Entry}'s single format
 * </pre>
 */
final class PreparedGroup implements Message {
    static final int HEADER_BYTES = 5;

    final List<PreparedTxn> txns;
    final byte[] bytes;
    /** Where each transaction's entry starts in {@link #bytes}. */
    final int[] offsets;

    private final ByteString content;

    PreparedGroup(List<PreparedTxn> txns) {
        this.txns = txns;
        int size = HEADER_BYTES;
        for (PreparedTxn t : txns) size += 4 + t.entry.length;
        bytes = new byte[size];
        offsets = new int[txns.size()];
        ByteBuffer b = ByteBuffer.wrap(bytes).put(Entry.FORMAT_GROUP).putInt(txns.size());
        for (int i = 0; i < txns.size(); i++) {
            byte[] entry = txns.get(i).entry;
            b.putInt(entry.length);
            offsets[i] = b.position();
            b.put(entry);
        }
        content = UnsafeByteOperations.unsafeWrap(bytes);
    }

    /** The entries of a group log entry, as read-only views, in order. */
    static ByteBuffer[] entries(ByteBuffer group) {
        ByteBuffer b = group.duplicate();
        if (b.get() != Entry.FORMAT_GROUP) throw new IllegalStateException("not a group entry");
        ByteBuffer[] out = new ByteBuffer[b.getInt()];
        for (int i = 0; i < out.length; i++) {
            int length = b.getInt();
            out[i] = b.slice(b.position(), length);
            b.position(b.position() + length);
        }
        return out;
    }

    /** The reply of transaction {@code index} in a group reply: decision, result count, results. */
    static ByteBuffer reply(ByteBuffer groupReply, int index) {
        ByteBuffer b = groupReply.duplicate();
        int count = b.getInt();
        if (index >= count) throw new IllegalStateException("reply " + index + " of " + count);
        for (int i = 0; ; i++) {
            int start = b.position();
            int results = b.getInt(start + 1);
            int length = 1 + 4 + 8 * results;
            if (i == index) return b.slice(start, length);
            b.position(start + length);
        }
    }

    @Override
    public ByteString getContent() {
        return content;
    }
}
