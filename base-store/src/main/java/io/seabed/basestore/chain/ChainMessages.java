package io.seabed.basestore.chain;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chunk.RecentTags;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Headers of the chunk methods of the data-plane RPC. Every request names its chain and the chain
 * version the sender routed by; replies carry a {@link ChainStatus}. Bulk data travels as the frame's
 * payload (CRC-checked by the RPC), never in a header.
 */
public final class ChainMessages {
    private static final int MESSAGE_BYTES_MAX = 400;

    private ChainMessages() {}

    /** Kinds of chunk update, with their wire numbers. */
    public enum UpdateKind {
        /** The payload is the chunk's whole new content. */
        REPLACE(1),
        /** The payload is written at {@code offset}. */
        WRITE_AT(2),
        /** The chunk is cut or extended to {@code offset} bytes. */
        TRUNCATE(3),
        /** Every replica drops the chunk (no version; deletes come after the metadata let go of it). */
        REMOVE(4),
        /**
         * Sync: the payload is committed version {@code version} as the predecessor holds it, written to a
         * SYNCING replica as is (kept if the replica already holds a newer committed version).
         */
        SYNC_REPLACE(5);

        final int wire;

        UpdateKind(int wire) {
            this.wire = wire;
        }

        static UpdateKind ofWire(int wire) {
            for (UpdateKind k : values()) if (k.wire == wire) return k;
            throw new IllegalArgumentException("update kind " + wire);
        }
    }

