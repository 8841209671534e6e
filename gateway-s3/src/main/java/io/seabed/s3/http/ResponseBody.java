package io.seabed.s3.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.seabed.namespace.BodySink;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Streams a response body from a worker thread: each write is copied into a Vert.x buffer, written
 * on the event loop, and the worker waits while the connection's write queue is full.
 */
public final class ResponseBody implements BodySink {
    private final HttpServerResponse response;
    private final Context context;
    private final long stallMillis;
    private long bytesWritten;

    public ResponseBody(HttpServerResponse response, Context context, long stallMillis) {
        this.response = response;
        this.context = context;
        this.stallMillis = stallMillis;
    }

    @Override
    public void write(ByteBuffer data) {
        int n = data.remaining();
        byte[] copy = new byte[n];
        data.get(copy);
        send(BufferInternal.buffer(Unpooled.wrappedBuffer(copy)), n);
    }

    /** A heap buffer given away is wrapped, not copied (the socket write copies it once, as it must). */
    @Override
    public void writeOwned(ByteBuffer data) {
        if (!data.hasArray()) {
            write(data);
            return;
        }
        int n = data.remaining();
        ByteBuf wrapped = Unpooled.wrappedBuffer(data.array(), data.arrayOffset() + data.position(), n);
        data.position(data.limit());
        send(BufferInternal.buffer(wrapped), n);
    }

    private void send(Buffer buffer, int n) {
        CompletableFuture<Void> writable = new CompletableFuture<>();
        context.runOnContext(v -> {
            if (response.closed()) {
                writable.completeExceptionally(new ClientGoneException());
                return;
            }
            response.write(buffer);
            if (response.writeQueueFull()) response.drainHandler(x -> writable.complete(null));
            else writable.complete(null);
        });
        await(writable);
        bytesWritten += n;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    private void await(CompletableFuture<Void> f) {
        try {
            f.get(stallMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientGoneException();
        } catch (ExecutionException | TimeoutException e) {
            throw new ClientGoneException();
        }
    }

    /** The client stopped reading or went away; the request ends without a response. */
    public static final class ClientGoneException extends RuntimeException {
        public ClientGoneException() {
            super("client gone", null, false, false);
        }
    }
}
