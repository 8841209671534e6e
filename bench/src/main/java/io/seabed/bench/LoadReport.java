package io.seabed.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The result of a measured phase. Throughput and latency cover 2xx responses; errors are counted by status.
 *
 * @param requests completed requests, 2xx and errors
 * @param elapsedNanos from the first request sent to the last slot stopping
 * @param errorsByStatus {@code [status, count]} pairs; status 0 is a request that got no response
 * @param slotsUnfinished request slots still busy when the report was taken (0 unless the server hung)
 */
public record LoadReport(
        String op,
        String mix,
        long sizeBytes,
        int concurrency,
        long elapsedNanos,
        long requests,
        long errors,
        List<long[]> errorsByStatus,
        double opsPerSecond,
        double mibPerSecond,
        Latency latency,
        List<OpLatency> byOp,
        List<String> errorSamples,
        long slotsUnfinished) {

    /** Latency percentiles in milliseconds. */
    public record Latency(long count, double p50, double p90, double p99, double p999, double max) {
        static Latency of(Histogram micros) {
            return new Latency(
                    micros.getTotalCount(),
                    millis(micros.getValueAtPercentile(50)),
                    millis(micros.getValueAtPercentile(90)),
                    millis(micros.getValueAtPercentile(99)),
                    millis(micros.getValueAtPercentile(99.9)),
                    millis(micros.getMaxValue()));
        }

        private static double millis(long micros) {
            return micros / 1000.0;
        }
    }

    /** One op's 2xx latency in a mixed run. */
    public record OpLatency(S3Op op, Latency latency) {}

    static LoadReport of(S3LoadConfig config, LoadStats stats, long elapsedNanos, long slotsUnfinished) {
        stats.takeInterval();
        Histogram total = stats.total();
        double seconds = Math.max(1, elapsedNanos) / 1e9;
        List<OpLatency> byOp = new ArrayList<>();
        for (S3Op op : S3Op.values()) {
            if (config.mix().weight(op) > 0) {
                byOp.add(new OpLatency(op, Latency.of(stats.total(op))));
            }
        }
        return new LoadReport(
                config.opName(),
                config.mix().toString(),
                config.sizeBytes(),
                config.concurrency(),
                elapsedNanos,
                total.getTotalCount() + stats.errors(),
                stats.errors(),
                stats.errorsByStatus(),
                total.getTotalCount() / seconds,
                stats.payloadBytes() / seconds / (1024.0 * 1024.0),
                Latency.of(total),
                byOp.size() > 1 ? byOp : List.of(),
                stats.errorSamples(),
                slotsUnfinished);
    }

    /** The human report, several lines. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "op=%s%s size=%s concurrency=%d duration=%.3fs requests=%d errors=%d%n",
                op,
                byOp.isEmpty() ? "" : " (" + mix + ")",
                ByteSize.format(sizeBytes),
                concurrency,
                elapsedNanos / 1e9,
                requests,
                errors));
        out.append(String.format(
                Locale.ROOT, "throughput: %.1f ops/s  %.2f MiB/s (2xx only)%n", opsPerSecond, mibPerSecond));
        out.append("latency ms: ").append(latencyText(latency)).append('\n');
        for (OpLatency one : byOp) {
            out.append(String.format(Locale.ROOT, "  %-6s ", one.op().label()))
                    .append(latencyText(one.latency()))
                    .append('\n');
        }
        if (!errorsByStatus.isEmpty()) {
            out.append("errors by status:");
            for (long[] pair : errorsByStatus) {
                out.append(' ')
                        .append(pair[0] == 0 ? "no-response" : Long.toString(pair[0]))
                        .append('=')
                        .append(pair[1]);
            }
            out.append('\n');
            for (String sample : errorSamples)
                out.append("  e.g. ").append(sample).append('\n');
        }
        if (slotsUnfinished > 0) {
            out.append("warning: ").append(slotsUnfinished).append(" request slots never finished\n");
        }
        return out.toString();
    }

    private static String latencyText(Latency latency) {
        return String.format(
                Locale.ROOT,
                "n=%d p50=%.3f p90=%.3f p99=%.3f p999=%.3f max=%.3f",
                latency.count(),
                latency.p50(),
                latency.p90(),
                latency.p99(),
                latency.p999(),
                latency.max());
    }

    /** The report as one JSON object on one line. */
    public String json() {
        StringBuilder out = new StringBuilder("{");
        out.append("\"op\":").append(quote(op));
        out.append(",\"mix\":").append(quote(mix));
        out.append(",\"size_bytes\":").append(sizeBytes);
        out.append(",\"concurrency\":").append(concurrency);
        out.append(",\"duration_seconds\":").append(number(elapsedNanos / 1e9));
        out.append(",\"requests\":").append(requests);
        out.append(",\"errors\":").append(errors);
        out.append(",\"errors_by_status\":{");
        for (int i = 0; i < errorsByStatus.size(); i++) {
            long[] pair = errorsByStatus.get(i);
            if (i > 0) out.append(',');
            out.append(quote(pair[0] == 0 ? "no-response" : Long.toString(pair[0])))
                    .append(':')
                    .append(pair[1]);
        }
        out.append("},\"ops_per_second\":").append(number(opsPerSecond));
        out.append(",\"mib_per_second\":").append(number(mibPerSecond));
        out.append(",\"latency_ms\":").append(latencyJson(latency));
        out.append(",\"latency_ms_by_op\":{");
        for (int i = 0; i < byOp.size(); i++) {
            if (i > 0) out.append(',');
            out.append(quote(byOp.get(i).op().label()))
                    .append(':')
                    .append(latencyJson(byOp.get(i).latency()));
        }
        out.append("},\"slots_unfinished\":").append(slotsUnfinished);
        return out.append('}').toString();
    }

    private static String latencyJson(Latency latency) {
        return "{\"count\":" + latency.count()
                + ",\"p50\":" + number(latency.p50())
                + ",\"p90\":" + number(latency.p90())
                + ",\"p99\":" + number(latency.p99())
                + ",\"p999\":" + number(latency.p999())
                + ",\"max\":" + number(latency.max()) + "}";
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    /** A JSON string of ASCII-safe text; escapes quotes, backslashes and control characters. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }
}
