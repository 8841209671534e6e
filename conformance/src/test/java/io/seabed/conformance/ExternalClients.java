package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real client programs (aws-cli, python3 with boto3, curl). Missing on a developer's machine: the test
 * is skipped with a loud message. Missing under CI (CI=true): the test fails.
 */
final class ExternalClients {
    private ExternalClients() {}

    /** Skips or fails (under CI) unless {@code probe} runs and exits 0. */
    static void require(String what, String... probe) {
        boolean ok;
        try {
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (ok) return;
        String message = "\n*****\n***** " + what + " is not installed (" + String.join(" ", probe)
                + " failed): install it (see .ci/run) to run this test\n*****";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message);
        System.err.println(message);
        Assumptions.abort(message);
    }

    record Result(int exitCode, String output) {}

    /** Runs a command with extra environment, failing the test on timeout. */
    static Result run(Map<String, String> env, Path dir, long timeoutSeconds, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) pb.directory(dir.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Environment that points aws-cli and boto3 at a Seabed endpoint with the test keys. */
    static Map<String, String> awsEnv(Path home) {
        return Map.of(
                "AWS_ACCESS_KEY_ID",
                InProcessSeabed.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY",
                InProcessSeabed.SECRET_KEY,
                "AWS_DEFAULT_REGION",
                "us-east-1",
                "AWS_CONFIG_FILE",
                home.resolve("config").toString(),
                "AWS_SHARED_CREDENTIALS_FILE",
                home.resolve("credentials").toString(),
                "HOME",
                home.toString(),
                "AWS_EC2_METADATA_DISABLED",
                "true",
                "AWS_PAGER",
                "");
    }

    static List<String> command(String... parts) {
        return new ArrayList<>(List.of(parts));
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
