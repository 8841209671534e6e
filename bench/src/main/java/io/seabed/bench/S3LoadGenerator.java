package io.seabed.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.seabed.s3.auth.PayloadMode;
import io.seabed.s3.auth.SigV4Signer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.HdrHistogram.Histogram;

/**
 * Drives S3 requests at one endpoint from {@code concurrency} request slots. A slot is a callback chain on one Vert.x
 * event loop: it signs a request, sends it, counts the response body as it streams by (never aggregated), records
 * the latency and starts the next request, until its phase's deadline or request count is reached. PUT bodies are
 * slices of one direct buffer filled once with random bytes, so a request allocates little beyond its headers.
 */
final class S3LoadGenerator implements AutoCloseable {
    static final String KEY_PREFIX = "obj-";
    static final int KEY_DIGITS = 8;

    /** Keys returned by one list request. */
    static final int LIST_KEYS_MAX = 100;

    private static final String LIST_QUERY = "list-type=2&max-keys=" + LIST_KEYS_MAX + "&prefix=" + KEY_PREFIX;

    /** Prefill, bounded by its request count, is also bounded by this. */
    static final Duration PREFILL_DURATION_MAX = Duration.ofHours(1);

    /** Extra time after a phase's deadline plus the request timeout before the reporter stops waiting. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(5);

    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final double MIB = 1024.0 * 1024.0;

    private final S3LoadConfig config;
    private final PrintStream progress;
    private final Vertx vertx;
    private final HttpClientAgent client;
    private final Context[] contexts;
    private final SigV4Signer signer;
    private final Buffer payload;
    private final String payloadHash;
    private final String emptyHash;
    private final String bucketPath;
    private final String host;
    private final String hostHeader;
    private final SplittableRandom random;

    S3LoadGenerator(S3LoadConfig config, PrintStream progress) {
        this.config = config;
        this.progress = progress;
        this.host = config.endpoint().getHost();
        this.hostHeader = config.hostHeader();
        this.bucketPath = "/" + config.bucket();
        this.random = new SplittableRandom(config.seed());
        this.signer = new SigV4Signer(config.accessKey(), config.secretKey(), "us-east-1", InstantSource.system());
        byte[] bytes = randomBytes((int) config.sizeBytes(), random.split());
        ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        // Vert.x sends a slice of it per request (BufferImpl.getByteBuf): no copy, never released.
        this.payload = BufferInternal.buffer(Unpooled.unreleasableBuffer(direct));
        this.payloadHash = config.signedPayload() ? sha256Hex(bytes) : PayloadMode.UNSIGNED.headerValue();
        this.emptyHash = config.signedPayload() ? EMPTY_SHA256 : PayloadMode.UNSIGNED.headerValue();
        this.vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(config.eventLoops())
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setPipelining(false)
                .setConnectTimeout((int)
                        Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis()));
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(config.concurrency()));
        this.contexts = new Context[config.eventLoops()];
        for (int i = 0; i < contexts.length; i++) contexts[i] = ((VertxInternal) vertx).createEventLoopContext();
    }

    /** Creates the bucket unless it exists. */
    void ensureBucket() throws SetupException {
        SimpleResponse response = blockingRequest(HttpMethod.PUT, bucketPath);
        boolean created = response.status() / 100 == 2;
        boolean exists = response.status() == 409 && response.body().contains("BucketAlreadyOwnedByYou");
        if (!created && !exists) {
            throw new SetupException(
                    "creating bucket " + config.bucket() + ": HTTP " + response.status() + " " + response.body());
        }
    }

    /** Writes every key of the key space once, with a progress line per second. */
    LoadStats prefill() {
        Phase phase = new Phase("prefill", OpMix.only(S3Op.PUT), true, PREFILL_DURATION_MAX, config.objects());
        return run(phase);
    }

    /** Runs the warmup (its numbers are dropped), then the measured phase. */
    LoadReport measure() {
        if (!config.warmup().isZero()) {
            run(new Phase("warmup", config.mix(), false, config.warmup(), Long.MAX_VALUE));
        }
        Phase phase = new Phase(config.opName(), config.mix(), false, config.duration(), config.requestsMax());
        LoadStats stats = run(phase);
        long elapsedNanos = (phase.endNanos == 0 ? System.nanoTime() : phase.endNanos) - phase.startNanos;
        return LoadReport.of(config, stats, elapsedNanos, phase.slotsRunning());
    }

    private LoadStats run(Phase phase) {
        phase.startNanos = System.nanoTime();
        for (int i = 0; i < config.concurrency(); i++) {
            Context context = contexts[i % contexts.length];
            Slot slot = new Slot(phase, context, random.split());
            context.runOnContext(v -> slot.next());
        }
        report(phase);
        return phase.stats;
    }

