package io.seabed.basestore.sim;

import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.sim.SimMessages.Read;
import io.seabed.basestore.sim.SimMessages.ReadReply;
import io.seabed.basestore.sim.SimMessages.RoutingGet;
import io.seabed.basestore.sim.SimMessages.RoutingReply;
import io.seabed.basestore.sim.SimMessages.Update;
import io.seabed.basestore.sim.SimMessages.UpdateReply;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;

/**
 * A model of {@link io.seabed.basestore.chain.ChainClient}'s update and read loops on the simulation's clock:
 * at most {@link #ATTEMPTS_MAX} tries, a pause of {@link #BACKOFF_MICROS} doubling per try (up to 1 s) before
 * each retry (none before a read re-sent to the tail after DIRTY), a try timing out after
 * {@link #CALL_TIMEOUT_MICROS}; after STALE_ROUTING, another retryable status or no answer the next try first
 * refreshes the routing from the manager (ManagerRouting: ROUTING_GET, keep a newer table). Updates go to the
 * head of the write path with the client's tag for this write; reads to the serving replicas in turn, and to
 * the tail after DIRTY. NO_SUCH_CHUNK reads as the chunk's initial empty value (version 0, value 0).
 *
 * <p>A client runs operations one at a time, each recorded in the history when it completes.
 */
final class SimClient {
    static final int ATTEMPTS_MAX = 12;
    static final long BACKOFF_MICROS = 20_000;
    static final long CALL_TIMEOUT_MICROS = 500_000;
    static final long ROUTING_TIMEOUT_MICROS = 100_000;

    /** How an operation ended: ok with the version (and value read), or failed. */
    interface Done {
        void done(boolean ok, long version, long value);
    }

    final SimNetwork.Host host;
    private final SimEvents events;
    private final SimNetwork net;
    private final IntUnaryOperator chainOfChunk;
    private final List<HistoryCheck.Op> history;
    private RoutingTable table;
    private boolean busy;

    SimClient(
            String name,
            SimEvents events,
            SimNetwork net,
            RoutingTable table,
            IntUnaryOperator chainOfChunk,
            List<HistoryCheck.Op> history) {
        this.host = new SimNetwork.Host(name);
        this.events = events;
        this.net = net;
        this.table = table;
        this.chainOfChunk = chainOfChunk;
        this.history = history;
    }

    boolean busy() {
        return busy;
    }

    /** Replaces {@code chunk} with {@code value} (unique, also the write's tag); records it; then {@code after}. */
    void write(int chunk, long value, Done after) {
        start("write chunk " + chunk + " value " + value);
        long invoke = events.now();
        updateTry(chunk, value, 0, -1, (ok, version, v) -> {
            history.add(new HistoryCheck.Op(true, chunk, value, invoke, events.now(), ok, version));
            end("write chunk " + chunk + " value " + value, ok, version, value);
            after.done(ok, version, value);
        });
    }

    /** Reads {@code chunk}; records it; then {@code after}. */
    void read(int chunk, Done after) {
        start("read chunk " + chunk);
        long invoke = events.now();
        readTry(chunk, 0, false, -1, (ok, version, value) -> {
            history.add(new HistoryCheck.Op(false, chunk, value, invoke, events.now(), ok, version));
            end("read chunk " + chunk, ok, version, value);
            after.done(ok, version, value);
        });
    }

    private void start(String what) {
        if (busy) throw new IllegalStateException(host + " is busy");
        busy = true;
        if (events.tracing) events.trace(host + " starts " + what);
    }

    private void end(String what, boolean ok, long version, long value) {
        busy = false;
        if (events.tracing) events.trace(host + " " + what + (ok ? " -> v" + version + "=" + value : " FAILED"));
    }

    private long pauseMicros(int attempt) {
        return Math.min(1_000_000, BACKOFF_MICROS << Math.min(attempt - 1, 10));
    }

    /** Runs {@code then} with the routing to use: the cached table, or a refreshed one after a stale answer. */
    private void routing(long stale, Consumer<RoutingTable> then) {
        if (stale < 0) {
            then.accept(table);
            return;
        }
        net.call(host, net.manager, new RoutingGet(), ROUTING_TIMEOUT_MICROS, reply -> {
            if (reply instanceof RoutingReply r && r.table().version() > table.version()) table = r.table();
            then.accept(table);
        });
    }

    private void updateTry(int chunk, long value, int attempt, long stale, Done done) {
        if (attempt >= ATTEMPTS_MAX) {
            done.done(false, 0, 0);
            return;
        }
        long pause = attempt > 0 ? pauseMicros(attempt) : 0;
        events.after(
                pause,
                () -> routing(stale, t -> {
                    int chainId = chainOfChunk.applyAsInt(chunk);
                    RoutingTable.Chain chain = t.chain(chainId);
                    List<Integer> path = chain.writePath();
                    if (path.isEmpty()) {
                        updateTry(chunk, value, attempt + 1, t.version(), done);
                        return;
                    }
                    SimNetwork.Host head = net.node(t.targetNodes().get(path.getFirst()));
                    Update request =
                            new Update(chainId, chain.chainVersion(), chunk, value, UpdateKind.REPLACE, 0, value);
                    net.call(host, head, request, CALL_TIMEOUT_MICROS, reply -> {
                        if (reply instanceof UpdateReply r && r.status() == ChainStatus.OK) {
                            done.done(true, r.version(), value);
                            return;
                        }
                        if (reply instanceof UpdateReply r && !r.status().retryable()) {
                            done.done(false, 0, 0);
                            return;
                        }
                        updateTry(chunk, value, attempt + 1, t.version(), done);
                    });
                }));
    }

    private void readTry(int chunk, int attempt, boolean toTail, long stale, Done done) {
        if (attempt >= ATTEMPTS_MAX) {
            done.done(false, 0, 0);
            return;
        }
        long pause = attempt > 0 && !toTail ? pauseMicros(attempt) : 0;
        events.after(
                pause,
                () -> routing(stale, t -> {
                    int chainId = chainOfChunk.applyAsInt(chunk);
                    RoutingTable.Chain chain = t.chain(chainId);
                    List<Integer> readers = chain.readers();
                    if (readers.isEmpty()) {
                        readTry(chunk, attempt + 1, false, t.version(), done);
                        return;
                    }
                    int spread = chunk * 7919;
                    int target = toTail ? chain.tail() : readers.get(Math.floorMod(spread + attempt, readers.size()));
                    SimNetwork.Host node = net.node(t.targetNodes().get(target));
                    net.call(host, node, new Read(chainId, chain.chainVersion(), chunk), CALL_TIMEOUT_MICROS, reply -> {
                        if (!(reply instanceof ReadReply r)) {
                            readTry(chunk, attempt + 1, false, t.version(), done);
                            return;
                        }
                        switch (r.status()) {
                            case OK -> done.done(true, r.version(), r.value());
                            case NO_SUCH_CHUNK -> done.done(true, 0, 0);
                            // DIRTY: to the tail at once, keeping the routing.
                            case DIRTY -> readTry(chunk, attempt + 1, true, stale, done);
                            default -> {
                                boolean retry = r.status().retryable()
                                        || r.status() == ChainStatus.CORRUPT
                                        || r.status() == ChainStatus.IO_ERROR;
                                if (retry) readTry(chunk, attempt + 1, false, t.version(), done);
                                else done.done(false, 0, 0);
                            }
                        }
                    });
                }));
    }
}
