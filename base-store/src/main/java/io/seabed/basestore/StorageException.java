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
        CLOSED
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
