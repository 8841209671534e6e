package io.seabed.basestore.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * One target's durable chunk state, as the chunk engine keeps it (ChunkEngine with its GroupCommitter): per
 * chunk a committed (version, tag, value) and a pending one. It survives its node's crash; a change is durable
 * once the node's disk step completes (the node drops a step that was still in flight at a crash, like a write
 * not yet synced). The rules are the engine's: a committed write supersedes a pending version it covers, a
 * commit moves the pending version {@code v} to committed (of a version already committed it changes nothing,
 * of any other it fails), a stage replaces the pending version.
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
            long pendingValue) {
        static final ChunkState NONE = new ChunkState(0, 0, 0, 0, 0, 0, 0);

        boolean exists() {
            return committedVersion != 0 || pendingVersion != 0;
        }

        private ChunkState withPending(long version, long tag, long value) {
            return new ChunkState(chainId, committedVersion, committedTag, committedValue, version, tag, value);
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

    /** Writes {@code version} committed at once (the last replica, a sync), superseding a pending one it covers. */
    void write(int chunk, int chainId, long version, long tag, long value) {
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
                        keepPending ? s.pendingValue() : 0));
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
                        chainId, s.committedVersion(), s.committedTag(), s.committedValue(), version, tag, value));
        listener.stored(targetId, chunk, version, value, false);
    }

    /** Commits pending {@code version}; false (VERSION_MISMATCH) when it is neither pending nor committed or older. */
    boolean commit(int chunk, long version) {
        ChunkState s = info(chunk);
        if (s.pendingVersion() == version) {
            if (version <= s.committedVersion())
                throw new AssertionError("target " + targetId + " chunk " + chunk + ": pending version " + version
                        + " not above its committed " + s.committedVersion());
            chunks.put(chunk, new ChunkState(s.chainId(), version, s.pendingTag(), s.pendingValue(), 0, 0, 0));
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
