package io.seabed.basestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.chunk.ChunkData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: no acknowledged write is lost to kill -9. Method: a child JVM writes chunks of mixed sizes
 * from 8 threads and prints each acknowledged ChunkRef; we SIGKILL it mid-stream, reopen the same
 * target directories and read every acknowledged chunk back byte-exact.
 */
class CrashRecoveryTest {
    private static final int TARGETS = 4;
    private static final int WRITERS = 8;
    private static final long RUN_MILLIS = 2_000;

    @TempDir
    Path root;

    @Test
    void acknowledgedChunksSurviveSigkill() throws Exception {
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < TARGETS; i++) dirs.add(root.resolve("t" + i));
        Process child = startChild(dirs);
        List<String> acks = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().name("crash-child-stdout").start(() -> collect(child, acks, ready));
        assertTrue(ready.await(60, TimeUnit.SECONDS), "child never became ready");
        Thread.sleep(RUN_MILLIS);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        reader.join(10_000);
        List<String> lines;
        synchronized (acks) {
            lines = new ArrayList<>(acks);
        }
        assertTrue(lines.size() > 10, "too few acknowledged writes: " + lines.size());
        try (LocalBaseStoreClient client = LocalBaseStoreClient.open(dirs, CrashWriterMain.CONFIG)) {
            for (String line : lines) verify(client, line);
        }
        System.out.println("verified " + lines.size() + " acknowledged chunks after SIGKILL");
    }

    private static Process startChild(List<Path> dirs) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx512m",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                CrashWriterMain.class.getName(),
                Integer.toString(WRITERS)));
        for (Path d : dirs) command.add(d.toString());
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static void collect(Process child, List<String> acks, CountDownLatch ready) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("READY")) ready.countDown();
                // A line cut by the kill has fewer fields; its chunk was acknowledged but we cannot
                // check it, which is harmless.
                else if (line.startsWith("ACK ") && line.split(" ").length == 5) {
                    synchronized (acks) {
                        acks.add(line);
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void verify(LocalBaseStoreClient client, String line) {
        String[] fields = line.split(" ");
        ChunkRef ref = ChunkRef.decode(ByteBuffer.wrap(HexFormat.of().parseHex(fields[1])));
        long seed = Long.parseLong(fields[2]);
        int length = Integer.parseInt(fields[3]);
        assertEquals(length, ref.lengthBytes());
        byte[] expected = ChunkData.bytes(seed, length);
        assertEquals(Integer.parseInt(fields[4]), ChunkData.crc(expected));
        assertArrayEquals(expected, LocalBaseStoreClientTest.read(client, ref, 0, length), line);
    }
}
