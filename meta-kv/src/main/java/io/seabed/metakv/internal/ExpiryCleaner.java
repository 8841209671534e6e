package io.seabed.metakv.internal;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired idempotency records in the background: every {@code periodMillis} it scans up to
 * {@link #SCAN_LIMIT} records after where it stopped last time (wrapping at the end of the table) and
 * deletes those whose expiry has passed, {@link #DELETES_PER_TXN} per transaction. Each delete reads
 * the record first, so a record is only deleted if it is still the expired one.
 *
 * <p>Runs on one daemon thread, {@code metakv-expiry}.
 */
public final class ExpiryCleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryCleaner.class);
    static final int SCAN_LIMIT = 1_000;
    static final int DELETES_PER_TXN = 100;
    private static final byte[] TABLE_FROM = {IdempotencyRecords.TABLE};
    private static final byte[] TABLE_TO = {IdempotencyRecords.TABLE + 1};

    private final MetaKv kv;
    private final java.util.function.BooleanSupplier active;
    private final InstantSource clock;
    private final ScheduledExecutorService executor;
    private byte[] resumeFrom = TABLE_FROM;

    public ExpiryCleaner(MetaKv kv, InstantSource clock, long periodMillis) {
        this(kv, clock, periodMillis, () -> true);
    }

    /** As above, cleaning only in periods when {@code active} holds (a group's leader). */
    public ExpiryCleaner(MetaKv kv, InstantSource clock, long periodMillis, java.util.function.BooleanSupplier active) {
        this.kv = kv;
        this.active = active;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metakv-expiry");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::runSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        if (!active.getAsBoolean()) return;
        try {
            runOnce();
        } catch (RuntimeException e) {
            // The next period retries; a failing cleanup only delays deletion of expired records.
            LOG.warn("idempotency record cleanup failed; retrying next period", e);
        }
    }

    /** One bounded pass; returns how many records it deleted. Visible for tests. */
    public int runOnce() {
        List<KeyValue> records = kv.scan(resumeFrom, TABLE_TO, SCAN_LIMIT, false);
        resumeFrom = records.size() < SCAN_LIMIT
                ? TABLE_FROM
                : Keys.successor(records.getLast().key());
        long now = clock.millis();
        List<byte[]> expired = new ArrayList<>();
        for (KeyValue r : records) {
            if (IdempotencyRecords.expiryMillis(r.value()) < now) expired.add(r.key());
        }
        for (int i = 0; i < expired.size(); i += DELETES_PER_TXN) {
            List<byte[]> chunk = expired.subList(i, Math.min(expired.size(), i + DELETES_PER_TXN));
            kv.transact(txn -> {
                for (byte[] key : chunk) {
                    byte[] record = txn.get(key);
                    if (record != null && IdempotencyRecords.expiryMillis(record) < now) txn.delete(key);
                }
                return null;
            });
        }
        return expired.size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("metakv-expiry did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
