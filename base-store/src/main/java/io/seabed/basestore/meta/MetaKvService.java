package io.seabed.basestore.meta;

import io.netty.buffer.ByteBuf;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.basestore.rpc.RpcServer.Call;
import io.seabed.basestore.rpc.RpcServer.Reply;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.RaftMetaKv;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one member of a meta-kv group ({@link RaftMetaKv}, a {@code seabed meta} process) to the group's clients
 * in other processes ({@link RpcMetaKvLink} under {@code RemoteMetaKv}): the META_* methods of {@link MetaKvWire}.
 *
 * <p>The member's calls block (RocksDB reads, decoding and submitting a commit), so they run on a bounded pool of
 * {@code meta-kv-serve} threads, never on the event loop; a full queue answers the transport's BUSY, and a call
 * whose deadline passed while it waited is answered UNAVAILABLE without running (nothing was done). Every reply
 * carries a status byte: OK, or the member's {@link MetaKvException.Reason} with its message, so the client
 * throws the same reason. A member that is closing answers UNAVAILABLE (to its callers it is a member that cannot
 * be reached), and a malformed request INVALID_ARGUMENT. An unexpected failure is logged here with its stack and
 * answered UNAVAILABLE for a read, TIMEOUT for a commit (it may have been submitted); no stack goes on the wire.
 */
