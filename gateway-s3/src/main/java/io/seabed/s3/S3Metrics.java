package io.seabed.s3;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Request counts and latency by operation and status, bytes in and out, requests in flight. */
final class S3Metrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final Counter bytesIn;
    private final Counter bytesOut;
    final AtomicInteger inFlight = new AtomicInteger();

    S3Metrics(MeterRegistry registry) {
        this.registry = registry;
        this.bytesIn = Counter.builder("seabed.s3.bytes.in")
                .description("object bytes received")
                .register(registry);
        this.bytesOut = Counter.builder("seabed.s3.bytes.out")
                .description("object bytes sent")
                .register(registry);
        registry.gauge("seabed.s3.requests.inflight", inFlight);
    }

    void record(String operation, int status, long nanos) {
        String id = operation + ' ' + status;
        timers.computeIfAbsent(id, k -> Timer.builder("seabed.s3.requests")
                        .description("S3 requests by operation and status")
                        .tag("op", operation)
                        .tag("status", Integer.toString(status))
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(50_000))
                        .maximumExpectedValue(Duration.ofSeconds(60))
                        .register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void bytesIn(long n) {
        bytesIn.increment(n);
    }

    void bytesOut(long n) {
        bytesOut.increment(n);
    }
}
