package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code seabed verify} against a running server in another process, and against a stopped one. */
class VerifyCommandTest {
    @TempDir
    Path data;

    private record Run(int exit, String output) {}

    private Run verify() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.seabed.server.Main",
                        "verify",
                        "--data",
                        data.toString())
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void everyChunkOfARunningServerVerifiesIdenticalAndAStoppedOneIsReported() throws Exception {
        try (ChildSeabed child = new ChildSeabed(data);
                S3Client s3 = CrashTest.client(child)) {
            s3.createBucket(b -> b.bucket("verify"));
            int chunked = 0;
            for (int i = 0; i < 40; i++) {
                int size = CrashTest.sizeOf(i);
                if (size > 4096) chunked++;
                int n = i;
                s3.putObject(b -> b.bucket("verify").key("k" + n), RequestBody.fromBytes(TestFiles.bytes(n, size)));
            }
            Run run = verify();
            assertEquals(0, run.exit(), run.output());
            Matcher m = Pattern.compile("verify: (\\d+) chunks on (\\d+) chains .*all serving replicas identical")
                    .matcher(run.output());
            assertTrue(m.find(), run.output());
            assertTrue(
                    Integer.parseInt(m.group(1)) >= chunked,
                    "chunks checked " + m.group(1) + " < chunked objects " + chunked);
            assertEquals(0, child.terminate());
        }
        Run stopped = verify();
        assertEquals(2, stopped.exit(), stopped.output());
        assertTrue(stopped.output().contains("is the server running?"), stopped.output());
    }
}
