package io.seabed.namespace.schema;

import io.seabed.basestore.ChunkRef;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The current head of a flat-bucket object (table 0x10): what a GET needs but the body.
 *
 * @param etag hex MD5, or for multipart the hex MD5 of the part MD5s plus "-N" (no quotes)
 * @param systemMetadata standard headers stored with the object (lowercase names: content-type, ...)
 * @param userMetadata x-amz-meta-* names (lowercase, without the prefix) and values
 * @param inline true when the body lives in the body table (then {@code chunks} is empty)
 * @param chunks the data chunks in object order
 * @param partSizes sizes of multipart parts in order (empty for a single PUT)
 */
public record ObjectHead(
        long uidHigh,
        long uidLow,
        long sizeBytes,
        String etag,
        long lastModifiedMillis,
        Map<String, String> systemMetadata,
        Map<String, String> userMetadata,
        boolean inline,
        List<ChunkRef> chunks,
        long[] partSizes) {

    private static final int FORMAT = 1;

    public byte[] encode() {
        ValueWriter w = new ValueWriter(128 + chunks.size() * 40)
                .u8(FORMAT)
                .fixedLong(uidHigh)
                .fixedLong(uidLow)
                .varLong(sizeBytes)
                .string(etag)
                .varLong(lastModifiedMillis)
                .stringMap(systemMetadata)
                .stringMap(userMetadata)
                .u8(inline ? 1 : 0);
        writeChunks(w, chunks);
        w.varLong(partSizes.length);
        for (long s : partSizes) w.varLong(s);
        return w.toByteArray();
    }

    public static ObjectHead decode(byte[] value) {
        ValueReader r = new ValueReader(value);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("object head format=" + format);
        long high = r.fixedLong();
        long low = r.fixedLong();
        long size = r.varLong();
        String etag = r.string();
        long modified = r.varLong();
        Map<String, String> system = r.stringMap();
        Map<String, String> user = r.stringMap();
        boolean inline = r.u8() == 1;
        List<ChunkRef> chunks = readChunks(r);
        long[] parts = new long[r.varInt()];
        for (int i = 0; i < parts.length; i++) parts[i] = r.varLong();
        return new ObjectHead(high, low, size, etag, modified, system, user, inline, chunks, parts);
    }

    public static void writeChunks(ValueWriter w, List<ChunkRef> chunks) {
        w.varLong(chunks.size());
        ByteBuffer b = ByteBuffer.allocate(1024);
        for (ChunkRef c : chunks) {
            b.clear();
            c.encode(b);
            w.bytes(java.util.Arrays.copyOf(b.array(), b.position()));
        }
    }

    public static List<ChunkRef> readChunks(ValueReader r) {
        int n = r.varInt();
        List<ChunkRef> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(ChunkRef.decode(ByteBuffer.wrap(r.bytes())));
        return out;
    }
}
