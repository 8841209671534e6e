package io.seabed.basestore.sim;

import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.manager.ChainStates;
import io.seabed.basestore.sim.SimMessages.Heartbeat;
import io.seabed.basestore.sim.SimMessages.HeartbeatReply;
import io.seabed.basestore.sim.SimMessages.ManagerRequest;
import io.seabed.basestore.sim.SimMessages.Request;
import io.seabed.basestore.sim.SimMessages.RoutingGet;
import io.seabed.basestore.sim.SimMessages.RoutingReply;
import io.seabed.basestore.sim.SimMessages.SyncStart;
import io.seabed.basestore.sim.SimMessages.UpdateReply;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The primary cluster manager as {@link io.seabed.basestore.manager.ClusterManager#tick} runs it, on the
 * simulation's clock: heartbeats record when each node was last heard; every {@link SimCluster#TICK_MICROS}
 * (once {@link SimCluster#OFFLINE_MICROS} passed since start) each chain goes through the real
 * {@link ChainStates#next} with "alive" meaning heard within the offline period and "sync done" meaning the
 * sync of this chain at its current version answered OK; changed chains go into the table with
 * {@link RoutingTable#with}; then the predecessor of each SYNCING target is asked to fill it, once per chain
 * version. The lease, the store and standbys are out of scope: this manager is always primary (epoch 1).
 *
 * <p>After every tick it checks the chain invariants: a chain's version never decreases and changes with its
 * members, members stay the placed targets on distinct nodes, at most one member SYNCING, at most one LASTSRV
 * and only while none serves, a member SYNCING only beside a SERVING one (a sync needs a serving predecessor)
 * ({@link AssertionError}).
 *
 * <p>The sync call times out after {@link #SYNC_TIMEOUT_MICROS} (the real one after an hour: it stands in for
 * the connection failure a lost request or reply would be in TCP).
 */
final class SimManager implements SimNetwork.Handler {
    static final long SYNC_TIMEOUT_MICROS = 3_000_000;

    private final SimEvents events;
    private final SimNetwork net;
    private final long startMicros;
    private final RoutingTable placed;
    private RoutingTable published;
    private final Map<Integer, Long> seenMicros = new TreeMap<>();
    private final Map<Integer, Long> syncsDone = new TreeMap<>();
    private final Map<Integer, Long> syncsRunning = new TreeMap<>();
    long syncsStarted;

    private final SimCluster.Stats stats;

    SimManager(SimEvents events, SimNetwork net, RoutingTable placed, SimCluster.Stats stats) {
        this.stats = stats;
        this.events = events;
        this.net = net;
        this.placed = placed;
        this.published = placed;
        this.startMicros = events.now();
    }

    void start() {
        events.after(SimCluster.TICK_MICROS, this::tick);
    }

    RoutingTable published() {
        return published;
    }

    boolean syncing() {
        return !syncsRunning.isEmpty();
    }

    @Override
    public void handle(Request request, Consumer<Object> reply) {
        if (!(request instanceof ManagerRequest r)) throw new IllegalStateException("manager got " + request);
        switch (r) {
            case Heartbeat hb -> {
                seenMicros.put(hb.nodeId(), events.now());
                reply.accept(new HeartbeatReply(true, 1, published.version() > hb.routingVersion() ? published : null));
            }
            case RoutingGet g -> reply.accept(new RoutingReply(published));
        }
    }

    private void tick() {
        events.after(SimCluster.TICK_MICROS, this::tick);
        RoutingTable table = published;
        RoutingTable next = table;
        // Right after starting, heartbeats may not have arrived yet: change no chain until they could have.
        if (events.now() - startMicros > SimCluster.OFFLINE_MICROS)
            for (RoutingTable.Chain chain : table.chains().values()) {
                Long done = syncsDone.get(chain.chainId());
                boolean syncDone = done != null && done == chain.chainVersion();
                RoutingTable.Chain changed = ChainStates.next(chain, t -> alive(table, t), syncDone);
                if (changed != chain) {
                    stats.chainChanges++;
                    if (events.tracing)
                        events.trace("manager: chain " + chain.chainId() + " v" + chain.chainVersion() + " -> v"
                                + changed.chainVersion() + " " + changed.members());
                    next = next.with(changed);
                }
            }
        check(table, next);
        published = next;
        startSyncs(next);
    }

    private boolean alive(RoutingTable table, int target) {
        Long seen = seenMicros.get(table.targetNodes().get(target));
        return seen != null && events.now() - seen < SimCluster.OFFLINE_MICROS;
    }

    /** Asks the predecessor of each SYNCING target to fill it, once per chain version. */
    private void startSyncs(RoutingTable table) {
        for (RoutingTable.Chain chain : table.chains().values()) {
            List<Integer> path = chain.writePath();
            int syncing = chain.syncingAt();
            if (syncing < 1) continue;
            int chainId = chain.chainId();
            long version = chain.chainVersion();
            Long running = syncsRunning.get(chainId);
            if (running != null && running == version) continue;
            Long done = syncsDone.get(chainId);
            if (done != null && done == version) continue;
            syncsRunning.put(chainId, version);
            syncsStarted++;
            SimNetwork.Host predecessor = net.node(table.targetNodes().get(path.get(syncing - 1)));
            if (events.tracing)
                events.trace("manager: chain " + chainId + " v" + version + ": " + predecessor + " syncs target "
                        + path.get(syncing));
            net.call(net.manager, predecessor, new SyncStart(chainId, version, table), SYNC_TIMEOUT_MICROS, reply -> {
                if (syncsRunning.get(chainId) != null && syncsRunning.get(chainId) == version)
                    syncsRunning.remove(chainId);
                if (reply instanceof UpdateReply r && r.status() == ChainStatus.OK) syncsDone.put(chainId, version);
            });
        }
    }

    /** Invariant 3, after every manager step. */
    private void check(RoutingTable before, RoutingTable after) {
        if (after.version() < before.version())
            throw new AssertionError("routing v" + after.version() + " after v" + before.version());
        for (RoutingTable.Chain c : after.chains().values()) {
            RoutingTable.Chain old = before.chain(c.chainId());
            if (c.chainVersion() < old.chainVersion())
                throw new AssertionError(
                        "chain " + c.chainId() + " v" + c.chainVersion() + " after v" + old.chainVersion());
            if (c.chainVersion() == old.chainVersion() && !c.members().equals(old.members()))
                throw new AssertionError("chain " + c.chainId() + " changed at v" + c.chainVersion());
            Set<Integer> nodes = new HashSet<>();
            Set<Integer> targets = new HashSet<>();
            int syncing = 0;
            int lastServing = 0;
            for (RoutingTable.Member m : c.members()) {
                if (!nodes.add(after.targetNodes().get(m.targetId())))
                    throw new AssertionError("chain " + c.chainId() + ": two members on one node: " + c.members());
                targets.add(m.targetId());
                if (m.state() == PublicState.SYNCING) syncing++;
                if (m.state() == PublicState.LASTSRV) lastServing++;
            }
            Set<Integer> placedTargets = new HashSet<>();
            for (RoutingTable.Member m : placed.chain(c.chainId()).members()) placedTargets.add(m.targetId());
            if (!targets.equals(placedTargets))
                throw new AssertionError(
                        "chain " + c.chainId() + ": members " + c.members() + " are not the placed " + placedTargets);
            if (syncing > 1) throw new AssertionError("chain " + c.chainId() + ": two SYNCING: " + c.members());
            if (syncing == 1 && c.readers().isEmpty())
                throw new AssertionError("chain " + c.chainId() + ": SYNCING with none SERVING: " + c.members());
            if (lastServing > 1 || (lastServing == 1 && !c.readers().isEmpty()))
                throw new AssertionError("chain " + c.chainId() + ": LASTSRV beside a serving one: " + c.members());
        }
    }
}
