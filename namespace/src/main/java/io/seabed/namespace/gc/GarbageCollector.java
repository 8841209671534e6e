package io.seabed.namespace.gc;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkId;
import io.seabed.basestore.ChunkRef;
import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.schema.GarbageRecord;
import io.seabed.namespace.schema.Keys;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes data whose metadata is gone (DESIGN §3.3): takes due garbage records, claims each in a
 * transaction (so the write an intent stands for can no longer commit), deletes the chunks, then the
 * record. A crash between those steps leaves a claimed record that the next pass finishes.
 */
public final class GarbageCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    /** Records taken per pass. */
    static final int RECORDS_PER_PASS_MAX = 256;

    private final MetaKv kv;
    private final BaseStoreClient store;
    private final InstantSource clock;
    private final long intervalMillis;
    private final ScheduledExecutorService executor;
    private final AtomicLong chunksDeleted = new AtomicLong();
    private final AtomicLong recordsDone = new AtomicLong();

    public GarbageCollector(MetaKv kv, BaseStoreClient store, InstantSource clock, long intervalMillis) {
        this.kv = kv;
        this.store = store;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "namespace-gc");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        executor.scheduleWithFixedDelay(this::passLogged, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void passLogged() {
        try {
            pass();
        } catch (RuntimeException e) {
            LOG.warn("garbage collection pass failed; the next pass retries", e);
        }
    }

    /** One pass over due records; returns how many records were finished. */
    public int pass() {
        List<KeyValue> due =
                kv.scan(Keys.garbageFrom(), Keys.garbageUntil(clock.millis()), RECORDS_PER_PASS_MAX, false);
        int done = 0;
        for (KeyValue e : due) {
            GarbageRecord record = claim(e.key());
            if (record == null) continue;
            for (ChunkRef c : record.chunks()) {
                store.deleteChunk(c);
                chunksDeleted.incrementAndGet();
            }
            if (record.inode() != 0)
                chunksDeleted.addAndGet(io.seabed.namespace.fs.HierarchicalFs.releaseInode(
                        kv, store, record.inodeBucket(), record.inode()));
            for (int i = 0; i < record.intentChunks(); i++) {
                store.deleteChunkAnywhere(new ChunkId(record.uidHigh(), record.uidLow() | i));
                chunksDeleted.incrementAndGet();
            }
            kv.transact(txn -> {
                txn.delete(e.key());
                return null;
            });
            recordsDone.incrementAndGet();
            done++;
        }
        return done;
    }

    /** Marks the record claimed; null when it is gone (its write committed meanwhile). */
    private GarbageRecord claim(byte[] key) {
        return kv.transact(txn -> {
            byte[] v = txn.get(key);
            if (v == null) return null;
            GarbageRecord r = GarbageRecord.decode(v);
            if (!r.claimed()) txn.put(key, r.claim().encode());
            return r;
        });
    }

    public long chunksDeleted() {
        return chunksDeleted.get();
    }

    public long recordsDone() {
        return recordsDone.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("garbage collector did not stop in 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