    /** The calling thread prints a progress line per second until every slot of {@code phase} stopped. */
    private void report(Phase phase) {
        long waitEndNanos = phase.deadlineNanos + config.requestTimeout().toNanos() + DRAIN_GRACE.toNanos();
        long tickNanos = phase.startNanos;
        long lastNanos = phase.startNanos;
        long lastBytes = 0;
        while (true) {
            tickNanos += NANOS_PER_SECOND;
            boolean done = awaitUntil(phase.slotsDone, Math.min(tickNanos, waitEndNanos));
            long now = System.nanoTime();
            Histogram interval = phase.stats.takeInterval();
            long bytes = phase.stats.payloadBytes();
            long errors = phase.stats.errors();
            if (!done || now - lastNanos >= NANOS_PER_SECOND / 2) {
                double seconds = (now - lastNanos) / (double) NANOS_PER_SECOND;
                progress.println(progressLine(phase, now, interval, (bytes - lastBytes) / seconds, errors, seconds));
            }
            if (done) return;
            if (now - waitEndNanos >= 0) {
                progress.println(phase.name + ": " + phase.slotsRunning() + " request slots still busy "
                        + "after the deadline plus the request timeout; reporting without them");
                return;
            }
            lastNanos = now;
            lastBytes = bytes;
        }
    }

    private String progressLine(
            Phase phase, long now, Histogram interval, double bytesPerSecond, long errors, double seconds) {
        double opsPerSecond = interval.getTotalCount() / seconds;
        if (phase.sequentialKeys) {
            long written = phase.stats.total().getTotalCount() + errors;
            return String.format(
                    Locale.ROOT,
                    "%s: %d/%d objects (%.1f%%)  %.0f ops/s  %.1f MiB/s  errors=%d",
                    phase.name,
                    written,
                    phase.requestsMax,
                    100.0 * written / phase.requestsMax,
                    opsPerSecond,
                    bytesPerSecond / MIB,
                    errors);
        }
        return String.format(
                Locale.ROOT,
                "[%5.1fs] %s: %.0f ops/s  %.1f MiB/s  errors=%d  p99=%.3f ms",
                (now - phase.startNanos) / (double) NANOS_PER_SECOND,
                phase.name,
                opsPerSecond,
                bytesPerSecond / MIB,
                errors,
                interval.getValueAtPercentile(99) / 1000.0);
    }

