package io.seabed.basestore.sim;

import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chunk.RecentTags;
import java.util.Map;
import java.util.TreeMap;

/**
 * One target's durable chunk state, as the chunk engine keeps it (ChunkEngine with its GroupCommitter): per
 * chunk a committed (version, tag, value) and a pending one. It survives its node's crash; a change is durable
 * once the node's disk step completes (the node drops a step that was still in flight at a crash, like a write
 * not yet synced). The rules are the engine's: a committed write supersedes a pending version it covers, a
 * commit moves the pending version {@code v} to committed (of a version already committed it changes nothing,
 * of any other it fails), a stage replaces the pending version; a committed version goes on top of the recent tags
 * (RecentTags.with), a synced one on top of the sender's.
 *
 * <p>Checks what the chain rules promise a replica never does: commit or stage a version not above its
 * committed one, or commit one version with two values ({@link AssertionError}).
 */
final class SimDisk {
    /** A chunk's rows; all zero when absent. */
    record ChunkState(
            int chainId,
            long committedVersion,
            long committedTag,
            long committedValue,
            long pendingVersion,
            long pendingTag,
            long pendingValue,
            RecentTags recentTags) {
        static final ChunkState NONE = new ChunkState(0, 0, 0, 0, 0, 0, 0, RecentTags.EMPTY);

        boolean exists() {
            return committedVersion != 0 || pendingVersion != 0;
        }

        /**
         * ChunkInfo.versionOf: the version the update tagged {@code tag} made, pending or among the recent
         * committed ones; 0 when unknown (always for tag 0).
         */
        long versionOf(long tag) {
            if (tag == 0) return 0;
            if (pendingVersion > 0 && tag == pendingTag) return pendingVersion;
            return recentTags.versionOf(tagOf(tag));
        }

        private ChunkState withPending(long version, long tag, long value) {
            return new ChunkState(
                    chainId, committedVersion, committedTag, committedValue, version, tag, value, recentTags);
        }

        @Override
        public String toString() {
            return "committed v" + committedVersion + "=" + committedValue
                    + (pendingVersion == 0 ? "" : ", pending v" + pendingVersion + "=" + pendingValue);
        }
    }

    /** Sees every version stored on any replica (the cluster checks that a committed version names one value). */
    interface Listener {
        void stored(int targetId, int chunk, long version, long value, boolean committed);
    }

    final int targetId;
    private final Map<Integer, ChunkState> chunks = new TreeMap<>();
    private final Listener listener;

    SimDisk(int targetId, Listener listener) {
        this.targetId = targetId;
        this.listener = listener;
    }

    /** The simulation's tags are longs (the written value; 0 is none): as an UpdateTag, the client id. */
    static UpdateTag tagOf(long tag) {
        return tag == 0 ? UpdateTag.NONE : new UpdateTag(tag, 0, 0);
    }

    ChunkState info(int chunk) {
        return chunks.getOrDefault(chunk, ChunkState.NONE);
    }

    /** The chunks of {@code chainId}, in chunk order. */
    Map<Integer, ChunkState> chunksOf(int chainId) {
        Map<Integer, ChunkState> out = new TreeMap<>();
        chunks.forEach((c, s) -> {
            if (s.chainId() == chainId) out.put(c, s);
        });
        return out;
    }

    /** Writes {@code version} committed at once (the last replica), superseding a pending one it covers. */
    void write(int chunk, int chainId, long version, long tag, long value) {
        write(chunk, chainId, version, tag, value, null);
    }

    /**
     * Writes {@code version} committed at once as a sync brings it: its recent tags are {@code recentTags} (the
     * sender's) with this version on top, instead of growing from those held here.
     */
    void sync(int chunk, int chainId, long version, long tag, long value, RecentTags recentTags) {
        write(chunk, chainId, version, tag, value, recentTags);
    }

    private void write(int chunk, int chainId, long version, long tag, long value, RecentTags baseTags) {
        ChunkState s = info(chunk);
        if (version < s.committedVersion())
            throw new AssertionError("target " + targetId + " chunk " + chunk + ": commits version " + version
                    + " below its committed " + s.committedVersion());
        if (version == s.committedVersion() && value != s.committedValue())
            throw new AssertionError("target " + targetId + " chunk " + chunk + ": commits version " + version + "="
                    + value + " over " + version + "=" + s.committedValue());
        boolean keepPending = s.pendingVersion() > version;
        chunks.put(
                chunk,
                new ChunkState(
                        chainId,
                        version,
                        tag,
                        value,
                        keepPending ? s.pendingVersion() : 0,
                        keepPending ? s.pendingTag() : 0,
                        keepPending ? s.pendingValue() : 0,
                        (baseTags != null ? baseTags : s.recentTags()).with(tagOf(tag), version)));
        listener.stored(targetId, chunk, version, value, true);
    }

    /** Stores {@code version} as the pending version, replacing any. */
    void stage(int chunk, int chainId, long version, long tag, long value) {
        ChunkState s = info(chunk);
        if (version <= s.committedVersion())
            throw new AssertionError("target " + targetId + " chunk " + chunk + ": stages version " + version
                    + " not above its committed " + s.committedVersion());
        chunks.put(
                chunk,
                new ChunkState(
                        chainId,
                        s.committedVersion(),
                        s.committedTag(),
                        s.committedValue(),
                        version,
                        tag,
                        value,
                        s.recentTags()));
        listener.stored(targetId, chunk, version, value, false);
    }

    /** Commits pending {@code version}; false (VERSION_MISMATCH) when it is neither pending nor committed or older. */
    boolean commit(int chunk, long version) {
        ChunkState s = info(chunk);
        if (s.pendingVersion() == version) {
            if (version <= s.committedVersion())
                throw new AssertionError("target " + targetId + " chunk " + chunk + ": pending version " + version
                        + " not above its committed " + s.committedVersion());
            RecentTags tags = s.recentTags().with(tagOf(s.pendingTag()), version);
            chunks.put(chunk, new ChunkState(s.chainId(), version, s.pendingTag(), s.pendingValue(), 0, 0, 0, tags));
            listener.stored(targetId, chunk, version, s.pendingValue(), true);
            return true;
        }
        return s.committedVersion() >= version;
    }

    void dropPending(int chunk) {
        ChunkState s = info(chunk);
        if (s.committedVersion() == 0) chunks.remove(chunk);
        else chunks.put(chunk, s.withPending(0, 0, 0));
    }

    void delete(int chunk) {
        chunks.remove(chunk);
    }
}
