package io.seabed.namespace.schema;

import io.seabed.basestore.ChunkRef;
import java.util.List;

/**
 * Chunks to delete once due (table 0x50). A write's intent is a garbage record due in the future
 * that the write's metadata commit deletes; if the writer dies, the record comes due and the
 * collector deletes what the write left behind (DESIGN §3.3).
 *
 * @param claimed set by the collector in the transaction that takes the record, so a late commit of
 *     the write it stands for fails instead of referencing chunks about to be deleted
 * @param intentChunks for an intent: how many chunks the write may create, with ids derived from
 *     its uid (their placement is not known yet); 0 otherwise
 * @param chunks placed chunks to delete
 */
public record GarbageRecord(boolean claimed, long uidHigh, long uidLow, int intentChunks, List<ChunkRef> chunks) {
    private static final int FORMAT = 1;

    public GarbageRecord claim() {
        return new GarbageRecord(true, uidHigh, uidLow, intentChunks, chunks);
    }

    public byte[] encode() {
        ValueWriter w = new ValueWriter(40 + chunks.size() * 40)
                .u8(FORMAT)
                .u8(claimed ? 1 : 0)
                .fixedLong(uidHigh)
                .fixedLong(uidLow)
                .varLong(intentChunks);
        ObjectHead.writeChunks(w, chunks);
        return w.toByteArray();
    }

    public static GarbageRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("garbage format=" + format);
        return new GarbageRecord(r.u8() == 1, r.fixedLong(), r.fixedLong(), r.varInt(), ObjectHead.readChunks(r));
    }
}
