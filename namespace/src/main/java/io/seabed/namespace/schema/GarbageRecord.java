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
 * @param inodeBucket with {@code inode}: an unlinked file of a hierarchical bucket whose chunks (listed in its
 *     chunk map) are to be removed, then the map; 0 otherwise
 */
public record GarbageRecord(
        boolean claimed,
        long uidHigh,
        long uidLow,
        int intentChunks,
        List<ChunkRef> chunks,
        long inodeBucket,
        long inode) {
    /** Format 1 had no inode; it is still read. */
    private static final int FORMAT_1 = 1;

    private static final int FORMAT = 2;

    public GarbageRecord(boolean claimed, long uidHigh, long uidLow, int intentChunks, List<ChunkRef> chunks) {
        this(claimed, uidHigh, uidLow, intentChunks, chunks, 0, 0);
    }

    /** The data of unlinked inode {@code ino} of hierarchical bucket {@code bucket}. */
    public static GarbageRecord ofInode(long bucket, long ino) {
        return new GarbageRecord(false, bucket, ino, 0, List.of(), bucket, ino);
    }

    public GarbageRecord claim() {
        return new GarbageRecord(true, uidHigh, uidLow, intentChunks, chunks, inodeBucket, inode);
    }

    public byte[] encode() {
        ValueWriter w = new ValueWriter(40 + chunks.size() * 40)
                .u8(FORMAT)
                .u8(claimed ? 1 : 0)
                .fixedLong(uidHigh)
                .fixedLong(uidLow)
                .varLong(intentChunks);
        ObjectHead.writeChunks(w, chunks);
        w.fixedLong(inodeBucket).fixedLong(inode);
        return w.toByteArray();
    }

    public static GarbageRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_1) throw new IllegalStateException("garbage format=" + format);
        boolean claimed = r.u8() == 1;
        long high = r.fixedLong();
        long low = r.fixedLong();
        int intent = r.varInt();
        List<ChunkRef> chunks = ObjectHead.readChunks(r);
        if (format == FORMAT_1) return new GarbageRecord(claimed, high, low, intent, chunks);
        return new GarbageRecord(claimed, high, low, intent, chunks, r.fixedLong(), r.fixedLong());
    }
}
