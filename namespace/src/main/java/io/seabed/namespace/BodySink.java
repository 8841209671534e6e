package io.seabed.namespace;

import java.nio.ByteBuffer;

/** Where a read's bytes go; blocks while the receiver is full (backpressure). */
public interface BodySink {
    /** Consumes {@code data} (position to limit) before returning; the buffer is reused afterwards. */
    void write(ByteBuffer data);

    /**
     * Consumes {@code data} (position to limit), which the caller gives away: the sink may keep it without
     * copying. Sinks that would copy anyway need not override this.
     */
    default void writeOwned(ByteBuffer data) {
        write(data);
    }
}
