package io.seabed.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code seabed server} in a child JVM (same classpath), so tests can SIGKILL or SIGTERM it. */
final class ChildSeabed implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("seabed ready:");
    private static final Pattern S3 = Pattern.compile(" s3=(http://[^ ]+)");
    private static final Pattern NFS = Pattern.compile(" nfs=[^ ]+:(\\d+)");

    final Process process;
    /** The S3 endpoint, or null for a process without S3 ({@code seabed nfs}). */
    final URI endpoint;
    /** The NFS front's port. */
    volatile int nfsPort;

    final List<String> output = new ArrayList<>();
    private static final URI NO_S3 = URI.create("none:none");

    ChildSeabed(Path data) {
        this(data, "1g");
    }

    /** @param heap the child's -Xmx (and -XX:MaxDirectMemorySize) */
    ChildSeabed(Path data, String heap) {
        this(
                heap,
                List.of(
                        "server",
                        "--data",
                        data.toString(),
                        "--s3",
                        "127.0.0.1:0",
                        "--console",
                        "127.0.0.1:0",
                        "--nfs",
                        "127.0.0.1:0",
                        "--gc-delay-ms",
                        "0"));
    }

    ChildSeabed(String heap, List<String> args) {
        this(heap, args, InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY);
    }

    /** {@code seabed ARGS…} in a child JVM with these root keys, ready when it prints its ready line. */
    ChildSeabed(String heap, List<String> args, String accessKey, String secretKey) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx" + heap,
                "-XX:MaxDirectMemorySize=" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                "io.seabed.server.Main"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SEABED_ACCESS_KEY", accessKey);
        pb.environment().put("SEABED_SECRET_KEY", secretKey);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("child-seabed-output").start(() -> pump(ready));
        try {
            URI at = ready.get(120, TimeUnit.SECONDS);
            endpoint = at == NO_S3 ? null : at;
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("child seabed did not get ready; output:\n" + String.join("\n", output), e);
        }
    }

    private void pump(CompletableFuture<URI> ready) {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (output) {
                    output.add(line);
                }
                if (READY.matcher(line).find()) {
                    Matcher nfs = NFS.matcher(line);
                    if (nfs.find()) nfsPort = Integer.parseInt(nfs.group(1));
                    Matcher s3 = S3.matcher(line);
                    ready.complete(s3.find() ? URI.create(s3.group(1)) : NO_S3);
                }
            }
            ready.completeExceptionally(new IllegalStateException("child exited"));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    int port() {
        return endpoint.getPort();
    }

    /** SIGKILL, and wait until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM; returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("seabed did not stop within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
