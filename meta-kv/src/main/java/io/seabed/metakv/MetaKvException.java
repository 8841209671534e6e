package io.seabed.metakv;

/** An operating error of the metadata store. */
public final class MetaKvException extends RuntimeException {
    public enum Reason {
        /** Retries exhausted: other transactions kept writing what this one read. */
        CONFLICT,
        /** The read view is older than the resolver's window or the leader's term. */
        TOO_OLD,
        /** This node does not lead the group. */
        NOT_LEADER,
        /** The group cannot commit now (no quorum, shutting down, storage failed). */
        UNAVAILABLE,
        /** The commit did not finish before its deadline; it may or may not have applied. */
        TIMEOUT,
        /** A key or value over its limit, or an empty key. */
        INVALID_ARGUMENT,
        /** The store is closed. */
        CLOSED
    }

    private final Reason reason;

    public MetaKvException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public MetaKvException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