    /**
     * CHUNK_UPDATE: from a client to the chain's head ({@code version} 0: the head assigns it), or from a
     * replica to its successor with the version assigned. A SYNC_REPLACE may carry the sender's {@link
     * RecentTags} of that version after the fixed fields (absent when empty), so the synced replica
     * recognises the same retries; other kinds carry none.
     */
    public record Update(
            int chainId,
            long chainVersion,
            ChunkId chunk,
            UpdateTag tag,
            UpdateKind kind,
            int offset,
            long version,
            RecentTags recentTags) {
        /** The version a forwarded REMOVE carries: any version above 0 marks a request from a replica. */
        public static final long FORWARDED_REMOVE = 1;

        private static final int FIXED_BYTES = 4 + 8 + 16 + 20 + 1 + 4 + 8;

        public Update {
            if (!recentTags.isEmpty() && kind != UpdateKind.SYNC_REPLACE)
                throw new IllegalArgumentException(kind + " carries no recent tags");
        }

        /** An update without recent tags (every kind but a sync's SYNC_REPLACE). */
        public Update(
                int chainId,
                long chainVersion,
                ChunkId chunk,
                UpdateTag tag,
                UpdateKind kind,
                int offset,
                long version) {
            this(chainId, chainVersion, chunk, tag, kind, offset, version, RecentTags.EMPTY);
        }

        public byte[] encode() {
            ByteBuffer out = ByteBuffer.allocate(
                            FIXED_BYTES + (recentTags.isEmpty() ? 0 : recentTags.encodedBytesMax()))
                    .putInt(chainId)
                    .putLong(chainVersion)
                    .putLong(chunk.high())
                    .putLong(chunk.low())
                    .putLong(tag.clientId())
                    .putInt(tag.channel())
                    .putLong(tag.seq())
                    .put((byte) kind.wire)
                    .putInt(offset)
                    .putLong(version);
            if (!recentTags.isEmpty()) recentTags.encode(out);
            return Arrays.copyOf(out.array(), out.position());
        }

        public static Update decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                int chainId = in.getInt();
                long chainVersion = in.getLong();
                ChunkId chunk = new ChunkId(in.getLong(), in.getLong());
                UpdateTag tag = new UpdateTag(in.getLong(), in.getInt(), in.getLong());
                UpdateKind kind = UpdateKind.ofWire(in.get());
                int offset = in.getInt();
                long version = in.getLong();
                RecentTags recentTags = in.hasRemaining() ? RecentTags.decode(in) : RecentTags.EMPTY;
                if (in.hasRemaining()) throw new IllegalArgumentException("update header: trailing bytes");
                return new Update(chainId, chainVersion, chunk, tag, kind, offset, version, recentTags);
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("update header truncated", e);
            }
        }

        Update forwarded(long chainVersionNow, long assigned, UpdateKind kindNow) {
            return new Update(chainId, chainVersionNow, chunk, tag, kindNow, offset, assigned, recentTags);
        }
    }

    /** Reply to CHUNK_UPDATE: the version now committed (or staged) along the chain. */
    public record UpdateReply(ChainStatus status, long version, long routingVersion, String message) {
        public byte[] encode() {
            byte[] text = clip(message);
            return ByteBuffer.allocate(1 + 8 + 8 + 2 + text.length)
                    .put((byte) status.wire())
                    .putLong(version)
                    .putLong(routingVersion)
                    .putShort((short) text.length)
                    .put(text)
                    .array();
        }

        public static UpdateReply decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                ChainStatus status = ChainStatus.ofWire(in.get());
                long version = in.getLong();
                long routing = in.getLong();
                byte[] text = new byte[in.getShort()];
                in.get(text);
                return new UpdateReply(status, version, routing, new String(text, StandardCharsets.UTF_8));
            } catch (BufferUnderflowException | NegativeArraySizeException e) {
                throw new IllegalArgumentException("update reply truncated", e);
            }
        }
    }

    /** CHUNK_READ: {@code length} bytes from {@code offset}; the reply carries the whole CRC blocks covering them. */
    public record Read(int chainId, long chainVersion, ChunkId chunk, int offset, int length) {
        public byte[] encode() {
            return ByteBuffer.allocate(4 + 8 + 16 + 4 + 4)
                    .putInt(chainId)
                    .putLong(chainVersion)
                    .putLong(chunk.high())
                    .putLong(chunk.low())
                    .putInt(offset)
                    .putInt(length)
                    .array();
        }

        public static Read decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                Read r = new Read(
                        in.getInt(), in.getLong(), new ChunkId(in.getLong(), in.getLong()), in.getInt(), in.getInt());
                if (in.hasRemaining()) throw new IllegalArgumentException("read header: trailing bytes");
                return r;
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("read header truncated", e);
            }
        }
    }

    /**
     * Reply to CHUNK_READ: the committed version read, the chunk's length, the first block sent and the
     * writer's CRC32C of each block sent (the reader checks them end to end).
     */
    public record ReadReply(
            ChainStatus status,
            long version,
            int lengthBytes,
            int blockFirst,
            int[] crcs,
            long routingVersion,
            String message) {
        public byte[] encode() {
            byte[] text = clip(message);
            ByteBuffer out = ByteBuffer.allocate(1 + 8 + 4 + 4 + 4 + 4 * crcs.length + 8 + 2 + text.length);
            out.put((byte) status.wire()).putLong(version).putInt(lengthBytes).putInt(blockFirst);
            out.putInt(crcs.length);
            for (int crc : crcs) out.putInt(crc);
            return out.putLong(routingVersion)
                    .putShort((short) text.length)
                    .put(text)
                    .array();
        }

        public static ReadReply decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                ChainStatus status = ChainStatus.ofWire(in.get());
                long version = in.getLong();
                int length = in.getInt();
                int first = in.getInt();
                int count = in.getInt();
                if (count < 0 || count > in.remaining() / 4) throw new IllegalArgumentException("crc count " + count);
                int[] crcs = new int[count];
                for (int i = 0; i < count; i++) crcs[i] = in.getInt();
                long routing = in.getLong();
                byte[] text = new byte[in.getShort()];
                in.get(text);
                return new ReadReply(
                        status, version, length, first, crcs, routing, new String(text, StandardCharsets.UTF_8));
            } catch (BufferUnderflowException | NegativeArraySizeException e) {
                throw new IllegalArgumentException("read reply truncated", e);
            }
        }

        static ReadReply failed(ChainStatus status, long routingVersion, String message) {
            return new ReadReply(status, 0, 0, 0, new int[0], routingVersion, message);
        }
    }

    /**
     * CHUNK_LIST: scans up to {@code countMax} chunks of {@code targetId} after {@code after} (from the first
     * when null) and answers those of chain {@code chainId} (all when 0).
     */
    public record ListChunks(int targetId, int chainId, ChunkId after, int countMax) {
        public byte[] encode() {
            ByteBuffer out = ByteBuffer.allocate(4 + 4 + 1 + 16 + 4)
                    .putInt(targetId)
                    .putInt(chainId)
                    .put((byte) (after == null ? 0 : 1));
            out.putLong(after == null ? 0 : after.high()).putLong(after == null ? 0 : after.low());
            return out.putInt(countMax).array();
        }

        public static ListChunks decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                int target = in.getInt();
                int chain = in.getInt();
                boolean hasAfter = in.get() != 0;
                ChunkId after = new ChunkId(in.getLong(), in.getLong());
                ListChunks l = new ListChunks(target, chain, hasAfter ? after : null, in.getInt());
                if (in.hasRemaining()) throw new IllegalArgumentException("list header: trailing bytes");
                return l;
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("list header truncated", e);
            }
        }
    }

    /**
     * Reply to CHUNK_LIST; the payload holds the {@link Listed} entries. {@code full}: the scan stopped at
     * countMax, so more may follow {@code cursor} (the last id scanned, null when none was).
     */
    public record ListReply(ChainStatus status, boolean full, ChunkId cursor, long routingVersion, String message) {
        public byte[] encode() {
            byte[] text = clip(message);
            return ByteBuffer.allocate(1 + 1 + 1 + 16 + 8 + 2 + text.length)
                    .put((byte) status.wire())
                    .put((byte) (full ? 1 : 0))
                    .put((byte) (cursor == null ? 0 : 1))
                    .putLong(cursor == null ? 0 : cursor.high())
                    .putLong(cursor == null ? 0 : cursor.low())
                    .putLong(routingVersion)
                    .putShort((short) text.length)
                    .put(text)
                    .array();
        }

        public static ListReply decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                ChainStatus status = ChainStatus.ofWire(in.get());
                boolean full = in.get() != 0;
                boolean hasCursor = in.get() != 0;
                ChunkId cursor = new ChunkId(in.getLong(), in.getLong());
                long routing = in.getLong();
                byte[] text = new byte[in.getShort()];
                in.get(text);
                return new ListReply(
                        status, full, hasCursor ? cursor : null, routing, new String(text, StandardCharsets.UTF_8));
            } catch (BufferUnderflowException | NegativeArraySizeException e) {
                throw new IllegalArgumentException("list reply truncated", e);
            }
        }
    }

    /** One listed chunk: its committed version, length and digest (0 when none committed), and its pending version. */
    public record Listed(
            ChunkId id, long committedVersion, int lengthBytes, long digest, long pendingVersion, long tagsDigest) {
        static final int BYTES = 16 + 8 + 4 + 8 + 8 + 8;

        void encode(ByteBuffer out) {
            out.putLong(id.high())
                    .putLong(id.low())
                    .putLong(committedVersion)
                    .putInt(lengthBytes)
                    .putLong(digest);
            out.putLong(pendingVersion).putLong(tagsDigest);
        }

        static Listed decode(ByteBuffer in) {
            return new Listed(
                    new ChunkId(in.getLong(), in.getLong()),
                    in.getLong(),
                    in.getInt(),
                    in.getLong(),
                    in.getLong(),
                    in.getLong());
        }

        /** Entries of a CHUNK_LIST reply payload. */
        public static java.util.List<Listed> decodeAll(ByteBuffer in) {
            if (in.remaining() % BYTES != 0)
                throw new IllegalArgumentException("list payload of " + in.remaining() + " B");
            java.util.List<Listed> out = new java.util.ArrayList<>(in.remaining() / BYTES);
            while (in.hasRemaining()) out.add(decode(in));
            return out;
        }
    }

    private static byte[] clip(String message) {
        byte[] text = (message == null ? "" : message).getBytes(StandardCharsets.UTF_8);
        if (text.length <= MESSAGE_BYTES_MAX) return text;
        byte[] clipped = new byte[MESSAGE_BYTES_MAX];
        System.arraycopy(text, 0, clipped, 0, clipped.length);
        return clipped;
    }
}
