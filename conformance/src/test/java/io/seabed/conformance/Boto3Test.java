package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A boto3 script (src/test/resources/boto3_smoke.py) run by the system's python3 against Seabed. */
class Boto3Test {
    @Test
    void boto3Smoke() throws IOException {
        ExternalClients.require("python3 with boto3", "python3", "-c", "import boto3");
        Path work = ExternalClients.tempDir("seabed-boto3");
        try (InProcessSeabed seabed = new InProcessSeabed();
                InputStream script = Boto3Test.class.getResourceAsStream("/boto3_smoke.py")) {
            Path file = work.resolve("boto3_smoke.py");
            Files.write(file, script.readAllBytes());
            Map<String, String> env = new HashMap<>(ExternalClients.awsEnv(work));
            env.put("SEABED_ENDPOINT", seabed.endpoint.toString());
            ExternalClients.Result r = ExternalClients.run(env, work, 300, "python3", file.toString());
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("boto3 smoke: ok"), r.output());
        } finally {
            TestFiles.deleteTree(work);
        }
    }
}
