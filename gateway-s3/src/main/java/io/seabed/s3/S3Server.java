package io.seabed.s3;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.seabed.namespace.Namespace;
import io.seabed.s3.auth.AuthLimits;
import io.seabed.s3.auth.SigV4Verifier;
import io.seabed.s3.http.RequestBody;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.InstantSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 front: a Vert.x HTTP server whose event loops only parse and route (and read bodies of a few KiB
 * whole); each request then runs on a virtual thread of its own (metadata and storage calls block). Requests
 * beyond the in-flight limit answer SlowDown.
 */
public final class S3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);

    private final Vertx vertx;
    private final S3Config config;
    private final InstantSource clock;
    private final S3Metrics metrics;
    private final S3Handler handler;
    private final ExecutorService workers;
    private final AtomicLong requestCounter = new AtomicLong();
    private final long bootId = Long.rotateLeft(System.nanoTime(), 17) & 0xFFFFFFL;
    private HttpServer server;

    public S3Server(Vertx vertx, Namespace namespace, S3Config config, MeterRegistry registry, InstantSource clock) {
        this.vertx = vertx;
        this.config = config;
        this.clock = clock;
        this.metrics = new S3Metrics(registry);
        SigV4Verifier verifier = new SigV4Verifier(
                accessKey -> {
                    var user = namespace.user(accessKey);
                    return user == null ? null : user.secretKey();
                },
                AuthLimits.DEFAULTS,
                config.region());
        this.handler = new S3Handler(namespace, verifier, config, metrics);
        // A virtual thread per request: handlers block on metadata commits and storage, and parking a virtual
        // thread costs far less than a platform thread's futex sleep (profiles of 4 KiB PUTs). requestsInFlightMax
        // bounds how many exist.
        this.workers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("s3-request-", 0).factory());
    }

    /** Binds and starts serving; returns the bound port (useful with port 0). Blocks until bound. */
    public int listen(String host, int port) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setTcpNoDelay(true)
                .setMaxHeaderSize(config.headerBytesMax())
                .setMaxInitialLineLength(16 * 1024)
                .setHandle100ContinueAutomatically(false)
                .setHttp2ClearTextEnabled(false)
                .setDecompressionSupported(false)
                .setCompressionSupported(false)
                // No WebSockets here: without these Netty's WebSocket extension handler inspects every request
                // and response (a few percent of the event loop under small requests).
                .setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false);
        try {
            server = vertx.createHttpServer(options)
                    .requestHandler(this::onRequest)
                    .invalidRequestHandler(this::onInvalidRequest)
                    .listen()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("S3 server cannot listen on " + host + ":" + port, e);
        }
        LOG.info(
                "S3 front on {}:{} ({} transport)",
                host,
                server.actualPort(),
                vertx.isNativeTransportEnabled() ? "native" : "NIO");
        return server.actualPort();
    }

    /** A request id unique to this server: its boot id, then a counter. */
    private String nextRequestId() {
        return String.format("%06X%010X", bootId, requestCounter.incrementAndGet());
    }

    /** Runs on an event loop: route, then hand the request to a worker. */
    private void onRequest(HttpServerRequest http) {
        long startNanos = System.nanoTime();
        String requestId = nextRequestId();
        Context context = vertx.getOrCreateContext();
        S3Target target;
        try {
            String host = http.getHeader("Host");
            if (host == null && http.authority() != null)
                host = http.authority().toString();
            target = S3Target.parse(host, http.path(), http.query(), config.domains());
        } catch (S3Exception e) {
            rejectNow(http, e, requestId, startNanos);
            return;
        }
        S3Op op = S3Router.route(
                http.method().name(),
                target.bucket(),
                target.key(),
                target.query(),
                http.getHeader("x-amz-copy-source"));
        if (metrics.inFlight.incrementAndGet() > config.requestsInFlightMax()) {
            metrics.inFlight.decrementAndGet();
            if (S3Handler.readsBody(op)) http.pause();
            else http.handler(ignored -> {});
            rejectNow(http, new S3Exception(S3ErrorCode.SLOW_DOWN), requestId, startNanos);
            return;
        }
        RequestBody body = null;
        Prefetch prefetch = null;
        if (S3Handler.readsBody(op)) {
            long prefetchLength = prefetchLength(http);
            if (prefetchLength >= 0) {
                Prefetch p = new Prefetch(
                        op, handler.answersOnLoop(op, prefetchLength, http.getHeader("x-amz-decoded-content-length")));
                prefetch = p;
                body = RequestBody.prefetched(http, context, config.bodyIdleMillis(), PREFETCH_BYTES_MAX, p::arrived);
            } else {
                http.pause();
                body = new RequestBody(http, context, config.bodyIdleMillis(), Long.MAX_VALUE);
            }
        } else {
            http.handler(ignored -> {});
        }
        S3Request request = new S3Request(
                http,
                context,
                requestId,
                target.bucket(),
                target.key(),
                target.query(),
                target.hostBucket(),
                body,
                clock,
                startNanos);
        if (prefetch != null) prefetch.built(request);
        else dispatch(request, op);
    }

    /** A request whose body is read before dispatch: it goes to a worker once both it and its body are there. */
    private final class Prefetch {
        private final S3Op op;
        private final boolean onLoop;
        private S3Request request;
        private boolean arrived;

        Prefetch(S3Op op, boolean onLoop) {
            this.op = op;
            this.onLoop = onLoop;
        }

        /** Event loop: the body ended, failed or stalled. */
        void arrived() {
            arrived = true;
            if (request != null) go();
        }

        /** Event loop: the request is built. */
        void built(S3Request built) {
            request = built;
            if (arrived) go();
        }

        private void go() {
            if (onLoop) handler.handle(request, op);
            else dispatch(request, op);
        }
    }

    /** Bodies of at most this declared length are read on the event loop before a worker takes the request. */
    static final long PREFETCH_BYTES_MAX = 64 * 1024;

    /**
     * The declared length of a body to read before dispatch, else -1: a Content-Length within
     * {@link #PREFETCH_BYTES_MAX}, no Transfer-Encoding, and no Expect: 100-continue (that client waits for the
     * worker's go-ahead).
     */
    private static long prefetchLength(HttpServerRequest http) {
        String length = http.getHeader("Content-Length");
        if (length == null || length.isEmpty() || length.length() > 6) return -1;
        if (http.getHeader("Transfer-Encoding") != null || http.getHeader("Expect") != null) return -1;
        long n = 0;
        for (int i = 0; i < length.length(); i++) {
            char c = length.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n <= PREFETCH_BYTES_MAX ? n : -1;
    }

    /** Runs on an event loop: the request gets its virtual thread, or answers SlowDown when the server is closing. */
    private void dispatch(S3Request request, S3Op op) {
        try {
            workers.execute(() -> handler.handle(request, op));
        } catch (RejectedExecutionException e) {
            metrics.inFlight.decrementAndGet();
            rejectNow(request.http, new S3Exception(S3ErrorCode.SLOW_DOWN), request.requestId, request.startNanos);
        }
    }

    /**
     * Runs on an event loop for a request the HTTP decoder refused: headers or request line over the limits are
     * RequestHeaderSectionTooLarge, anything else (a Content-Length that is not a number, a malformed line) is
     * BadRequest, as S3 answers; the connection closes, since what follows cannot be framed.
     */
    private void onInvalidRequest(HttpServerRequest http) {
        long startNanos = System.nanoTime();
        String requestId = nextRequestId();
        Throwable cause = http.decoderResult().cause();
        S3Exception e = cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException
                ? new S3Exception(S3ErrorCode.REQUEST_HEADER_SECTION_TOO_LARGE)
                : new S3Exception(S3ErrorCode.BAD_REQUEST, "An error occurred when parsing the HTTP request.");
        LOG.debug("request {}: refused by the HTTP decoder: {}", requestId, cause == null ? null : cause.toString());
        byte[] xml = S3Errors.body(e, "/", requestId);
        http.response()
                .setStatusCode(e.code().httpStatus())
                .putHeader("x-amz-request-id", requestId)
                .putHeader("Content-Type", "application/xml")
                .putHeader("Connection", "close")
                .end(Buffer.buffer(xml))
                .onComplete(done -> http.connection().close());
        metrics.record("Invalid", e.code().httpStatus(), System.nanoTime() - startNanos);
    }

    /** Answers an error from the event loop, closing the connection if a body may follow. */
    private void rejectNow(HttpServerRequest http, S3Exception e, String requestId, long startNanos) {
        byte[] xml = S3Errors.body(e, http.path(), requestId);
        var response = http.response()
                .setStatusCode(e.code().httpStatus())
                .putHeader("x-amz-request-id", requestId)
                .putHeader("Content-Type", "application/xml")
                .putHeader("Connection", "close");
        if (http.method() == HttpMethod.HEAD)
            response.putHeader("Content-Length", Integer.toString(xml.length)).end();
        else response.end(Buffer.buffer(xml));
        metrics.record("Rejected", e.code().httpStatus(), System.nanoTime() - startNanos);
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                LOG.warn("S3 server did not close cleanly", e);
            }
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("S3 workers still busy after 30 s; interrupting");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    static MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
    }
}
