package io.seabed.namespace.schema;

import io.seabed.basestore.ChunkRef;
import java.util.List;

/** One uploaded part of a multipart upload (table 0x40 with part number). */
public record PartRecord(int partNumber, long sizeBytes, byte[] md5, long lastModifiedMillis, List<ChunkRef> chunks) {
    private static final int FORMAT = 1;

    public byte[] encode() {
        ValueWriter w = new ValueWriter(64 + chunks.size() * 40)
                .u8(FORMAT)
                .varLong(partNumber)
                .varLong(sizeBytes)
                .bytes(md5)
                .varLong(lastModifiedMillis);
        ObjectHead.writeChunks(w, chunks);
        return w.toByteArray();
    }

    public static PartRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("part format=" + format);
        return new PartRecord(r.varInt(), r.varLong(), r.bytes(), r.varLong(), ObjectHead.readChunks(r));
    }
}
