package io.seabed.basestore.chunk;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * A bounded pool of same-size direct buffers for copies on the chunk I/O path. When the pool is
 * empty a fresh buffer is allocated; when it is full a released buffer is dropped to the GC.
 *
 * <p>Ownership: {@link #acquire} hands the buffer to the caller, who must {@link #release} it once
 * and not touch it afterwards. Thread-safe; works for virtual threads (nothing is thread-local).
 */
public final class DirectBufferPool {
    private final int bufferBytes;
    private final ArrayBlockingQueue<ByteBuffer> free;

    public DirectBufferPool(int bufferBytes, int buffersMax) {
        if (bufferBytes <= 0) throw new IllegalArgumentException("bufferBytes=" + bufferBytes);
        this.bufferBytes = bufferBytes;
        this.free = new ArrayBlockingQueue<>(Math.max(1, buffersMax));
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    /** A cleared buffer of {@link #bufferBytes} capacity. */
    public ByteBuffer acquire() {
        ByteBuffer buffer = free.poll();
        return buffer != null ? buffer.clear() : ByteBuffer.allocateDirect(bufferBytes);
    }

    public void release(ByteBuffer buffer) {
        if (buffer.capacity() != bufferBytes)
            throw new IllegalArgumentException("buffer capacity=" + buffer.capacity() + " != " + bufferBytes);
        free.offer(buffer);
    }
}
