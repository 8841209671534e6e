package io.seabed.s3;

import io.seabed.namespace.User;
import io.seabed.s3.auth.AuthRequest;
import io.seabed.s3.auth.AuthResult;
import io.seabed.s3.http.RequestBody;
import io.seabed.s3.http.VertxAuthRequest;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One S3 request on its worker thread: the parsed target, the authenticated user, the body, and the
 * response, which is sent on the event loop.
 */
final class S3Request implements AuthRequest {
    static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    final HttpServerRequest http;
    final Context context;
    final String requestId;
    final String bucket;
    final String key;
    final Map<String, String> query;
    /** The bucket named by the Host header (virtual-hosted style), or null. */
    final String hostBucket;

    final RequestBody body;
    /** System.nanoTime() when the request arrived. */
    final long startNanos;

    final InstantSource clock;
    private final VertxAuthRequest wire;
    AuthResult.Authenticated auth;
    User user;
    String operation = "Unknown";
    /** The object size an InvalidRange error reports, or -1. */
    long rangeObjectSize = -1;

    int status;
    private boolean responded;
    /** Set by an operation that answers once a commit completes (see {@link #answerWhen}), else null. */
    Later<?> later;

    /** What an operation answers once {@code pending} completes: {@code then} runs on the event loop. */
    record Later<T>(CompletableFuture<T> pending, Consumer<T> then) {}

    /**
     * Ends the operation without answering yet: the handler answers once {@code pending} completes, running
     * {@code then} with its value (or the error path with its failure) on the request's event loop.
     */
    <T> void answerWhen(CompletableFuture<T> pending, Consumer<T> then) {
        if (later != null) throw new IllegalStateException("request " + requestId + " already answers later");
        later = new Later<>(pending, then);
    }

    /** Runs tasks on the request's event loop, in order. */
    final Executor loop = command -> onLoop(command);

    S3Request(
            HttpServerRequest http,
            Context context,
            String requestId,
            String bucket,
            String key,
            Map<String, String> query,
            String hostBucket,
            RequestBody body,
            InstantSource clock,
            long startNanos) {
        this.startNanos = startNanos;
        this.http = http;
        this.context = context;
        this.requestId = requestId;
        this.bucket = bucket;
        this.key = key;
        this.query = query;
        this.hostBucket = hostBucket;
        this.body = body;
        this.clock = clock;
        this.wire = new VertxAuthRequest(http, clock);
    }

    @Override
    public String method() {
        return wire.method();
    }

    @Override
    public String rawPath() {
        return wire.rawPath();
    }

    @Override
    public String rawQuery() {
        return wire.rawQuery();
    }

    @Override
    public List<String> headers(String name) {
        return wire.headers(name);
    }

    @Override
    public Set<String> headerNames() {
        return wire.headerNames();
    }

    @Override
    public String hostBucket() {
        return hostBucket;
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    /** The resource named in error documents. */
    String resource() {
        if (bucket == null) return "/";
        return key == null ? "/" + bucket : "/" + bucket + "/" + key;
    }

    /** The absolute URL of {@code key} in {@code bucket} as this request addressed the server. */
    String objectUrl(String bucket, String key) {
        String host = http.getHeader("Host");
        if (host == null && http.authority() != null) host = http.authority().toString();
        String encoded = java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("%2F", "/");
        return (http.isSSL() ? "https://" : "http://") + (host == null ? "localhost" : host)
                + (hostBucket == null ? "/" + bucket : "") + "/" + encoded;
    }

    private record DateText(long epochSecond, String text) {}

    private static volatile DateText lastDate = new DateText(Long.MIN_VALUE, "");

    /** The Date header's text; formatted once a second (every response carries one). */
    static String httpDate(java.time.Instant now) {
        DateText d = lastDate;
        if (d.epochSecond() != now.getEpochSecond()) {
            d = new DateText(now.getEpochSecond(), HTTP_DATE.format(now));
            lastDate = d;
        }
        return d.text();
    }

    boolean responded() {
        return responded;
    }

    /**
     * Sends a complete response (headers and a small body) from the worker thread.
     *
     * @param headers response headers (besides the standard ones added here)
     * @param body the body, or null for none; a HEAD response never has one
     */
    void respond(int status, MultiMap headers, byte[] body) {
        respond(status, headers, body, body == null ? 0 : body.length);
    }

    /** As {@link #respond(int, MultiMap, byte[])}, with an explicit Content-Length (for HEAD). */
    void respond(int status, MultiMap headers, byte[] body, long contentLength) {
        startResponse(status, headers, contentLength);
        Buffer b = body == null || http.method().name().equals("HEAD") ? null : Buffer.buffer(body);
        onLoop(() -> {
            HttpServerResponse r = http.response();
            if (b == null) r.end();
            else r.end(b);
        });
    }

    /**
     * Runs {@code task} on the request's event loop: at once when called there (a request handled on the loop),
     * else queued behind what this request queued before.
     */
    private void onLoop(Runnable task) {
        if (Vertx.currentContext() == context && Context.isOnEventLoopThread()) task.run();
        else context.runOnContext(v -> task.run());
    }

    /** Sends headers now; the body follows through a ResponseBody, then {@link #endStreaming}. */
    void startResponse(int status, MultiMap headers, long contentLength) {
        if (responded) throw new IllegalStateException("request " + requestId + " answered twice");
        responded = true;
        this.status = status;
        boolean closeAfter = body != null && !body.ended() && status >= 300;
        onLoop(() -> {
            HttpServerResponse r = http.response();
            r.setStatusCode(status);
            r.headers().addAll(headers);
            r.putHeader("x-amz-request-id", requestId);
            r.putHeader("x-amz-id-2", requestId);
            r.putHeader("Date", httpDate(clock.instant()));
            r.putHeader("Server", "Seabed");
            r.putHeader("Content-Length", Long.toString(contentLength));
            if (closeAfter) r.putHeader("Connection", "close");
        });
    }

    void endStreaming() {
        onLoop(() -> http.response().end());
    }

    /** Abandons a response whose body cannot be completed: the client sees a cut connection, never a short body. */
    void abort() {
        onLoop(() -> http.connection().close());
    }
}
