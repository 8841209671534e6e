package io.seabed.metakv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: no acknowledged commit is lost to SIGKILL. A child JVM commits in a loop and prints each
 * acknowledged id; we kill it after ~2 s, reopen its directory, and check every printed id (RocksDB
 * runs without WAL, so this exercises replay of the Raft log past RocksDB's flushed state).
 */
class KillDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedCommitsSurviveSigkill() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        KillChild.class.getName(),
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        AtomicLong lastAcknowledged = new AtomicLong(-1);
        Thread reader = Thread.ofPlatform().name("kill-child-reader").start(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.equals("ready")) lastAcknowledged.set(Long.parseLong(line.strip()));
                }
            } catch (java.io.IOException e) {
                // The pipe closes when the child dies; the ids read so far are what counts.
            } catch (NumberFormatException e) {
                throw new AssertionError("child printed a partial line", e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lastAcknowledged.get() < 0 && System.nanoTime() < deadline) Thread.sleep(10);
        Thread.sleep(2_000);
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        reader.join(10_000);
        long last = lastAcknowledged.get();
        System.out.println("child acknowledged ids 0.." + last);
        assertTrue(last > 10, "child committed only " + last);
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            for (long id = 0; id <= last; id++) {
                byte[] v = kv.get(TestKv.key("id/" + id));
                assertNotNull(v, "acknowledged id " + id + " of " + last + " lost");
                assertEquals(id, TestKv.counterOf(v));
            }
            long count = TestKv.counterOf(kv.get(TestKv.key("count")));
            assertTrue(count == last + 1 || count == last + 2, "count=" + count + " last=" + last);
        }
    }
}
