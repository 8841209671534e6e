package io.seabed.basestore.chunk;

import io.seabed.basestore.UpdateTag;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The tags of a chunk's most recent committed versions and the version each made, oldest first, at most
 * {@link #RECENT_TAGS_MAX}; versions strictly increase. Every replica of a chain commits the same versions
 * in order and so holds the same list: a head finds in it a retried update that other writers' updates
 * followed, and answers it without applying it again. Versions made without a tag ({@link UpdateTag#NONE})
 * leave no entry. Immutable.
 *
 * <p>Encoding (in the order of the buffer given): count, then per entry a flag byte (bit 0: same client
 * as the entry before), the client id (8 bytes, unless the same), then unsigned LEB128 varints of the
 * channel, the sequence and the version (the first absolute, the others as the step from the one before).
 * One client's entries cost about 5 bytes each.
 */
public final class RecentTags {
    /** Tags kept per chunk: a retry is recognised while fewer than this many tagged versions followed it. */
    public static final int RECENT_TAGS_MAX = 16;

    /** Bytes one entry takes at most: flag, client id, and varints of an int and two longs. */
    static final int ENTRY_BYTES_MAX = 1 + 8 + 5 + 10 + 10;

    public static final RecentTags EMPTY = new RecentTags(new long[0], new int[0], new long[0], new long[0]);

    private static final int SAME_CLIENT = 1;

    private final long[] clientIds;
    private final int[] channels;
    private final long[] seqs;
    private final long[] versions;

    private RecentTags(long[] clientIds, int[] channels, long[] seqs, long[] versions) {
        this.clientIds = clientIds;
        this.channels = channels;
        this.seqs = seqs;
        this.versions = versions;
    }

    public int size() {
        return versions.length;
    }

    public boolean isEmpty() {
        return versions.length == 0;
    }

    /** The tag of entry {@code i} (0 is the oldest). */
    public UpdateTag tag(int i) {
        return new UpdateTag(clientIds[i], channels[i], seqs[i]);
    }

    /** The chunk version entry {@code i} made. */
    public long version(int i) {
        return versions[i];
    }

    /** The version the update tagged {@code tag} made, the newest if several; 0 if not here (always for NONE). */
    public long versionOf(UpdateTag tag) {
        if (tag.isNone()) return 0;
        for (int i = versions.length - 1; i >= 0; i--) {
            if (clientIds[i] == tag.clientId() && channels[i] == tag.channel() && seqs[i] == tag.seq())
                return versions[i];
        }
        return 0;
    }

    /**
     * The list after version {@code version}, made by {@code tag}, is committed on top of the versions here:
     * entries of versions at or above it go (they belonged to versions it replaces), then it is appended
     * unless {@code tag} is NONE, then the oldest go beyond {@link #RECENT_TAGS_MAX}.
     */
    public RecentTags with(UpdateTag tag, long version) {
        if (version < 1) throw new IllegalArgumentException("version=" + version + " < 1");
        int keep = versions.length;
        while (keep > 0 && versions[keep - 1] >= version) keep--;
        if (tag.isNone() && keep == versions.length) return this;
        int total = tag.isNone() ? keep : keep + 1;
        int from = Math.max(0, total - RECENT_TAGS_MAX);
        int count = total - from;
        long[] c = new long[count];
        int[] ch = new int[count];
        long[] s = new long[count];
        long[] v = new long[count];
        int kept = Math.max(0, keep - from);
        System.arraycopy(clientIds, from, c, 0, kept);
        System.arraycopy(channels, from, ch, 0, kept);
        System.arraycopy(seqs, from, s, 0, kept);
        System.arraycopy(versions, from, v, 0, kept);
        if (!tag.isNone()) {
            c[count - 1] = tag.clientId();
            ch[count - 1] = tag.channel();
            s[count - 1] = tag.seq();
            v[count - 1] = version;
        }
        return new RecentTags(c, ch, s, v);
    }

    /** The newest version listed, 0 when empty. */
    public long newestVersion() {
        return versions.length == 0 ? 0 : versions[versions.length - 1];
    }

    /** Bytes {@link #encode} writes at most. */
    /**
     * A 64-bit fingerprint of the entries (replicas with equal lists have equal digests): a sync compares it so
     * a replica whose bytes match but whose list differs still gets the sender's list.
     */
    public long digest() {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < size(); i++) {
            UpdateTag t = tag(i);
            h = mix(h ^ t.clientId());
            h = mix(h ^ ((long) t.channel() << 32 ^ t.seq()));
            h = mix(h ^ version(i));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public int encodedBytesMax() {
        return 1 + ENTRY_BYTES_MAX * versions.length;
    }

    /** Writes the list at {@code out}'s position; see the class comment. */
    public void encode(ByteBuffer out) {
        out.put((byte) versions.length);
        long previous = 0;
        for (int i = 0; i < versions.length; i++) {
            boolean sameClient = i > 0 && clientIds[i] == clientIds[i - 1];
            out.put((byte) (sameClient ? SAME_CLIENT : 0));
            if (!sameClient) out.putLong(clientIds[i]);
            putVarLong(out, Integer.toUnsignedLong(channels[i]));
            putVarLong(out, seqs[i]);
            putVarLong(out, versions[i] - previous);
            previous = versions[i];
        }
    }

    /**
     * Reads a list {@link #encode} wrote, from {@code in}'s position.
     *
     * @throws IllegalArgumentException when the bytes are not such a list (truncated, too many entries,
     *     versions not increasing, an overlong varint)
     */
    public static RecentTags decode(ByteBuffer in) {
        try {
            int count = in.get() & 0xff;
            if (count > RECENT_TAGS_MAX)
                throw new IllegalArgumentException(
                        "recent tags count=" + count + " > RECENT_TAGS_MAX=" + RECENT_TAGS_MAX);
            if (count == 0) return EMPTY;
            long[] c = new long[count];
            int[] ch = new int[count];
            long[] s = new long[count];
            long[] v = new long[count];
            long previous = 0;
            for (int i = 0; i < count; i++) {
                int flags = in.get();
                if ((flags & ~SAME_CLIENT) != 0) throw new IllegalArgumentException("recent tag flags=" + flags);
                boolean sameClient = (flags & SAME_CLIENT) != 0;
                if (sameClient && i == 0) throw new IllegalArgumentException("first recent tag has no client before");
                c[i] = sameClient ? c[i - 1] : in.getLong();
                long channel = getVarLong(in);
                if (channel > 0xffff_ffffL) throw new IllegalArgumentException("recent tag channel=" + channel);
                ch[i] = (int) channel;
                s[i] = getVarLong(in);
                long step = getVarLong(in);
                if (step < 1 || previous + step < previous)
                    throw new IllegalArgumentException("recent tag version step=" + step + " after " + previous);
                v[i] = previous + step;
                previous = v[i];
            }
            return new RecentTags(c, ch, s, v);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("recent tags truncated", e);
        }
    }

    private static void putVarLong(ByteBuffer out, long value) {
        long rest = value;
        while ((rest & ~0x7fL) != 0) {
            out.put((byte) ((rest & 0x7f) | 0x80));
            rest >>>= 7;
        }
        out.put((byte) rest);
    }

    private static long getVarLong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) return value;
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecentTags r
                && Arrays.equals(clientIds, r.clientIds)
                && Arrays.equals(channels, r.channels)
                && Arrays.equals(seqs, r.seqs)
                && Arrays.equals(versions, r.versions);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(versions) * 31 + Arrays.hashCode(seqs);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < versions.length; i++) {
            if (i > 0) text.append(", ");
            text.append(versions[i])
                    .append('=')
                    .append(clientIds[i])
                    .append('/')
                    .append(channels[i])
                    .append('/')
                    .append(seqs[i]);
        }
        return text.append(']').toString();
    }
}
