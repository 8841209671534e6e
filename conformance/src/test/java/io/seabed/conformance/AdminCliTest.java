package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code seabed admin} as an operator runs it (a child JVM with the root keys in its environment)
 * against a running server: tenants and users are created, listed and deleted, the keys it prints
 * work for S3, tenants do not see each other's buckets, and non-admin keys are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCliTest {
    private InProcessSeabed seabed;
    private String consoleUrl;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        consoleUrl = "http://127.0.0.1:" + seabed.server.consolePort();
    }

    @AfterAll
    void stop() {
        seabed.close();
    }

    private ExternalClients.Result admin(String accessKey, String secretKey, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.seabed.server.Main",
                "admin",
                "--endpoint",
                consoleUrl));
        cmd.addAll(List.of(args));
        return ExternalClients.run(
                Map.of("SEABED_ACCESS_KEY", accessKey, "SEABED_SECRET_KEY", secretKey),
                null,
                120,
                cmd.toArray(String[]::new));
    }

    private ExternalClients.Result root(String... args) {
        return admin(InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY, args);
    }

    @Test
    void tenantsAndUsersLifecycle() {
        ExternalClients.Result created = root("tenant", "create", "acme");
        assertEquals(0, created.exitCode(), created.output());
        ExternalClients.Result again = root("tenant", "create", "acme");
        assertEquals(1, again.exitCode());
        assertTrue(again.output().contains("409 TENANT_EXISTS"), again.output());
        assertTrue(root("tenant", "list").output().contains("acme"));

        ExternalClients.Result user = root(
                "user",
                "create",
                "--tenant",
                "acme",
                "--user",
                "alice",
                "--id",
                "alice-canonical-id",
                "--display-name",
                "Alice A",
                "--email",
                "alice@example.com",
                "--access-key",
                "ALICEACCESSKEY000001",
                "--secret-key",
                "alice-secret-key-0123456789");
        assertEquals(0, user.exitCode(), user.output());
        assertTrue(user.output().contains("ALICEACCESSKEY000001"), user.output());
        ExternalClients.Result generated = root("user", "create", "--tenant", "acme", "--user", "bob");
        assertEquals(0, generated.exitCode(), generated.output());
        assertTrue(
                generated.output().matches("(?s).*access key: +[A-Z2-7]{20}\\n.*secret key: +\\S{40}\\n.*"),
                generated.output());
        String listed = root("user", "list", "--tenant", "acme").output();
        assertTrue(listed.contains("ALICEACCESSKEY000001\talice\talice-canonical-id\tAlice A"), listed);
        assertFalse(listed.contains("alice-secret-key"), "secrets are never listed");

        try (S3Client alice = seabed.client("ALICEACCESSKEY000001", "alice-secret-key-0123456789");
                S3Client rootS3 = seabed.client()) {
            alice.createBucket(b -> b.bucket("acme-data"));
            alice.putObject(b -> b.bucket("acme-data").key("k"), RequestBody.fromString("v"));
            var owner = alice.listObjects(b -> b.bucket("acme-data"))
                    .contents()
                    .getFirst()
                    .owner();
            assertEquals("alice-canonical-id", owner.id());
            assertEquals("Alice A", owner.displayName());
            assertFalse(rootS3.listBuckets().buckets().stream()
                    .anyMatch(b -> b.name().equals("acme-data")));
            assertEquals(
                    403,
                    assertThrows(S3Exception.class, () -> rootS3.headBucket(b -> b.bucket("acme-data")))
                            .statusCode());
            ExternalClients.Result notAdmin =
                    admin("ALICEACCESSKEY000001", "alice-secret-key-0123456789", "tenant", "list");
            assertEquals(1, notAdmin.exitCode());
            assertTrue(notAdmin.output().contains("403"), notAdmin.output());
            ExternalClients.Result busy = root("tenant", "delete", "acme");
            assertEquals(1, busy.exitCode());
            assertTrue(busy.output().contains("still has"), busy.output());
            alice.deleteObject(b -> b.bucket("acme-data").key("k"));
            alice.deleteBucket(b -> b.bucket("acme-data"));
            assertEquals(
                    0,
                    root("user", "delete", "--access-key", "ALICEACCESSKEY000001")
                            .exitCode());
            S3Exception gone = assertThrows(S3Exception.class, alice::listBuckets);
            assertEquals("InvalidAccessKeyId", gone.awsErrorDetails().errorCode());
        }
        for (String line : root("user", "list", "--tenant", "acme").output().split("\n"))
            if (!line.isBlank())
                assertEquals(
                        0,
                        root("user", "delete", "--access-key", line.split("\t")[0])
                                .exitCode());
        ExternalClients.Result deleted = root("tenant", "delete", "acme");
        assertEquals(0, deleted.exitCode(), deleted.output());
        assertFalse(root("tenant", "list").output().contains("acme"));
    }

    @Test
    void badCallsAreRefused() {
        ExternalClients.Result wrongSecret =
                admin(InProcessSeabed.ACCESS_KEY, "wrong-secret-wrong-secret", "tenant", "list");
        assertEquals(1, wrongSecret.exitCode());
        assertTrue(wrongSecret.output().contains("SignatureDoesNotMatch"), wrongSecret.output());
        ExternalClients.Result badName = root("tenant", "create", "bad name!");
        assertEquals(1, badName.exitCode());
        assertTrue(badName.output().contains("400 INVALID_ARGUMENT"), badName.output());
        ExternalClients.Result noTenant = root("user", "create", "--tenant", "nope", "--user", "x");
        assertEquals(1, noTenant.exitCode());
        assertTrue(noTenant.output().contains("404 NO_SUCH_TENANT"), noTenant.output());
        ExternalClients.Result usage = root("user", "create", "--user", "x");
        assertEquals(2, usage.exitCode(), usage.output());
    }
}
