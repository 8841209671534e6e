package io.seabed.namespace.object;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkRef;
import io.seabed.basestore.StorageException;
import io.seabed.namespace.BodySource;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.ObjectMetadata;
import io.seabed.namespace.PartInfo;
import io.seabed.namespace.WriteCondition;
import io.seabed.namespace.object.ObjectReads.OpenObject;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * CopyObject and UploadPartCopy. Chunks are immutable and owned by exactly one head (the collector
 * deletes a head's chunks when the head is replaced), so a copy never shares chunk refs: it streams
 * the input's bytes, chunk by chunk, into the chunk buffer of an ordinary write (fresh chunks under
 * a new intent, or inline bytes), which then commits like a PUT or an uploaded part.
 */
public final class ObjectCopy {
    /** S3's largest copy source for CopyObject, and its largest part. */
    public static final long COPY_BYTES_MAX = 5L << 30;

    private final BaseStoreClient store;
    private final DataWriter data;
    private final ObjectWrites writes;
    private final Multipart multipart;

    ObjectCopy(BaseStoreClient store, DataWriter data, ObjectWrites writes, Multipart multipart) {
        this.store = store;
        this.data = data;
        this.writes = writes;
        this.multipart = multipart;
    }

    /**
     * Copies the whole of {@code input} to {@code key}.
     *
     * @param input opened with its body (an inline body must be present)
     * @param metadata the new object's metadata, or null to keep the input's
     * @param bodyFilter wraps the copied bytes (to compute a checksum); identity keeps a FULL_OBJECT one
     */
    public ObjectInfo copy(
            OpenObject input,
            Bucket bucket,
            String key,
            ObjectMetadata metadata,
            WriteCondition condition,
            UnaryOperator<BodySource> bodyFilter) {
        long length = input.info().sizeBytes();
        if (length > COPY_BYTES_MAX)
            throw new NamespaceException(
                    Reason.ENTITY_TOO_LARGE, "copy source is " + length + " bytes > " + COPY_BYTES_MAX);
        ObjectMetadata m = metadata != null
                ? metadata
                : new ObjectMetadata(
                        input.info().systemMetadata(),
                        input.info().userMetadata(),
                        null,
                        input.info().tags());
        ObjectWrites.checkKey(key, writes.config());
        ObjectWrites.checkMetadata(m, writes.config());
        DataWriter.Written w = data.write(bodyFilter.apply(new InputBody(input, 0, length)), length, true);
        return writes.commitWritten(bucket, key, w, m, condition);
    }

    /**
     * Copies bytes [offset, offset + length) of {@code input} into part {@code partNumber} of an upload,
     * read through {@code bodyFilter} (which may compute the part's checksum).
     */
    public PartInfo copyPart(
            OpenObject input,
            long offset,
            long length,
            Bucket bucket,
            String key,
            String uploadId,
            int partNumber,
            UnaryOperator<BodySource> bodyFilter) {
        long size = input.info().sizeBytes();
        if (offset < 0 || length < 0 || offset + length > size)
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT, "range " + offset + "+" + length + " outside copy source of " + size);
        BodySource body = bodyFilter.apply(new InputBody(input, offset, length));
        return multipart.uploadPart(bucket, key, uploadId, partNumber, length, body);
    }

    /**
     * Bytes [offset, offset + length) of {@code input} as the body of a write (into a hierarchical bucket, which
     * writes its own way).
     */
    public BodySource body(OpenObject input, long offset, long length) {
        long size = input.info().sizeBytes();
        if (offset < 0 || length < 0 || offset + length > size)
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT, "range " + offset + "+" + length + " outside copy source of " + size);
        return new InputBody(input, offset, length);
    }

    /**
     * The input's bytes as a write body: read from its chunks (or a hierarchical bucket's file) straight into the
     * writer's buffer.
     */
    private final class InputBody implements BodySource {
        private final OpenObject input;
        private final List<ChunkRef> chunks;
        private final long startOffset;
        private final long end;
        private long position;
        private int chunkIndex;
        private long chunkStart;

        InputBody(OpenObject input, long offset, long length) {
            if (input.file() == null && input.head().inline() && input.inlineBody() == null)
                throw new IllegalArgumentException("copy input " + input.info().key() + " opened without its body");
            this.input = input;
            this.chunks = input.file() != null ? List.of() : input.head().chunks();
            this.position = offset;
            this.startOffset = offset;
            this.end = offset + length;
        }

        @Override
        public int read(ByteBuffer output) {
            if (position == end) return -1;
            if (input.file() != null) {
                int n = (int) Math.min(output.remaining(), end - position);
                int got = input.file().view().readAt(input.file(), position, output.slice(output.position(), n));
                output.position(output.position() + got);
                position += got;
                return got;
            }
            if (input.inlineBody() != null) {
                int n = (int) Math.min(output.remaining(), end - position);
                output.put(input.inlineBody(), (int) position, n);
                position += n;
                return n;
            }
            while (chunkStart + chunks.get(chunkIndex).lengthBytes() <= position) {
                chunkStart += chunks.get(chunkIndex).lengthBytes();
                chunkIndex++;
                if (chunkIndex == chunks.size())
                    throw new IllegalStateException("chunks of " + input.info().key() + " end before " + position);
            }
            ChunkRef c = chunks.get(chunkIndex);
            int n = (int) Math.min(output.remaining(), Math.min(chunkStart + c.lengthBytes(), end) - position);
            try {
                store.readChunk(c, (int) (position - chunkStart), output.slice(output.position(), n));
            } catch (StorageException e) {
                throw new NamespaceException(Reason.UNAVAILABLE, "storage: " + e.getMessage(), e);
            }
            output.position(output.position() + n);
            position += n;
            return n;
        }

        /** Nothing to verify: the bytes passed the CRC checks of every chunk read. */
        @Override
        public void verify(byte[] md5) {}

        /**
         * The input's checksum when this body is all of it and the checksum covers its bytes (FULL_OBJECT);
         * a COMPOSITE checksum describes the input's parts, not a single object, and is not carried over.
         */
        @Override
        public ObjectChecksum checksum() {
            ObjectChecksum c = input.info().checksum();
            boolean whole = startOffset == 0 && end == input.info().sizeBytes();
            return c != null && whole && c.type() == ObjectChecksum.Type.FULL_OBJECT ? c : null;
        }
    }
}
