package io.seabed.namespace.schema;

import io.seabed.basestore.ChunkRef;
import io.seabed.namespace.ObjectChecksum;
import java.util.List;

/**
 * One uploaded part of a multipart upload (table 0x40 with part number).
 *
 * @param checksum the additional checksum the part's upload carried, or null
 */
public record PartRecord(
        int partNumber,
        long sizeBytes,
        byte[] md5,
        long lastModifiedMillis,
        List<ChunkRef> chunks,
        ObjectChecksum checksum) {
    /** Format 1 had no checksum; it is still read. */
    private static final int FORMAT_1 = 1;

    private static final int FORMAT = 2;

    public byte[] encode() {
        ValueWriter w = new ValueWriter(64 + chunks.size() * 40)
                .u8(FORMAT)
                .varLong(partNumber)
                .varLong(sizeBytes)
                .bytes(md5)
                .varLong(lastModifiedMillis);
        ObjectHead.writeChunks(w, chunks);
        ObjectHead.writeChecksum(w, checksum);
        return w.toByteArray();
    }

    public static PartRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_1) throw new IllegalStateException("part format=" + format);
        int partNumber = r.varInt();
        long size = r.varLong();
        byte[] md5 = r.bytes();
        long modified = r.varLong();
        List<ChunkRef> chunks = ObjectHead.readChunks(r);
        ObjectChecksum checksum = format == FORMAT ? ObjectHead.readChecksum(r) : null;
        return new PartRecord(partNumber, size, md5, modified, chunks, checksum);
    }
}
