package io.seabed.basestore.rpc;

/**
 * A failed call: a transport condition (this side or the peer's) or an error the peer's handler answered.
 * The code travels on the wire as its stable number.
 */
public final class RpcException extends RuntimeException {
    /** Error codes with their wire numbers; like method ids, a number never changes meaning. */
    public enum Code {
        /** The peer has no handler for the method. */
        UNKNOWN_METHOD(1),
        /** A frame broke the protocol (the connection closes). */
        BAD_FRAME(2),
        /** A payload's CRC32C did not match: the bytes were damaged on the way. */
        CORRUPT(3),
        /** No reply within the call's deadline. */
        DEADLINE_EXCEEDED(4),
        /** The connection's in-flight bytes are at their limit; retry later. */
        BUSY(5),
        /** The connection closed (or was never open) before the reply. */
        CLOSED(6),
        /** The handler failed unexpectedly (details are in the peer's log, not on the wire). */
        INTERNAL(7),
        /** The request itself is invalid for its method. */
        INVALID_ARGUMENT(8);

        private final int wire;

        Code(int wire) {
            this.wire = wire;
        }

        public int wire() {
            return wire;
        }

        /** The code with wire number {@code wire}; unknown numbers (from a newer peer) read as INTERNAL. */
        public static Code ofWire(int wire) {
            for (Code c : values()) if (c.wire == wire) return c;
            return INTERNAL;
        }
    }

    private final Code code;

    public RpcException(Code code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
