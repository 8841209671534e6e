package io.seabed.basestore.chain;

import io.seabed.basestore.StorageException.Reason;

/** The outcome a storage node answers for a chunk request, with its stable wire number. */
public enum ChainStatus {
    OK(0, null),
    /** The request's chain version is not the node's: the sender refreshes its routing and retries. */
    STALE_ROUTING(1, Reason.TARGET_OFFLINE),
    /** This replica holds an uncommitted version: read at the tail instead. */
    DIRTY(2, null),
    NO_SUCH_CHUNK(3, Reason.NO_SUCH_CHUNK),
    /** The replica lacks the update's base version: the sender sends the whole version instead. */
    VERSION_MISMATCH(4, Reason.VERSION_MISMATCH),
    /** The node holds no member of the chain in a state that may answer this request. */
    NOT_SERVING(5, Reason.TARGET_OFFLINE),
    IO_ERROR(6, Reason.IO_ERROR),
    CORRUPT(7, Reason.CORRUPT),
    OUT_OF_RANGE(8, Reason.OUT_OF_RANGE),
    INVALID_ARGUMENT(9, Reason.INVALID_ARGUMENT),
    /** The node's work queue is full; retry later. */
    BUSY(10, Reason.TARGET_OFFLINE),
    /** The target failed and is offline for this process. */
    OFFLINE(11, Reason.TARGET_OFFLINE),
    /** The node is shutting down. */
    CLOSED(12, Reason.TARGET_OFFLINE);

    private final int wire;
    private final Reason reason;

    ChainStatus(int wire, Reason reason) {
        this.wire = wire;
        this.reason = reason;
    }

    public int wire() {
        return wire;
    }

    /** The storage error a client reports when it gives up on this status. */
    public Reason reason() {
        return reason;
    }

    /** Whether another attempt (after a routing refresh or at another replica) may succeed. */
    public boolean retryable() {
        return this == STALE_ROUTING || this == NOT_SERVING || this == BUSY || this == OFFLINE || this == CLOSED;
    }

    public static ChainStatus ofWire(int wire) {
        for (ChainStatus s : values()) if (s.wire == wire) return s;
        return IO_ERROR;
    }

    /** The status for a storage error raised on a node. */
    public static ChainStatus of(Reason reason) {
        return switch (reason) {
            case NO_SUCH_CHUNK -> NO_SUCH_CHUNK;
            case CORRUPT -> CORRUPT;
            case OUT_OF_RANGE -> OUT_OF_RANGE;
            case INVALID_ARGUMENT -> INVALID_ARGUMENT;
            case VERSION_MISMATCH -> VERSION_MISMATCH;
            case TARGET_OFFLINE -> OFFLINE;
            case CLOSED -> CLOSED;
            case IO_ERROR, NOT_ENOUGH_TARGETS -> IO_ERROR;
        };
    }
}
