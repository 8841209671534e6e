package io.seabed.s3.http;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The wire bytes of a request body, handed from the event loop to a worker thread with
 * backpressure: the request is paused while more than {@link #HIGH_WATER_BYTES} wait, and resumed
 * when the worker has drained below {@link #LOW_WATER_BYTES}. So a 1 GiB PUT holds at most about a
 * megabyte here.
 *
 * <p>A small body (see {@link #prefetched}) is instead read whole on the event loop before the worker
 * starts, so the worker never waits for it: no resume hop, no wake-up per buffer.
 *
 * <p>Threads: {@code onData/onEnd/onError} run on the request's event loop; {@link #read} on one
 * worker thread.
 */
public final class RequestBody {
    static final int HIGH_WATER_BYTES = 1 << 20;
    static final int LOW_WATER_BYTES = 256 << 10;

    private final HttpServerRequest request;
    private final Context context;
    private final long idleMillis;
    private final long bytesMax;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    private int headOffset;
    private long queuedBytes;
    private long receivedBytes;
    private boolean ended;
    private boolean paused = true;
    private boolean started;
    private Throwable error;
    /** For a prefetched body: what runs once it has ended, failed or stalled (event loop only). */
    private Runnable ready;

    private long stallTimer = -1;

    /**
     * Takes over the (paused) request's handlers.
     *
     * @param bytesMax wire bytes accepted; more is an error (the declared length was exceeded)
     */
    public RequestBody(HttpServerRequest request, Context context, long idleMillis, long bytesMax) {
        this.request = request;
        this.context = context;
        this.idleMillis = idleMillis;
        this.bytesMax = bytesMax;
        request.handler(this::onData);
        request.endHandler(v -> onEnd());
        request.exceptionHandler(this::onError);
    }

    /**
     * Takes over the (not paused) request's handlers and reads its whole body on the event loop; runs
     * {@code ready} on the event loop once, when the body has ended, failed, or stalled for {@code idleMillis}
     * (then reads fail with IncompleteBody). For bodies of a declared length small enough to hold in memory.
     */
    public static RequestBody prefetched(
            HttpServerRequest request, Context context, long idleMillis, long bytesMax, Runnable ready) {
        RequestBody body = new RequestBody(request, context, idleMillis, bytesMax);
        body.paused = false;
        body.started = true;
        body.ready = ready;
        body.stallTimer = context.owner().setTimer(idleMillis, id -> body.onStall());
        return body;
    }

    private void onStall() {
        lock.lock();
        try {
            if (!ended && error == null)
                error = new S3Exception(S3ErrorCode.INCOMPLETE_BODY, "The body stalled for " + idleMillis + " ms.");
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        fireReady();
    }

    /** Runs the prefetch callback once (event loop only). */
    private void fireReady() {
        Runnable r = ready;
        if (r == null) return;
        ready = null;
        if (stallTimer >= 0) context.owner().cancelTimer(stallTimer);
        r.run();
    }

    private void onData(Buffer data) {
        lock.lock();
        try {
            receivedBytes += data.length();
            if (receivedBytes > bytesMax && error == null)
                error = new S3Exception(S3ErrorCode.INVALID_REQUEST, "The body is longer than its declared length.");
            queue.add(data);
            queuedBytes += data.length();
            if (queuedBytes > HIGH_WATER_BYTES && !paused) {
                paused = true;
                request.pause();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onEnd() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        fireReady();
    }

    private void onError(Throwable t) {
        lock.lock();
        try {
            if (error == null) error = new S3Exception(S3ErrorCode.INCOMPLETE_BODY);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        fireReady();
    }

    /** Whether the whole body has arrived (so the connection can be reused after an error). */
    public boolean ended() {
        lock.lock();
        try {
            return ended && error == null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies wire bytes into {@code output}; -1 at the end. Blocks up to the idle timeout for data.
     *
     * @throws S3Exception IncompleteBody when the connection failed, RequestTimeout when idle too long
     */
    public int read(ByteBuffer output) {
        lock.lock();
        try {
            if (!started) {
                started = true;
                resume();
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMillis);
            while (queue.isEmpty() && !ended && error == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0)
                    throw new S3Exception(S3ErrorCode.INCOMPLETE_BODY, "The body stalled for " + idleMillis + " ms.");
                changed.awaitNanos(left);
            }
            if (error != null) throw (RuntimeException) error;
            if (queue.isEmpty()) return -1;
            int n = 0;
            while (output.hasRemaining() && !queue.isEmpty()) {
                Buffer head = queue.peekFirst();
                int take = Math.min(output.remaining(), head.length() - headOffset);
                ByteBuffer target = output.duplicate();
                target.limit(target.position() + take);
                ((BufferInternal) head).getByteBuf().getBytes(headOffset, target);
                output.position(output.position() + take);
                headOffset += take;
                n += take;
                if (headOffset == head.length()) {
                    queue.removeFirst();
                    headOffset = 0;
                }
            }
            queuedBytes -= n;
            if (paused && queuedBytes < LOW_WATER_BYTES) resume();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new S3Exception(S3ErrorCode.INTERNAL_ERROR);
        } finally {
            lock.unlock();
        }
    }

    private void resume() {
        paused = false;
        context.runOnContext(v -> request.resume());
    }
}
