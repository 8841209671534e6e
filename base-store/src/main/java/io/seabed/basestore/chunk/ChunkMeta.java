package io.seabed.basestore.chunk;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.UpdateTag;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One chunk version's metadata row on a target: where its block is, how long it is, the engine's
 * write sequence number ({@code version}: unique per write on this target, so a reader can tell a
 * concurrent change from corruption), the chain-wide chunk version and the tag of the update that
 * made it, the chain it belongs to (0 for chunks written without one), the {@link RecentTags} of the
 * chunk's latest committed versions, and the CRC32C of each 64 KiB block. Immutable; {@code crcs} is
 * owned by the record and never modified.
 *
 * <p>{@code recentTags}: in a committed row, the tags of the versions up to this one (its own newest,
 * unless NONE), written in the same batch as the row; a pending row stores none, since its list is made
 * when it is committed on top of the committed row of that moment.
 *
 * <p>Keys: {@code 'c'} (committed) or {@code 'p'} (pending, CRAQ) + 16 bytes of chunk id
 * (big-endian, so ids sort). Value (format 3): format, class, file, block, length, write sequence,
 * chunk version, chain id, tag, recent tags, CRCs (little-endian). Format 2 rows (no recent tags) read
 * as having only their own tag; format 1 rows (no chunk version, no tag) read as chunk version 1 with
 * no tag.
 */
record ChunkMeta(
        int classIndex,
        int fileNo,
        int blockIndex,
        int lengthBytes,
        long version,
        long chunkVersion,
        int chainId,
        UpdateTag tag,
        RecentTags recentTags,
        int[] crcs) {
    static final byte KEY_PREFIX = 'c';
    static final byte PENDING_KEY_PREFIX = 'p';
    static final int KEY_BYTES = 17;
    private static final byte FORMAT_1 = 1;
    private static final byte FORMAT_2 = 2;
    private static final byte FORMAT = 3;
    private static final int HEADER_1_BYTES = 1 + 1 + 4 + 4 + 4 + 8;
    private static final int HEADER_BYTES = HEADER_1_BYTES + 8 + 4 + 8 + 4 + 8;

    ChunkMeta {
        if (crcs.length != SizeClasses.crcBlockCount(lengthBytes))
            throw new IllegalArgumentException("crcs.length=" + crcs.length + " for lengthBytes=" + lengthBytes);
        if (recentTags.newestVersion() > chunkVersion)
            throw new IllegalArgumentException(
                    "recent tags " + recentTags + " newer than chunk version " + chunkVersion);
    }

    /** This row with {@code tags} as its recent tags. */
    ChunkMeta withRecentTags(RecentTags tags) {
        return new ChunkMeta(
                classIndex, fileNo, blockIndex, lengthBytes, version, chunkVersion, chainId, tag, tags, crcs);
    }

    long offsetBytes() {
        return (long) blockIndex * SizeClasses.blockBytes(classIndex);
    }

    static byte[] key(ChunkId id) {
        return key(KEY_PREFIX, id);
    }

    static byte[] pendingKey(ChunkId id) {
        return key(PENDING_KEY_PREFIX, id);
    }

    private static byte[] key(byte prefix, ChunkId id) {
        return ByteBuffer.allocate(KEY_BYTES)
                .put(prefix)
                .putLong(id.high())
                .putLong(id.low())
                .array();
    }

    static ChunkId idOf(byte[] key) {
        if (key.length != KEY_BYTES || (key[0] != KEY_PREFIX && key[0] != PENDING_KEY_PREFIX))
            throw new IllegalStateException("chunk key length=" + key.length + " prefix=" + key[0]);
        ByteBuffer buffer = ByteBuffer.wrap(key, 1, 16);
        return new ChunkId(buffer.getLong(), buffer.getLong());
    }

    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + recentTags.encodedBytesMax() + 4 * crcs.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(FORMAT).put((byte) classIndex).putInt(fileNo).putInt(blockIndex).putInt(lengthBytes);
        out.putLong(version).putLong(chunkVersion).putInt(chainId);
        out.putLong(tag.clientId()).putInt(tag.channel()).putLong(tag.seq());
        recentTags.encode(out);
        for (int crc : crcs) out.putInt(crc);
        return Arrays.copyOf(out.array(), out.position());
    }

    static ChunkMeta decode(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        byte format = in.get();
        if (format < FORMAT_1 || format > FORMAT)
            throw new IllegalStateException("chunk meta format=" + format + " not in {1, 2, 3}");
        int classIndex = in.get();
        int fileNo = in.getInt();
        int blockIndex = in.getInt();
        int lengthBytes = in.getInt();
        long version = in.getLong();
        long chunkVersion = 1;
        int chainId = 0;
        UpdateTag tag = UpdateTag.NONE;
        if (format >= FORMAT_2) {
            chunkVersion = in.getLong();
            chainId = in.getInt();
            tag = new UpdateTag(in.getLong(), in.getInt(), in.getLong());
        }
        RecentTags recentTags = format == FORMAT ? recentTagsOf(in) : RecentTags.EMPTY.with(tag, chunkVersion);
        int count = SizeClasses.crcBlockCount(lengthBytes);
        if (in.remaining() != 4 * count)
            throw new IllegalStateException("chunk meta bytes=" + value.length + " for lengthBytes=" + lengthBytes);
        if (classIndex < 0 || classIndex >= SizeClasses.CLASS_COUNT)
            throw new IllegalStateException("chunk meta classIndex=" + classIndex);
        if (lengthBytes > SizeClasses.blockBytes(classIndex))
            throw new IllegalStateException(
                    "chunk meta lengthBytes=" + lengthBytes + " > block of class " + classIndex);
        int[] crcs = new int[count];
        for (int i = 0; i < count; i++) crcs[i] = in.getInt();
        return new ChunkMeta(
                classIndex, fileNo, blockIndex, lengthBytes, version, chunkVersion, chainId, tag, recentTags, crcs);
    }

    private static RecentTags recentTagsOf(ByteBuffer in) {
        try {
            return RecentTags.decode(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("chunk meta: " + e.getMessage(), e);
        }
    }
}
