package io.seabed.namespace.object;

import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The memory budget of writes in flight: at most {@code buffersMax} chunk-sized direct buffers,
 * created on demand and reused. A write that cannot get one within the wait answers BUSY.
 */
public final class ChunkBuffers {
    static final long ACQUIRE_WAIT_MILLIS = 10_000;

    private final int bufferBytes;
    private final Semaphore permits;
    private final ArrayBlockingQueue<ByteBuffer> free;

    public ChunkBuffers(int bufferBytes, int buffersMax) {
        this.bufferBytes = bufferBytes;
        this.permits = new Semaphore(buffersMax);
        this.free = new ArrayBlockingQueue<>(buffersMax);
    }

    /** A cleared buffer of the chunk size; give it back with {@link #release}. */
    public ByteBuffer acquire() {
        try {
            if (!permits.tryAcquire(ACQUIRE_WAIT_MILLIS, TimeUnit.MILLISECONDS))
                throw new NamespaceException(Reason.BUSY, "no chunk buffer free within " + ACQUIRE_WAIT_MILLIS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NamespaceException(Reason.UNAVAILABLE, "interrupted waiting for a chunk buffer", e);
        }
        ByteBuffer b = free.poll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(bufferBytes);
    }

    public void release(ByteBuffer buffer) {
        if (buffer.capacity() != bufferBytes) throw new IllegalStateException("foreign buffer " + buffer.capacity());
        if (!free.offer(buffer)) throw new IllegalStateException("more buffers released than acquired");
        permits.release();
    }
}
