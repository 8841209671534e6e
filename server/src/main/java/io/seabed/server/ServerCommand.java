package io.seabed.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seabed server}: every role in one process, with embedded defaults. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run all roles in one process: meta-kv (Raft group of one), storage targets, S3, console.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).", defaultValue = "./data")
    Path data;

    @Option(
            names = "--s3",
            description = "S3 listen address (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:9000")
    String s3;

    @Option(
            names = "--console",
            description = "Console and /metrics listen address (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:9001")
    String console;

    @Option(
            names = "--targets",
            description =
                    "Storage targets (directories standing for disks) under DATA/targets (default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    int targets;

    @Option(
            names = "--replicas",
            description = "Replicas of each chunk, on distinct targets (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int replicas;

    @Option(
            names = "--inline-bytes",
            description =
                    "Objects up to this size are stored inline in metadata, at most 65536 (default: ${DEFAULT-VALUE}).",
            defaultValue = "4096")
    int inlineBytes;

    @Option(
            names = "--gc-delay-ms",
            description =
                    "How long replaced or deleted data stays readable for reads in flight (default: ${DEFAULT-VALUE}).",
            defaultValue = "60000")
    long gcDelayMillis;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = new ServerConfig(
                data,
                HostPort.parse(s3),
                HostPort.parse(console),
                targets,
                replicas,
                inlineBytes,
                gcDelayMillis,
                System.getenv("SEABED_ACCESS_KEY"),
                System.getenv("SEABED_SECRET_KEY"));
        SeabedServer server = SeabedServer.start(config, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.onTerminate(() -> {
            server.close();
            stopped.countDown();
        });
        stopped.await();
        System.out.println("seabed stopped");
        System.out.flush();
        System.exit(0);
        return 0;
    }
}
