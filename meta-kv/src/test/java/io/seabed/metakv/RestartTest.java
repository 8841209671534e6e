package io.seabed.metakv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Goal: a reopened directory holds every commit, after a clean close and past the last snapshot. */
class RestartTest {
    @TempDir
    Path dir;

    @Test
    void cleanCloseKeepsEverything() {
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            for (int i = 0; i < 100; i++) kv.add(TestKv.key("c"), 1);
            kv.transact(txn -> {
                txn.put(TestKv.key("k"), TestKv.key("v"));
                return null;
            });
        }
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            assertEquals(100, TestKv.counterOf(kv.get(TestKv.key("c"))));
            assertEquals("v", TestKv.str(kv.get(TestKv.key("k"))));
            assertEquals(101, kv.add(TestKv.key("c"), 1), "sequence continues after restart");
        }
        try (RaftMetaKv kv = RaftMetaKv.open(TestKv.config(dir))) {
            assertEquals(101, TestKv.counterOf(kv.get(TestKv.key("c"))));
        }
    }

    @Test
    void dataBeyondTheLastSnapshotSurvives() throws Exception {
        MetaKvConfig c = TestKv.config(dir);
        MetaKvConfig config = new MetaKvConfig(
                dir, c.raftHost(), 0, c.commitTimeoutMillis(), c.retriesMax(), c.resolverWindowWritesMax(), 50);
        try (RaftMetaKv kv = RaftMetaKv.open(config)) {
            for (int i = 0; i < 275; i++) {
                int n = i;
                kv.transact(txn -> {
                    txn.put(TestKv.key("k" + n), TestKv.counter(n));
                    return null;
                });
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("snapshot.")), "a checkpoint exists");
        }
        try (RaftMetaKv kv = RaftMetaKv.open(config)) {
            for (int i = 0; i < 275; i++) assertEquals(i, TestKv.counterOf(kv.get(TestKv.key("k" + i))), "k" + i);
            kv.transact(txn -> {
                txn.put(TestKv.key("after"), TestKv.key("x"));
                return null;
            });
        }
        try (RaftMetaKv kv = RaftMetaKv.open(config)) {
            assertEquals("x", TestKv.str(kv.get(TestKv.key("after"))));
            assertEquals(274, TestKv.counterOf(kv.get(TestKv.key("k274"))));
        }
    }
}