    private static boolean awaitUntil(CountDownLatch latch, long untilNanos) {
        try {
            return latch.await(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for request slots", e);
        }
    }

    private record SimpleResponse(int status, String body) {}

    /** One signed request with an empty body, waited for; for setup only. */
    private SimpleResponse blockingRequest(HttpMethod method, String path) throws SetupException {
        Map<String, String> signed = signer.sign(method.name(), hostHeader, path, "", Map.of(), emptyHash)
                .headers();
        RequestOptions options = requestOptions(method, path);
        var response = client.request(options)
                .compose(request -> {
                    signed.forEach(request::putHeader);
                    return request.send();
                })
                .compose(r -> r.body().map(body -> new SimpleResponse(r.statusCode(), body.toString())));
        try {
            return response.toCompletionStage()
                    .toCompletableFuture()
                    .get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new SetupException(method + " " + config.endpoint() + path + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new SetupException(
                    method + " " + config.endpoint() + path + ": no response within "
                            + config.requestTimeout().toMillis() + " ms",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted", e);
        }
    }

    private RequestOptions requestOptions(HttpMethod method, String uri) {
        return new RequestOptions()
                .setMethod(method)
                .setHost(host)
                .setPort(config.port())
                .setURI(uri)
                .putHeader("host", hostHeader)
                .setIdleTimeout(config.requestTimeout().toMillis());
    }

    /** The key of object {@code index}: {@code obj-} and at least 8 digits, so keys list in index order. */
    static String key(long index) {
        String digits = Long.toString(index);
        return digits.length() >= KEY_DIGITS
                ? KEY_PREFIX + digits
                : KEY_PREFIX + "0".repeat(KEY_DIGITS - digits.length()) + digits;
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            progress.println("closing the HTTP client: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] randomBytes(int length, RandomGenerator random) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A setup step (bucket creation) failed: the run cannot start. */
    static final class SetupException extends Exception {
        SetupException(String message) {
            super(message);
        }

        SetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One bounded run of every slot: prefill, warmup or the measured phase. */
    private final class Phase {
        final String name;
        final OpMix mix;
        /** Keys in order (prefill); otherwise uniform at random, except deletes which always go in order. */
        final boolean sequentialKeys;

        final long deadlineNanos;
        final long requestsMax;
        final LoadStats stats = new LoadStats();
        final AtomicLong issued = new AtomicLong();
        final CountDownLatch slotsDone = new CountDownLatch(config.concurrency());
        volatile long startNanos;
        volatile long endNanos;

        Phase(String name, OpMix mix, boolean sequentialKeys, Duration duration, long requestsMax) {
            this.name = name;
            this.mix = mix;
            this.sequentialKeys = sequentialKeys;
            this.deadlineNanos = System.nanoTime() + duration.toNanos();
            this.requestsMax = requestsMax;
        }

        void slotDone() {
            slotsDone.countDown();
            if (slotsDone.getCount() == 0) endNanos = System.nanoTime();
        }

        long slotsRunning() {
            return slotsDone.getCount();
        }
    }

    /** One request at a time, each started by the completion of the one before; lives on one event loop. */
    private final class Slot implements Handler<Buffer> {
        private final Phase phase;
        private final Context context;
        private final RandomGenerator random;
        private S3Op op;
        private long keyIndex;
        private long startNanos;
        private int status;
        private long bodyBytes;
        private Buffer errorBody;

        Slot(Phase phase, Context context, RandomGenerator random) {
            this.phase = phase;
            this.context = context;
            this.random = random;
        }

        void next() {
            if (System.nanoTime() - phase.deadlineNanos >= 0) {
                phase.slotDone();
                return;
            }
            long sequence = phase.issued.getAndIncrement();
            if (sequence >= phase.requestsMax) {
                phase.slotDone();
                return;
            }
            op = phase.mix.choose(random);
            keyIndex = phase.sequentialKeys || op == S3Op.DELETE
                    ? sequence % config.objects()
                    : random.nextLong(config.objects());
            send();
        }

        private void send() {
            HttpMethod method =
                    switch (op) {
                        case PUT -> HttpMethod.PUT;
                        case GET, LIST -> HttpMethod.GET;
                        case HEAD -> HttpMethod.HEAD;
                        case DELETE -> HttpMethod.DELETE;
                    };
            String path = op == S3Op.LIST ? bucketPath : bucketPath + "/" + key(keyIndex);
            String query = op == S3Op.LIST ? LIST_QUERY : "";
            boolean hasBody = op == S3Op.PUT;
            Map<String, String> signed = signer.sign(
                            method.name(), hostHeader, path, query, Map.of(), hasBody ? payloadHash : emptyHash)
                    .headers();
            RequestOptions options = requestOptions(method, query.isEmpty() ? path : path + "?" + query);
            signed.forEach(options::putHeader);
            startNanos = System.nanoTime();
            client.request(options)
                    .compose(request -> hasBody ? request.send(payload) : request.send())
                    .onComplete(this::onResponse);
        }

        private void onResponse(AsyncResult<HttpClientResponse> result) {
            if (result.failed()) {
                fail(result.cause());
                return;
            }
            HttpClientResponse response = result.result();
            status = response.statusCode();
            bodyBytes = 0;
            errorBody = status / 100 != 2 && phase.stats.claimErrorSample() ? Buffer.buffer() : null;
            response.handler(this);
            response.end().onComplete(this::onEnd);
        }

        /** A piece of the response body: counted, then dropped (kept only for a sampled error). */
        @Override
        public void handle(Buffer chunk) {
            bodyBytes += chunk.length();
            if (errorBody != null && errorBody.length() < LoadStats.ERROR_SAMPLE_BYTES_MAX) {
                int take = Math.min(chunk.length(), LoadStats.ERROR_SAMPLE_BYTES_MAX - errorBody.length());
                errorBody.appendBuffer(chunk, 0, take);
            }
        }

        private void onEnd(AsyncResult<Void> result) {
            if (result.failed()) {
                fail(result.cause());
                return;
            }
            long micros = (System.nanoTime() - startNanos) / 1000;
            if (status / 100 == 2) {
                phase.stats.recordOk(op, micros, op == S3Op.PUT ? payload.length() : bodyBytes);
            } else {
                phase.stats.recordError(status);
                if (errorBody != null) {
                    phase.stats.addErrorSample(describe() + ": HTTP " + status + " "
                            + errorBody.toString(StandardCharsets.UTF_8).strip());
                }
            }
            next();
        }

        private void fail(Throwable cause) {
            phase.stats.recordError(0);
            if (phase.stats.claimErrorSample()) phase.stats.addErrorSample(describe() + ": " + cause);
            // Not next() directly: a failure can complete synchronously, and the chain must not grow the stack.
            context.runOnContext(v -> next());
        }

        private String describe() {
            return op.label() + " " + (op == S3Op.LIST ? bucketPath : bucketPath + "/" + key(keyIndex));
        }
    }
}
