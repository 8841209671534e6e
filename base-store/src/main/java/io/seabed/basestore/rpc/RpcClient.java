package io.seabed.basestore.rpc;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to an {@link RpcServer}: calls are pipelined (sent without waiting for earlier replies) and
 * matched to replies by request id. Every call has a deadline, carried to the server as the time left; a call
 * not answered by then fails DEADLINE_EXCEEDED. Request bytes in flight are bounded: a call that would exceed
 * {@link Config#inFlightBytesMax} fails BUSY at once rather than queue. Reply payloads are checked against
 * their CRC32C (CORRUPT on mismatch).
 *
 * <p>Thread safety: {@link #call} from any thread.
 */
public final class RpcClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);

    /**
     * @param frameBytesMax largest reply frame accepted (a larger length closes the connection)
     * @param inFlightBytesMax request bytes sent and not yet answered, beyond which calls fail BUSY
     */
    public record Config(int ioThreads, long frameBytesMax, long inFlightBytesMax, int connectTimeoutMillis) {
        public Config {
            if (ioThreads < 1) throw new IllegalArgumentException("ioThreads=" + ioThreads);
            if (frameBytesMax < Frame.PREFIX_BYTES || frameBytesMax > Integer.MAX_VALUE - Frame.PREFIX_BYTES)
                throw new IllegalArgumentException("frameBytesMax=" + frameBytesMax);
            if (inFlightBytesMax < 1) throw new IllegalArgumentException("inFlightBytesMax=" + inFlightBytesMax);
            if (connectTimeoutMillis < 1)
                throw new IllegalArgumentException("connectTimeoutMillis=" + connectTimeoutMillis);
        }

        /** 1 I/O thread, 72 MiB frames, 256 MiB in flight, 5 s to connect. */
        public static Config defaults() {
            return new Config(1, 72L << 20, 256L << 20, 5_000);
        }
    }

    /** A reply: the method's header and payload; close it to release the payload. */
    public record Result(byte[] header, ByteBuf payload) implements AutoCloseable {
        @Override
        public void close() {
            payload.release();
        }
    }

    /** A call sent and not answered; its timeout is set right after it is registered. */
    private static final class Pending {
        final CompletableFuture<Result> future;
        final long bytes;
        volatile ScheduledFuture<?> timeout;

        Pending(CompletableFuture<Result> future, long bytes) {
            this.future = future;
            this.bytes = bytes;
        }
    }

    private final Config config;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Channel channel;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong inFlightBytes = new AtomicLong();

    private RpcClient(Config config, EventLoopGroup group, boolean ownsGroup, String host, int port)
            throws IOException {
        this.config = config;
        this.group = group;
        this.ownsGroup = ownsGroup;
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(RpcTransport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frames", new FrameDecoder(config.frameBytesMax(), () -> false));
                        ch.pipeline().addLast("replies", new Replies());
                    }
                });
        try {
            this.channel = b.connect(host, port).sync().channel();
        } catch (Exception e) {
            if (ownsGroup) group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("rpc: connect " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects on a shared I/O thread group (see {@link #ioGroup}), which the caller shuts down after closing
     * every client on it.
     */
    public static RpcClient connect(String host, int port, Config config, EventLoopGroup shared) throws IOException {
        return new RpcClient(config, shared, false, host, port);
    }

    /** An I/O thread group for many clients ({@code threads} event loops named {@code name-N}). */
    public static EventLoopGroup ioGroup(int threads, String name) {
        return RpcTransport.group(threads, name);
    }

    /** Whether the connection is still open (a closed client fails every call with CLOSED). */
    public boolean isOpen() {
        return channel.isActive();
    }

    /** Connects with an I/O thread group of its own. */
    public static RpcClient connect(String host, int port, Config config) throws IOException {
        return new RpcClient(config, RpcTransport.group(config.ioThreads(), "rpc-client"), true, host, port);
    }

    /**
     * Calls {@code method}: the returned future completes with the reply, or with {@link RpcException} (the
     * server's error code, or DEADLINE_EXCEEDED, BUSY, CORRUPT, CLOSED from this side). The payload is released
     * once sent, or at once if the call is refused here.
     */
    public CompletableFuture<Result> call(RpcMethod method, byte[] header, RpcPayload payload, long timeoutMillis) {
        if (timeoutMillis < 1 || timeoutMillis > Integer.MAX_VALUE) {
            Frame.release(payload);
            throw new IllegalArgumentException("timeoutMillis=" + timeoutMillis);
        }
        if (header.length > Frame.HEADER_BYTES_MAX) {
            Frame.release(payload);
            throw new IllegalArgumentException("header of " + header.length + " bytes > " + Frame.HEADER_BYTES_MAX);
        }
        long bytes = Frame.wireBytes(header, payload);
        if (bytes - 4 > config.frameBytesMax())
            return refuse(payload, RpcException.Code.INVALID_ARGUMENT, "frame of " + bytes + " bytes too large");
        if (!channel.isActive()) return refuse(payload, RpcException.Code.CLOSED, "connection closed");
        long total = inFlightBytes.addAndGet(bytes);
        // A call larger than the limit may go when nothing else is in flight; otherwise the caller backs off.
        if (total > config.inFlightBytesMax() && total != bytes) {
            inFlightBytes.addAndGet(-bytes);
            return refuse(payload, RpcException.Code.BUSY, (total - bytes) + " request bytes in flight");
        }
        long id = nextId.getAndIncrement();
        CompletableFuture<Result> future = new CompletableFuture<>();
        Pending p = new Pending(future, bytes);
        pending.put(id, p);
        try {
            p.timeout = channel.eventLoop()
                    .schedule(
                            () -> fail(
                                    id,
                                    new RpcException(
                                            RpcException.Code.DEADLINE_EXCEEDED,
                                            method + " not answered in " + timeoutMillis + " ms")),
                            timeoutMillis,
                            TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            fail(id, new RpcException(RpcException.Code.CLOSED, "client closed"));
            Frame.release(payload);
            return future;
        }
        Frame.write(channel, Frame.KIND_REQUEST, method.id(), id, (int) timeoutMillis, header, payload)
                .addListener(f -> {
                    if (!f.isSuccess())
                        fail(id, new RpcException(RpcException.Code.CLOSED, "send failed: " + f.cause()));
                });
        return future;
    }

    private static CompletableFuture<Result> refuse(RpcPayload payload, RpcException.Code code, String message) {
        Frame.release(payload);
        return CompletableFuture.failedFuture(new RpcException(code, message));
    }

    /** Requests sent and not yet answered or failed. */
    public int inFlight() {
        return pending.size();
    }

    private Pending take(long id) {
        Pending p = pending.remove(id);
        if (p == null) return null;
        ScheduledFuture<?> timeout = p.timeout;
        if (timeout != null) timeout.cancel(false);
        inFlightBytes.addAndGet(-p.bytes);
        return p;
    }

    private void fail(long id, RpcException e) {
        Pending p = take(id);
        if (p != null) p.future.completeExceptionally(e);
    }

    private final class Replies extends SimpleChannelInboundHandler<Frame> {
        Replies() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
            if (f.kind() != Frame.KIND_REPLY && f.kind() != Frame.KIND_ERROR) {
                f.payload().release();
                LOG.warn(
                        "rpc: {} sent a frame of kind {} to a client; closing",
                        ctx.channel().remoteAddress(),
                        f.kind());
                ctx.close();
                return;
            }
            Pending p = take(f.requestId());
            if (p == null) {
                // Answered after its deadline (or never asked): nobody waits for it.
                f.payload().release();
                return;
            }
            if (f.kind() == Frame.KIND_ERROR) {
                f.payload().release();
                p.future.completeExceptionally(error(f.header()));
            } else if (!f.payloadIntact()) {
                f.payload().release();
                p.future.completeExceptionally(
                        new RpcException(RpcException.Code.CORRUPT, "reply payload CRC32C mismatch"));
            } else {
                Result result = new Result(f.header(), f.payload());
                // A caller that cancelled its future no longer takes the payload.
                if (!p.future.complete(result)) result.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            for (Long id : pending.keySet()) fail(id, new RpcException(RpcException.Code.CLOSED, "connection closed"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("rpc: closing connection to {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private static RpcException error(byte[] header) {
        if (header.length < 2) return new RpcException(RpcException.Code.BAD_FRAME, "error reply without a code");
        int wire = ((header[0] & 0xff) << 8) | (header[1] & 0xff);
        String message = new String(header, 2, header.length - 2, StandardCharsets.UTF_8);
        return new RpcException(RpcException.Code.ofWire(wire), "from server: " + message);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        if (ownsGroup) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
