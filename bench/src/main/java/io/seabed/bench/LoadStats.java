package io.seabed.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one phase of a run measured. Request slots record from event-loop threads (wait-free: {@link Recorder},
 * {@link LongAdder}); one reporter thread takes interval histograms and keeps the totals. Latency and throughput
 * cover 2xx responses; every other outcome is an error counted by HTTP status (status 0: no response at all).
 */
final class LoadStats {
    /** Latencies above this are recorded as this; a request times out long before. */
    static final long LATENCY_MICROS_MAX = 3_600_000_000L;

    static final int ERROR_SAMPLES_MAX = 5;
    static final int ERROR_SAMPLE_BYTES_MAX = 512;
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final int STATUS_COUNT = 600;

    private final Recorder latency = new Recorder(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
    private final Recorder[] latencyByOp = new Recorder[S3Op.values().length];
    private final LongAdder payloadBytes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLongArray errorsByStatus = new AtomicLongArray(STATUS_COUNT);
    private final AtomicInteger errorSampleClaims = new AtomicInteger();
    private final List<String> errorSamples = new ArrayList<>();

    // Owned by the reporter thread.
    private final Histogram total = new Histogram(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
    private final Histogram[] totalByOp = new Histogram[S3Op.values().length];
    private Histogram interval;
    private final Histogram[] intervalByOp = new Histogram[S3Op.values().length];

    LoadStats() {
        for (int i = 0; i < latencyByOp.length; i++) {
            latencyByOp[i] = new Recorder(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
            totalByOp[i] = new Histogram(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
        }
    }

    /** A 2xx response of {@code op} that took {@code micros} and moved {@code bytes} of object data. */
    void recordOk(S3Op op, long micros, long bytes) {
        long clamped = Math.max(0, Math.min(micros, LATENCY_MICROS_MAX));
        latency.recordValue(clamped);
        latencyByOp[op.ordinal()].recordValue(clamped);
        payloadBytes.add(bytes);
    }

    /** A non-2xx response ({@code status}), or none at all ({@code status} 0). */
    void recordError(int status) {
        errors.increment();
        errorsByStatus.incrementAndGet(status >= 0 && status < STATUS_COUNT ? status : 0);
    }

    /** True for the first {@link #ERROR_SAMPLES_MAX} callers: they may keep an error's description. */
    boolean claimErrorSample() {
        return errorSampleClaims.get() < ERROR_SAMPLES_MAX && errorSampleClaims.getAndIncrement() < ERROR_SAMPLES_MAX;
    }

    void addErrorSample(String sample) {
        synchronized (errorSamples) {
            errorSamples.add(sample);
        }
    }

    List<String> errorSamples() {
        synchronized (errorSamples) {
            return List.copyOf(errorSamples);
        }
    }

    /** Reporter thread: moves what was recorded since the last call into the totals; returns it (reused). */
    Histogram takeInterval() {
        interval = latency.getIntervalHistogram(interval);
        total.add(interval);
        for (int i = 0; i < latencyByOp.length; i++) {
            intervalByOp[i] = latencyByOp[i].getIntervalHistogram(intervalByOp[i]);
            totalByOp[i].add(intervalByOp[i]);
        }
        return interval;
    }

    /** Reporter thread: every 2xx latency taken so far by {@link #takeInterval}. */
    Histogram total() {
        return total;
    }

    Histogram total(S3Op op) {
        return totalByOp[op.ordinal()];
    }

    long payloadBytes() {
        return payloadBytes.sum();
    }

    long errors() {
        return errors.sum();
    }

    /** Error counts by status, as {@code [status, count]} pairs in status order; status 0 is "no response". */
    List<long[]> errorsByStatus() {
        List<long[]> counts = new ArrayList<>();
        for (int status = 0; status < STATUS_COUNT; status++) {
            long count = errorsByStatus.get(status);
            if (count > 0) counts.add(new long[] {status, count});
        }
        return counts;
    }
}
