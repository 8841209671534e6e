package io.seabed.namespace;

import java.nio.ByteBuffer;

/**
 * The body of a write, pulled by the namespace on a worker thread.
 *
 * <p>{@link #read} blocks until bytes are available. The namespace reads exactly the declared
 * length; the source reports a short body (INCOMPLETE_BODY) by throwing.
 */
public interface BodySource {
    /** Copies up to {@code output.remaining()} bytes into {@code output}; -1 at the end of the body. */
    int read(ByteBuffer output);

    /**
     * Called once after the whole body was read and before anything is committed, with the body's
     * MD5; throws to refuse the write (bad digest, bad checksum, bad signature). Nothing is stored
     * then.
     */
    void verify(byte[] md5);

    /**
     * The additional checksum the body carried (verified) or was given by its source, valid after
     * {@link #verify}; null when there is none. The namespace stores it with the data.
     */
    default ObjectChecksum checksum() {
        return null;
    }
}
