package io.seabed.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.seabed.basestore.BaseStoreStats;
import io.seabed.basestore.TargetState;
import io.seabed.basestore.chain.EmbeddedStorage;
import java.util.function.ToDoubleFunction;

/** Storage counters as Prometheus meters: writes, bytes, fsyncs, corruption found, targets serving. */
final class StoreMetrics {
    private final EmbeddedStorage store;

    StoreMetrics(EmbeddedStorage store) {
        this.store = store;
    }

    void bindTo(MeterRegistry registry) {
        counter(registry, "seabed.store.chunk.writes", "chunks written", s -> s.chunkWrites());
        counter(
                registry,
                "seabed.store.chunk.bytes.written",
                "chunk payload bytes written",
                s -> s.chunkBytesWritten());
        counter(registry, "seabed.store.fsyncs", "block-file fdatasyncs plus synced metadata batches", s -> s.fsyncs());
        counter(
                registry,
                "seabed.store.corrupt.reads",
                "CRC32C mismatches found by readers",
                s -> s.corruptReadsDetected());
        counter(
                registry,
                "seabed.store.replica.read.failures",
                "chunk reads tried again at another replica, the tail, or after a routing refresh",
                s -> s.replicaReadFailures());
        counter(
                registry,
                "seabed.store.replica.write.retries",
                "chunk updates tried again after a stale routing, an unreachable or busy node",
                s -> s.replicaWriteRetries());
        Gauge.builder("seabed.store.targets.offline", store, st -> (double) st.targetStates().values().stream()
                        .filter(state -> state == TargetState.OFFLINE)
                        .count())
                .description("storage targets taken offline")
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<BaseStoreStats> f) {
        FunctionCounter.builder(name, store, st -> f.applyAsDouble(st.stats()))
                .description(description)
                .register(registry);
    }
}
