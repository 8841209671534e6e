package io.seabed.bench;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code seabed bench s3}: signed S3 requests at one endpoint, for a duration or a request count. */
@Command(
        name = "s3",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Send signed S3 requests to one endpoint from CONCURRENCY request slots and report throughput and latency.",
            "Progress goes to stderr each second, the report to stdout. Exit code 0 after a run (even with errors), "
                    + "1 when setup fails (bucket, prefill), 2 on bad arguments."
        })
final class S3Command implements Callable<Integer> {
    static final int EXIT_SETUP_FAILED = 1;
    static final int EXIT_BAD_ARGUMENTS = 2;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:9000",
            description = "S3 endpoint, http://host:port (default: ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(
            names = "--access-key",
            paramLabel = "KEY",
            description = "Access key (default: $SEABED_ACCESS_KEY, else $AWS_ACCESS_KEY_ID).")
    String accessKey;

    @Option(
            names = "--secret-key",
            paramLabel = "KEY",
            description = "Secret key (default: $SEABED_SECRET_KEY, else $AWS_SECRET_ACCESS_KEY).")
    String secretKey;

    @Option(
            names = "--op",
            paramLabel = "OP",
            defaultValue = "put",
            description = "put, get, head, list, delete or mixed (default: ${DEFAULT-VALUE}).")
    String op;

    @Option(
            names = "--mix",
            paramLabel = "WEIGHTS",
            description = "Weights of --op mixed (default: " + OpMix.MIXED_DEFAULT + ").")
    String mix;

    @Option(
            names = "--size",
            paramLabel = "BYTES",
            defaultValue = "4KiB",
            converter = SizeConverter.class,
            description = "Object size: 4096, 4KiB, 64MiB, 1GB (default: ${DEFAULT-VALUE}).")
    long sizeBytes;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            defaultValue = "16",
            description = "Requests in flight, one connection each (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--duration",
            paramLabel = "TIME",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Measured time: 500ms, 30s, 2m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--requests",
            paramLabel = "N",
            description = "Stop after N measured requests, or at the end of --duration, whichever comes first.")
    Long requests;

    @Option(
            names = "--objects",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Key space; get, head, list, delete and mixed write it first (default: ${DEFAULT-VALUE}).")
    int objects;

    @Option(
            names = "--bucket",
            paramLabel = "NAME",
            defaultValue = "seabed-bench",
            description = "Bucket, created if missing (default: ${DEFAULT-VALUE}).")
    String bucket;

    @Option(
            names = "--warmup",
            paramLabel = "TIME",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Unmeasured load before the measured run (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--no-prefill", description = "Assume the key space was written by an earlier run.")
    boolean noPrefill;

    @Option(
            names = "--unsigned-payload",
            description = "Send x-amz-content-sha256: UNSIGNED-PAYLOAD, as most S3 benchmarks do (the default).")
    boolean unsignedPayload;

    @Option(names = "--signed-payload", description = "Sign the SHA-256 of each body (computed once; reused buffer).")
    boolean signedPayload;

    @Option(
            names = "--event-loops",
            paramLabel = "N",
            defaultValue = "1",
            description = "Client event loops (default: ${DEFAULT-VALUE}; the server usually shares the cores).")
    int eventLoops;

    @Option(
            names = "--timeout",
            paramLabel = "TIME",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description = "Connect timeout and per-request idle timeout (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Seed of the op and key choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Also print the report as one JSON line.")
    boolean json;

    @Override
    public Integer call() {
        S3LoadConfig config = config();
        try (S3LoadGenerator generator = new S3LoadGenerator(config, System.err)) {
            generator.ensureBucket();
            if (config.prefill()) {
                LoadStats prefill = generator.prefill();
                if (prefill.errors() > 0) {
                    System.err.println("prefill: " + prefill.errors() + " of " + config.objects() + " writes failed");
                    prefill.errorSamples().forEach(sample -> System.err.println("  e.g. " + sample));
                }
                if (prefill.errors() >= config.objects()) return EXIT_SETUP_FAILED;
            }
            LoadReport report = generator.measure();
            System.out.print(report.text());
            if (json) System.out.println(report.json());
            System.out.flush();
            return 0;
        } catch (S3LoadGenerator.SetupException e) {
            System.err.println("seabed bench s3: " + e.getMessage());
            return EXIT_SETUP_FAILED;
        }
    }

    /** The validated configuration; a {@link ParameterException} (exit code 2) when the arguments do not fit. */
    S3LoadConfig config() {
        if (unsignedPayload && signedPayload) {
            throw new ParameterException(spec.commandLine(), "give --signed-payload or --unsigned-payload, not both");
        }
        try {
            OpMix opMix;
            if ("mixed".equalsIgnoreCase(op)) {
                opMix = OpMix.parse(mix == null ? OpMix.MIXED_DEFAULT : mix);
            } else if (mix != null) {
                throw new IllegalArgumentException("--mix needs --op mixed");
            } else {
                opMix = OpMix.only(S3Op.parse(op));
            }
            return new S3LoadConfig(
                    new URI(endpoint),
                    firstNonEmpty(accessKey, System.getenv("SEABED_ACCESS_KEY"), System.getenv("AWS_ACCESS_KEY_ID")),
                    firstNonEmpty(
                            secretKey, System.getenv("SEABED_SECRET_KEY"), System.getenv("AWS_SECRET_ACCESS_KEY")),
                    op.toLowerCase(Locale.ROOT),
                    opMix,
                    sizeBytes,
                    concurrency,
                    duration,
                    requests == null ? Long.MAX_VALUE : requests,
                    objects,
                    bucket,
                    warmup,
                    !noPrefill && opMix.needsPrefill(),
                    signedPayload,
                    eventLoops,
                    seed,
                    timeout,
                    json);
        } catch (IllegalArgumentException | URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private static String firstNonEmpty(String... values) {
        for (String value : values) {
            if (value != null && !value.isEmpty()) return value;
        }
        return null;
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return DurationText.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