public final class MetaKvService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaKvService.class);

    /**
     * Serving threads. Reads are RocksDB gets and scans (well under a millisecond each unless a page is large);
     * commits only decode the message and hand it to the log (the wait for the log is a future, on no thread).
     * 8 threads keep a member's cores busy with reads while Ratis keeps its own threads.
     */
    static final int SERVE_THREADS = 8;

    /**
     * Calls waiting for a thread. Budget: a gateway keeps at most a few hundred meta-kv calls in flight (its S3
     * requests in flight, each one call at a time), and a handful of gateways use one group: 4 × 256.
     */
    static final int QUEUE_MAX = 1024;

    /** Unanswered request bytes per connection before it stops reading (at least one largest request). */
    static final long CONNECTION_IN_FLIGHT_BYTES_MAX = 64L << 20;

    /** Connections one member accepts: gateways and tools. */
    static final int CONNECTIONS_MAX = 1024;

    private final RaftMetaKv member;
    private final ThreadPoolExecutor worker;
    private final RpcServer server;

    private MetaKvService(RaftMetaKv member, RpcServer.Config rpc) throws IOException {
        this.member = member;
        AtomicInteger threads = new AtomicInteger();
        this.worker = new ThreadPoolExecutor(
                SERVE_THREADS,
                SERVE_THREADS,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE_MAX),
                r -> Thread.ofPlatform()
                        .name("meta-kv-serve-" + threads.getAndIncrement())
                        .daemon(true)
                        .unstarted(r));
        Map<RpcMethod, RpcServer.Handler> handlers = new EnumMap<>(RpcMethod.class);
        handlers.put(RpcMethod.META_READ_VERSION, call -> serve(call, this::readVersion));
        handlers.put(RpcMethod.META_GET, call -> serve(call, this::get));
        handlers.put(RpcMethod.META_MULTI_GET, call -> serve(call, this::multiGet));
        handlers.put(RpcMethod.META_SCAN, call -> serve(call, this::scan));
        handlers.put(RpcMethod.META_COMMIT, call -> serve(call, this::commit));
        handlers.put(RpcMethod.META_VALIDATE, call -> serve(call, this::validate));
        try {
            this.server = RpcServer.start(rpc, handlers);
        } catch (IOException e) {
            worker.shutdownNow();
            throw e;
        }
    }

    /** Serves {@code member} at {@code rpc}'s address (see {@link #rpcConfig} for frame limits that fit). */
    public static MetaKvService start(RaftMetaKv member, RpcServer.Config rpc) throws IOException {
        long needed = MetaKvWire.REQUEST_BYTES_MAX + (long) MetaKvWire.FRAME_OVERHEAD_BYTES;
        if (rpc.frameBytesMax() < needed)
            throw new IllegalArgumentException(
                    "frameBytesMax=" + rpc.frameBytesMax() + " < " + needed + " (REQUEST_BYTES_MAX + overhead)");
        return new MetaKvService(member, rpc);
    }

    /** An RPC server configuration for a member listening at {@code host:port} (0: an ephemeral port). */
    public static RpcServer.Config rpcConfig(String host, int port) {
        return new RpcServer.Config(
                host,
                port,
                1,
                MetaKvWire.REQUEST_BYTES_MAX + (long) MetaKvWire.FRAME_OVERHEAD_BYTES,
                CONNECTION_IN_FLIGHT_BYTES_MAX,
                CONNECTIONS_MAX,
                30_000);
    }

    public int port() {
        return server.port();
    }

    /** One method's work on a serving thread: the request payload's bytes to the reply payload. */
    @FunctionalInterface
    private interface Work {
        CompletableFuture<RpcPayload> apply(byte[] request);
    }

    private CompletableFuture<Reply> serve(Call call, Work work) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        try {
            worker.execute(() -> run(call, work, reply));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RpcException(
                    RpcException.Code.BUSY, "meta-kv member has QUEUE_MAX=" + QUEUE_MAX + " calls waiting"));
        }
        return reply;
    }

    /** Runs on a serving thread; the call's payload stays valid until {@code reply} completes. */
    private void run(Call call, Work work, CompletableFuture<Reply> reply) {
        if (System.nanoTime() - call.deadlineNanos() > 0) {
            reply.complete(failure(Reason.UNAVAILABLE, "the call's deadline passed before it was served"));
            return;
        }
        CompletableFuture<RpcPayload> result;
        try {
            result = work.apply(bytesOf(call.payload()));
        } catch (RuntimeException e) {
            reply.complete(failure(call, e));
            return;
        }
        result.whenComplete((payload, error) ->
                reply.complete(error == null ? new Reply(new byte[] {MetaKvWire.OK}, payload) : failure(call, error)));
    }

    private Reply failure(Call call, Throwable error) {
        if (error instanceof CompletionException && error.getCause() != null) error = error.getCause();
        if (error instanceof MetaKvException e) {
            // A closing member is, to its callers, one that cannot be reached; CLOSED is the local store's state.
            Reason reason = e.reason() == Reason.CLOSED ? Reason.UNAVAILABLE : e.reason();
            return failure(reason, e.getMessage());
        }
        LOG.error("meta-kv {} failed (request {})", call.method(), call.requestId(), error);
        Reason reason = call.method() == RpcMethod.META_COMMIT ? Reason.TIMEOUT : Reason.UNAVAILABLE;
        return failure(
                reason,
                "internal error at the meta-kv member (" + error.getClass().getSimpleName() + ")");
    }

    private static Reply failure(Reason reason, String message) {
        return new Reply(MetaKvWire.errorHeader(reason, message), RpcPayload.NONE);
    }

    private CompletableFuture<RpcPayload> readVersion(byte[] request) {
        if (request.length != 0) throw MetaKvWire.invalid("read version request of " + request.length + " B");
        return done(MetaKvWire.encodeVersion(member.serveReadVersion()));
    }

    private CompletableFuture<RpcPayload> get(byte[] key) {
        return CompletableFuture.completedFuture(new RpcPayload.Bytes(MetaKvWire.encodeValue(member.serveGet(key))));
    }

    private CompletableFuture<RpcPayload> multiGet(byte[] request) {
        return done(MetaKvWire.encodeValues(member.serveMultiGet(MetaKvWire.decodeKeys(request))));
    }

    private CompletableFuture<RpcPayload> scan(byte[] request) {
        MetaKvWire.ScanRequest r = MetaKvWire.decodeScan(request);
        return done(MetaKvWire.encodeEntries(member.serveScan(r.from(), r.to(), r.limit(), r.reverse())));
    }

    private CompletableFuture<RpcPayload> commit(byte[] txn) {
        return member.serveCommit(txn).thenApply(RpcPayload::of);
    }

    private CompletableFuture<RpcPayload> validate(byte[] txn) {
        return done(member.serveValidate(txn));
    }

    private static CompletableFuture<RpcPayload> done(byte[] reply) {
        return CompletableFuture.completedFuture(RpcPayload.of(reply));
    }

    private static byte[] bytesOf(ByteBuf payload) {
        byte[] bytes = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), bytes);
        return bytes;
    }

    /**
     * Stops accepting calls (connections close; callers see their calls fail), then lets the calls already on a
     * serving thread finish (up to 10 s) so the member can close after this returns.
     */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            worker.shutdown();
            try {
                if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("meta-kv service: calls still running after 10 s; interrupting them");
                    worker.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                worker.shutdownNow();
            }
        }
    }
}
