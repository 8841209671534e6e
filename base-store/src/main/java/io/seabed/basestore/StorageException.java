package io.seabed.basestore;

/** An operating error of the storage base. */
public final class StorageException extends RuntimeException {
    public enum Reason {
        NOT_ENOUGH_TARGETS,
        NO_SUCH_CHUNK,
        CORRUPT,
        OUT_OF_RANGE,
        IO_ERROR,
        TARGET_OFFLINE,
        INVALID_ARGUMENT,
        CLOSED,
        /**
         * A chunk update or commit does not follow the replica's versions (its base version is
         * missing here, or the version to commit is not pending): the replica needs a sync, or
         * the sender a full replace.
         */
        VERSION_MISMATCH
    }

    private final Reason reason;

    public StorageException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public StorageException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
