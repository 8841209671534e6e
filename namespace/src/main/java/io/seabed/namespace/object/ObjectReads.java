package io.seabed.namespace.object;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkRef;
import io.seabed.basestore.StorageException;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.BodySink;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.fs.S3View;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.ObjectHead;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;

/** HeadObject and GetObject: one metadata read, then the body from inline bytes or chunks. */
public final class ObjectReads {
    /** Bytes read from storage per step of a GET (the buffer a GET holds). */
    static final int READ_PIECE_BYTES = 1 << 20;

    private final MetaKv kv;
    private final BaseStoreClient store;
    private final NamespaceConfig config;

    ObjectReads(MetaKv kv, BaseStoreClient store, NamespaceConfig config) {
        this.kv = kv;
        this.store = store;
        this.config = config;
    }

    /**
     * An object opened for reading: its metadata, and the body when it is inline; for a hierarchical bucket's
     * file, {@code head} is null and {@code file} is set.
     */
    public record OpenObject(ObjectInfo info, ObjectHead head, byte[] inlineBody, S3View.OpenFile file) {
        public OpenObject(ObjectInfo info, ObjectHead head, byte[] inlineBody) {
            this(info, head, inlineBody, null);
        }

        /**
         * {offset, length} of part {@code partNumber} (from 1) of a multipart object; a single-PUT
         * object is its own part 1. Null when the object has no such part.
         */
        public long[] partRange(int partNumber) {
            if (head == null) return partNumber == 1 ? new long[] {0, info.sizeBytes()} : null;
            long[] sizes = head.partSizes();
            if (sizes.length == 0) return partNumber == 1 ? new long[] {0, head.sizeBytes()} : null;
            if (partNumber < 1 || partNumber > sizes.length) return null;
            long offset = 0;
            for (int i = 0; i < partNumber - 1; i++) offset += sizes[i];
            return new long[] {offset, sizes[partNumber - 1]};
        }

        /**
         * The checksum of part {@code partNumber} (from 1): for a single-PUT object its own checksum
         * for part 1; null when the object has no checksum or no such part.
         */
        public ObjectChecksum partChecksum(int partNumber) {
            if (head == null) return partNumber == 1 ? info.checksum() : null;
            ObjectChecksum whole = head.checksum();
            if (whole == null) return null;
            if (head.partSizes().length == 0) return partNumber == 1 ? whole : null;
            List<String> values = head.partChecksums();
            if (partNumber < 1 || partNumber > values.size()) return null;
            return new ObjectChecksum(whole.algorithm(), whole.type(), values.get(partNumber - 1));
        }
    }

    public OpenObject open(Bucket bucket, String key, boolean withBody) {
        ObjectWrites.checkKey(key, config);
        byte[] headKey = Keys.objectHead(bucket.id(), key);
        List<byte[]> values = withBody
                ? kv.multiGet(List.of(headKey, Keys.body(headKey)))
                : Collections.singletonList(kv.get(headKey));
        byte[] v = values.get(0);
        if (v == null) throw new NamespaceException(Reason.NO_SUCH_KEY, "no key " + key);
        ObjectHead head = ObjectHead.decode(v);
        byte[] body = head.inline() && withBody ? values.get(1) : null;
        if (head.inline() && withBody && (body == null || body.length != head.sizeBytes()))
            throw new IllegalStateException("inline body of " + key + " missing or of wrong size");
        return new OpenObject(info(key, head), head, body);
    }

    /** Writes bytes [offset, offset + length) of the object to {@code sink}. */
    public void read(OpenObject object, long offset, long length, BodySink sink) {
        ObjectHead head = object.head();
        if (offset < 0 || length < 0 || offset + length > head.sizeBytes())
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + head.sizeBytes());
        if (length == 0) return;
        if (head.inline()) {
            sink.write(ByteBuffer.wrap(object.inlineBody(), (int) offset, (int) length));
            return;
        }
        ByteBuffer piece = ByteBuffer.allocate((int) Math.min(READ_PIECE_BYTES, length));
        long chunkStart = 0;
        long end = offset + length;
        for (ChunkRef c : head.chunks()) {
            long chunkEnd = chunkStart + c.lengthBytes();
            long from = Math.max(offset, chunkStart);
            long to = Math.min(end, chunkEnd);
            for (long pos = from; pos < to; ) {
                int n = (int) Math.min(piece.capacity(), to - pos);
                piece.clear().limit(n);
                readChunk(c, (int) (pos - chunkStart), piece);
                piece.flip();
                sink.write(piece);
                pos += n;
            }
            if (chunkEnd >= end) break;
            chunkStart = chunkEnd;
        }
    }

    /** Where each chunk of a chunked (not inline) object starts, and its size at the end: for {@link #fill}. */
    public static long[] chunkStarts(OpenObject object) {
        List<ChunkRef> chunks = object.head().chunks();
        long[] starts = new long[chunks.size() + 1];
        for (int i = 0; i < chunks.size(); i++)
            starts[i + 1] = starts[i] + chunks.get(i).lengthBytes();
        return starts;
    }

    /**
     * Fills {@code into} (position to limit) with the bytes of a chunked (not inline) object from {@code
     * position}, across chunk boundaries; {@code starts} is {@link #chunkStarts} of the object.
     */
    public void fill(OpenObject object, long[] starts, long position, ByteBuffer into) {
        ObjectHead head = object.head();
        long size = starts[starts.length - 1];
        if (head.inline() || position < 0 || position + into.remaining() > size)
            throw new IllegalArgumentException("range " + position + "+" + into.remaining() + " of "
                    + (head.inline() ? "an inline " : "a ") + size + " B object");
        List<ChunkRef> chunks = head.chunks();
        // The last chunk starting at or before position.
        int i = java.util.Arrays.binarySearch(starts, 0, chunks.size(), position);
        if (i < 0) i = -i - 2;
        for (; into.hasRemaining(); i++) {
            ChunkRef c = chunks.get(i);
            long chunkStart = starts[i];
            int n = (int) Math.min(into.remaining(), starts[i + 1] - position);
            if (n == 0) continue; // an empty chunk
            int limit = into.limit();
            into.limit(into.position() + n);
            readChunk(c, (int) (position - chunkStart), into);
            into.limit(limit);
            position += n;
        }
    }

    private void readChunk(ChunkRef c, int offset, ByteBuffer output) {
        try {
            store.readChunk(c, offset, output);
        } catch (StorageException e) {
            throw new NamespaceException(Reason.UNAVAILABLE, "storage: " + e.getMessage(), e);
        }
    }

    /** The metadata of an object with head {@code head}. */
    public static ObjectInfo info(String key, ObjectHead head) {
        return new ObjectInfo(
                key,
                head.sizeBytes(),
                head.etag(),
                head.lastModifiedMillis(),
                head.systemMetadata(),
                head.userMetadata(),
                head.partSizes().length,
                head.checksum(),
                head.acl(),
                head.tags());
    }
}
