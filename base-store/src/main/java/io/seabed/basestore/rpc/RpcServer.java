package io.seabed.basestore.rpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of the data-plane RPC: accepts connections, decodes request frames, runs the method's
 * handler, and writes its reply. Requests on a connection are pipelined: many may be in flight and replies go
 * out as handlers finish, in any order. Each connection stops reading while the frames of its unanswered
 * requests exceed {@link Config#inFlightBytesMax} (so a fast sender cannot queue unbounded work), and a request
 * whose payload fails its CRC32C is refused as CORRUPT before any handler sees it.
 *
 * <p>PING and ECHO are always served; handlers given for them replace the built-in ones.
 *
 * <p>Thread safety: handlers run on the connection's event loop and must not block; they return a future and
 * do blocking work elsewhere. A call's payload is valid until its reply future completes.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);
    /** Longest error message put on the wire. */
    private static final int ERROR_MESSAGE_CHARS_MAX = 512;

    /**
     * @param frameBytesMax largest frame accepted (a larger length closes the connection)
     * @param inFlightBytesMax per connection: reading pauses while unanswered request frames exceed this
     * @param connectionsMax connections beyond this are closed at once
     * @param frameStallMillis a connection holding part of a frame that receives nothing for this long closes
     *     (an idle connection between frames stays open)
     */
    public record Config(
            String host,
            int port,
            int ioThreads,
            long frameBytesMax,
            long inFlightBytesMax,
            int connectionsMax,
            long frameStallMillis) {
        public Config {
            if (frameStallMillis < 1) throw new IllegalArgumentException("frameStallMillis=" + frameStallMillis);
            if (ioThreads < 1) throw new IllegalArgumentException("ioThreads=" + ioThreads);
            if (frameBytesMax < Frame.PREFIX_BYTES || frameBytesMax > Integer.MAX_VALUE - Frame.PREFIX_BYTES)
                throw new IllegalArgumentException("frameBytesMax=" + frameBytesMax);
            if (inFlightBytesMax < 1) throw new IllegalArgumentException("inFlightBytesMax=" + inFlightBytesMax);
            if (connectionsMax < 1) throw new IllegalArgumentException("connectionsMax=" + connectionsMax);
        }

        /**
         * Loopback on an ephemeral port, 1 I/O thread, 72 MiB frames, 256 MiB in flight, 1,024 connections, 30 s
         * for a frame to make progress.
         */
        public static Config loopback() {
            return new Config("127.0.0.1", 0, 1, 72L << 20, 256L << 20, 1024, 30_000);
        }
    }

    /** A received request. {@code deadlineNanos} is on this process's {@link System#nanoTime} clock. */
    public record Call(RpcMethod method, long requestId, byte[] header, ByteBuf payload, long deadlineNanos) {}

    /** What a handler answers: a method-specific header and a payload (released once sent). */
    public record Reply(byte[] header, RpcPayload payload) {
        public static final Reply EMPTY = new Reply(new byte[0], RpcPayload.NONE);
    }

    /** Serves one method. Must not block; a failure with {@link RpcException} reaches the caller with its code. */
    @FunctionalInterface
    public interface Handler {
        CompletableFuture<Reply> handle(Call call);
    }

    private final Config config;
    private final Map<RpcMethod, Handler> handlers;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final AtomicInteger connections = new AtomicInteger();

    private RpcServer(Config config, Map<RpcMethod, Handler> handlers) throws IOException {
        this.config = config;
        this.handlers = new EnumMap<>(RpcMethod.class);
        this.handlers.put(RpcMethod.PING, call -> CompletableFuture.completedFuture(Reply.EMPTY));
        this.handlers.put(RpcMethod.ECHO, RpcServer::echo);
        this.handlers.putAll(handlers);
        this.boss = RpcTransport.group(1, "rpc-accept");
        this.workers = RpcTransport.group(config.ioThreads(), "rpc-server");
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(RpcTransport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > config.connectionsMax()) {
                            connections.decrementAndGet();
                            LOG.warn(
                                    "rpc: refusing {}: {} connections open",
                                    ch.remoteAddress(),
                                    config.connectionsMax());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        Connection c = new Connection();
                        ch.pipeline()
                                .addLast(
                                        "stall",
                                        new IdleStateHandler(config.frameStallMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("frames", new FrameDecoder(config.frameBytesMax(), c::paused));
                        ch.pipeline().addLast("calls", c);
                    }
                });
        try {
            this.listener = b.bind(config.host(), config.port()).sync().channel();
        } catch (Exception e) {
            shutdown();
            throw new IOException("rpc: bind " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        LOG.info(
                "rpc server on {} ({} transport)",
                listener.localAddress(),
                RpcTransport.nativeEpoll() ? "epoll" : "nio");
    }

    public static RpcServer start(Config config, Map<RpcMethod, Handler> handlers) throws IOException {
        return new RpcServer(config, handlers);
    }

    /** ECHO: the request's header and payload, unchanged. */
    private static CompletableFuture<Reply> echo(Call call) {
        return CompletableFuture.completedFuture(
                new Reply(call.header(), new RpcPayload.Bytes(call.payload().retain())));
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * One connection's calls; confined to its event loop. A request's frame bytes count against the limit from
     * when it is decoded until its reply (or error reply) has been written to the socket, so neither slow
     * handlers nor a peer that does not read its replies make the server hold more than the limit (plus one
     * frame).
     */
    private final class Connection extends SimpleChannelInboundHandler<Frame> {
        private long inFlightBytes;
        private boolean paused;
        private boolean closing;
        private ChannelHandlerContext decoder;

        Connection() {
            super(false);
        }

        boolean paused() {
            return paused;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            decoder = ctx.pipeline().context("frames");
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
            Channel ch = ctx.channel();
            if (closing) {
                f.payload().release();
                return;
            }
            if (f.kind() != Frame.KIND_REQUEST) {
                f.payload().release();
                LOG.warn("rpc: {} sent a frame of kind {} to a server; closing", ch.remoteAddress(), f.kind());
                closing = true;
                ch.close();
                return;
            }
            hold(ch, f.frameBytes());
            RpcMethod method = RpcMethod.byId(f.method());
            Handler handler = method == null ? null : handlers.get(method);
            RpcException refused = null;
            if (handler == null)
                refused = new RpcException(RpcException.Code.UNKNOWN_METHOD, "no method " + f.method());
            else if (!f.payloadIntact())
                refused = new RpcException(RpcException.Code.CORRUPT, "payload CRC32C mismatch");
            else if (f.timeoutMillis() <= 0)
                refused = new RpcException(RpcException.Code.INVALID_ARGUMENT, "a request needs a timeout > 0");
            if (refused != null) {
                f.payload().release();
                sendError(ch, f.method(), f.requestId(), refused).addListener(done -> release(ch, f.frameBytes()));
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(f.timeoutMillis());
            Call call = new Call(method, f.requestId(), f.header(), f.payload(), deadline);
            CompletableFuture<Reply> reply;
            try {
                reply = handler.handle(call);
                if (reply == null) throw new IllegalStateException("handler of " + method + " returned no future");
            } catch (RuntimeException | Error e) {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((r, error) -> {
                if (ch.eventLoop().inEventLoop()) {
                    answered(ch, f, method, r, error);
                    return;
                }
                try {
                    ch.eventLoop().execute(() -> answered(ch, f, method, r, error));
                } catch (RejectedExecutionException e) {
                    // The server closed before the handler finished: nobody can be answered; free what the call held.
                    f.payload().release();
                    if (r != null) Frame.release(r.payload());
                }
            });
        }

        private void answered(Channel ch, Frame f, RpcMethod method, Reply r, Throwable error) {
            f.payload().release();
            if (error == null && r == null)
                error = new IllegalStateException("handler of " + method + " answered null");
            ChannelFuture written = error != null
                    ? sendError(ch, f.method(), f.requestId(), error)
                    : Frame.write(ch, Frame.KIND_REPLY, method.id(), f.requestId(), 0, r.header(), r.payload());
            written.addListener(done -> release(ch, f.frameBytes()));
        }

        private void hold(Channel ch, long bytes) {
            inFlightBytes += bytes;
            if (inFlightBytes > config.inFlightBytesMax() && !paused) {
                paused = true;
                ch.config().setAutoRead(false);
            }
        }

        /** Runs on the event loop (channel future listeners do). */
        private void release(Channel ch, long bytes) {
            inFlightBytes -= bytes;
            if (paused && inFlightBytes <= config.inFlightBytesMax()) {
                paused = false;
                // Not from inside a decode: the frames still buffered are decoded in a task of their own.
                if (ch.isActive()) ch.eventLoop().execute(() -> FrameDecoder.resume(decoder));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            // Nothing read for frameStallMillis: harmless between frames, a stall in the middle of one (its bytes
            // are held in memory). A paused connection is not reading on purpose.
            if (event instanceof IdleStateEvent && !paused && ((FrameDecoder) decoder.handler()).buffered() > 0) {
                LOG.warn(
                        "rpc: closing connection from {}: a frame stalled for {} ms",
                        ctx.channel().remoteAddress(),
                        config.frameStallMillis());
                closing = true;
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("rpc: closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            closing = true;
            ctx.close();
        }
    }

    /** Writes an error reply (code and message; never a stack trace); its future completes once written. */
    private static ChannelFuture sendError(Channel ch, int methodId, long requestId, Throwable error) {
        if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null)
            error = error.getCause();
        RpcException e;
        if (error instanceof RpcException r) {
            e = r;
        } else {
            LOG.error("rpc: handler of method {} failed (request {})", methodId, requestId, error);
            e = new RpcException(RpcException.Code.INTERNAL, error.getClass().getSimpleName());
        }
        String message = e.getMessage();
        if (message.length() > ERROR_MESSAGE_CHARS_MAX) message = message.substring(0, ERROR_MESSAGE_CHARS_MAX);
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        byte[] header = new byte[2 + text.length];
        header[0] = (byte) (e.code().wire() >>> 8);
        header[1] = (byte) e.code().wire();
        System.arraycopy(text, 0, header, 2, text.length);
        return Frame.write(ch, Frame.KIND_ERROR, methodId, requestId, 0, header, RpcPayload.NONE);
    }

    private void shutdown() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        shutdown();
        boss.terminationFuture().syncUninterruptibly();
        workers.terminationFuture().syncUninterruptibly();
    }
}
