package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** aws-cli against Seabed: mb, cp (a 200 MiB file goes up in parts), ls, rm, rb, and a presigned URL fetched with curl. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsCliTest {
    private InProcessSeabed seabed;
    private Path work;
    private Map<String, String> env;

    @BeforeAll
    void start() {
        ExternalClients.require("aws-cli", "aws", "--version");
        ExternalClients.require("curl", "curl", "--version");
        seabed = new InProcessSeabed();
        work = ExternalClients.tempDir("seabed-awscli");
        env = ExternalClients.awsEnv(work);
    }

    @AfterAll
    void stop() {
        if (seabed != null) seabed.close();
        if (work != null) TestFiles.deleteTree(work);
    }

    private ExternalClients.Result aws(String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "aws";
        cmd[1] = "--endpoint-url";
        cmd[2] = seabed.endpoint.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        ExternalClients.Result r = ExternalClients.run(env, work, 600, cmd);
        assertEquals(0, r.exitCode(), String.join(" ", args) + " failed:\n" + r.output());
        return r;
    }

    @Test
    void bucketsAndObjectsWithTheCli() throws IOException {
        aws("s3", "mb", "s3://cli-bucket");
        assertTrue(aws("s3", "ls").output().contains("cli-bucket"));
        Path small = work.resolve("small.txt");
        Files.writeString(small, "hello from aws-cli\n");
        Path big = work.resolve("big.bin");
        writeRandom(big, 200L << 20);
        aws("s3", "cp", small.toString(), "s3://cli-bucket/dir/small.txt");
        aws("s3", "cp", big.toString(), "s3://cli-bucket/big.bin");
        String head = aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "big.bin")
                .output();
        assertTrue(head.contains("209715200"), head);
        assertTrue(
                head.matches("(?s).*\"ETag\": \"\\\\\"[0-9a-f]{32}-\\d+\\\\\"\".*"),
                "multipart ETag expected:\n" + head);
        String listing = aws("s3", "ls", "--recursive", "s3://cli-bucket/").output();
        assertTrue(listing.contains("dir/small.txt") && listing.contains("big.bin"), listing);
        Path back = work.resolve("back.bin");
        aws("s3", "cp", "s3://cli-bucket/big.bin", back.toString());
        assertEquals(Files.mismatch(big, back), -1L, "downloaded bytes differ");
        Files.delete(back);
        Files.delete(big);
        Path smallBack = work.resolve("small-back.txt");
        aws("s3", "cp", "s3://cli-bucket/dir/small.txt", smallBack.toString());
        assertArrayEquals(Files.readAllBytes(small), Files.readAllBytes(smallBack));

        String url = aws("s3", "presign", "s3://cli-bucket/dir/small.txt", "--expires-in", "300")
                .output()
                .trim();
        ExternalClients.Result curl = ExternalClients.run(Map.of(), work, 60, "curl", "-sS", "-f", url);
        assertEquals(0, curl.exitCode(), curl.output());
        assertEquals("hello from aws-cli\n", curl.output());

        aws("s3", "rm", "s3://cli-bucket/dir/small.txt");
        aws("s3", "rm", "s3://cli-bucket/big.bin");
        aws("s3", "rb", "s3://cli-bucket");
        assertFalse(aws("s3", "ls").output().contains("cli-bucket"));
    }

    private static void writeRandom(Path file, long size) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] block = new byte[1 << 20];
            for (long done = 0, seed = 0; done < size; done += block.length, seed++) {
                byte[] b = TestFiles.bytes(seed, block.length);
                out.write(b, 0, (int) Math.min(block.length, size - done));
            }
        }
    }
}
