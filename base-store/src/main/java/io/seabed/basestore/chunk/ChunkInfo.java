package io.seabed.basestore.chunk;

import io.seabed.basestore.UpdateTag;

/**
 * A chunk's versions on one target, and the chain it belongs to (0: written without a chain). {@code committedVersion} is 0 when nothing is committed;
 * {@code pendingVersion} is 0 when no version is pending. {@code digest} is a 64-bit fingerprint of
 * the committed length and block CRCs: replicas with identical committed bytes have equal digests
 * (what verify compares).
 */
public record ChunkInfo(
        int chainId,
        long committedVersion,
        int lengthBytes,
        UpdateTag committedTag,
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
}
