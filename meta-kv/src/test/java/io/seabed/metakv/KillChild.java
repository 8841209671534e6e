package io.seabed.metakv;

import java.nio.file.Path;

/**
 * The child process of {@link KillDurabilityTest}: opens meta-kv in {@code args[0]}, prints "ready",
 * then commits transactions forever, printing each acknowledged id (flushed) after its commit.
 */
public final class KillChild {
    private KillChild() {}

    public static void main(String[] args) {
        MetaKvConfig c = TestKv.config(Path.of(args[0]));
        RaftMetaKv kv = RaftMetaKv.open(new MetaKvConfig(
                c.directory(),
                c.raftHost(),
                0,
                c.commitTimeoutMillis(),
                c.retriesMax(),
                c.resolverWindowWritesMax(),
                200));
        System.out.println("ready");
        System.out.flush();
        for (long id = 0; ; id++) {
            long n = id;
            kv.transact(txn -> {
                txn.put(TestKv.key("id/" + n), TestKv.counter(n));
                txn.add(TestKv.key("count"), 1);
                return null;
            });
            System.out.println(id);
            System.out.flush();
        }
    }
}
