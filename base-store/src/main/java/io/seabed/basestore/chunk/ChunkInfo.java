package io.seabed.basestore.chunk;

import io.seabed.basestore.UpdateTag;

/**
 * A chunk's versions on one target, and the chain it belongs to (0: written without a chain). {@code committedVersion} is 0 when nothing is committed;
 * {@code pendingVersion} is 0 when no version is pending. {@code digest} is a 64-bit fingerprint of
 * the committed length and block CRCs: replicas with identical committed bytes have equal digests
 * (what verify compares). {@code recentTags} lists the tags of the latest committed versions (empty
 * when nothing is committed).
 */
public record ChunkInfo(
        int chainId,
        long committedVersion,
        int lengthBytes,
        UpdateTag committedTag,
        RecentTags recentTags,
        long digest,
        long pendingVersion,
        UpdateTag pendingTag) {

    public boolean exists() {
        return committedVersion > 0 || pendingVersion > 0;
    }

    /** The newest version this target holds, committed or not. */
    public long latestVersion() {
        return Math.max(committedVersion, pendingVersion);
    }

    /**
     * The version the update tagged {@code tag} made here: the pending version if that update made it,
     * else a committed version among the {@link RecentTags#RECENT_TAGS_MAX} latest; 0 when unknown (always
     * for {@link UpdateTag#NONE}).
     */
    public long versionOf(UpdateTag tag) {
        if (tag.isNone()) return 0;
        if (pendingVersion > 0 && tag.equals(pendingTag)) return pendingVersion;
        return recentTags.versionOf(tag);
    }
}
