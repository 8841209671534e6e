package io.seabed.basestore.sim;

import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.sim.SimDisk.ChunkState;
import io.seabed.basestore.sim.SimMessages.Heartbeat;
import io.seabed.basestore.sim.SimMessages.HeartbeatReply;
import io.seabed.basestore.sim.SimMessages.ListChunks;
import io.seabed.basestore.sim.SimMessages.NodeRequest;
import io.seabed.basestore.sim.SimMessages.Read;
import io.seabed.basestore.sim.SimMessages.ReadReply;
import io.seabed.basestore.sim.SimMessages.Request;
import io.seabed.basestore.sim.SimMessages.SyncStart;
import io.seabed.basestore.sim.SimMessages.Update;
import io.seabed.basestore.sim.SimMessages.UpdateReply;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A model of {@link io.seabed.basestore.chain.StorageNode}'s rules, one incarnation of one storage node with
 * one target, event-driven on the simulation's clock (whole-chunk REPLACE updates only; the chunk engine is a
 * {@link SimDisk}). Each rule below follows the method of StorageNode named beside it:
 *
 * <ul>
 *   <li>{@code update}: fenced → NOT_SERVING; another chain version → STALE_ROUTING; not in the write path →
 *       NOT_SERVING; a client's update (version 0) only at the head, a forwarded one never, and only while the
 *       head's public state is SERVING (else NOT_SERVING); the chunk's lock (at most {@link #LOCK_WAITERS_MAX}
 *       waiting, else BUSY) and, holding it, the chain version again. Each admitted update is tracked, with the
 *       chain version it was admitted under, until it replies (a sync waits for those of older versions).
 *   <li>{@code atHead}: a retry tagged like one of the chunk's recent committed versions (other than the pending
 *       one) answers that version and applies nothing; a pending version is finished first (sent whole to the
 *       successor, committed) and then, unless the retry made it, the update is applied on top at pending + 1;
 *       else at committed + 1.
 *   <li>{@code run} at a replica: a version at or below the committed one answers OK (forwarding it again if it
 *       equals the committed one and a successor exists); {@code applyAndForward}: the last replica of the write
 *       path commits at once, the others store pending, forward with the version and commit when the successor
 *       succeeded. A failure answers the failure's status and leaves the pending version.
 *   <li>{@code read}: a pending version answers DIRTY before the tail; at the tail {@code dirty} takes the lock,
 *       finishes the pending version (to a syncing successor first) and, once that succeeded, reads again and
 *       answers the committed version; when it failed the read answers the failure (a retryable status).
 *   <li>{@code syncReplace} on a SYNCING target (the version committed, with the sender's recent tags);
 *       {@code sync}/{@code syncChunk} on its predecessor are in {@link SimSync}.
 * </ul>
 *
 * The manager link ({@link io.seabed.basestore.manager.ManagerLink}) is part of the node: a heartbeat every
 * {@link SimCluster#HEARTBEAT_MICROS}; an answer from the primary installs a newer table and moves the fence to
 * the heartbeat's send time plus {@link SimCluster#FENCE_MICROS}; fenced from the start until the first answer.
 * Disk steps take 0–2 ms; a crash loses the steps in flight, the locks and everything else in memory.
 *
 * <p>Left out: partial updates (WRITE_AT, TRUNCATE) and their VERSION_MISMATCH fallback to a whole version,
 * REMOVE from clients (a sync's REMOVE is in), a full work queue (BUSY), engine I/O errors and offline targets,
 * torn writes, CRCs, listing pages (one page holds every chunk), more than one target per node.
 */
final class SimNode implements SimNetwork.Handler {
    static final long FORWARD_TIMEOUT_MICROS = 400_000;
    static final int LOCK_WAITERS_MAX = 64;
    static final long DISK_MICROS_MAX = 2_000;

    /** What an update step ends with. */
    interface Outcome {
        void done(ChainStatus status, long version);
    }

    final int nodeId;
    final int targetId;
    final SimNetwork.Host host;
    final SimEvents events;
    final SimNetwork net;
    final SimDisk disk;
    final SimCluster.Stats stats;
    private RoutingTable routing;
    private long fenceDeadlineMicros = Long.MAX_VALUE;
    private long epochSeen;
    private final Map<Integer, ArrayDeque<Runnable>> locks = new HashMap<>();
    /** Per chain, per chain version: the updates admitted under it that have not replied yet. */
    private final Map<Integer, TreeMap<Long, Integer>> admitted = new HashMap<>();

    private final SimSync sync = new SimSync(this);

    SimNode(int nodeId, SimNetwork net, SimEvents events, SimDisk disk, RoutingTable routing, SimCluster.Stats stats) {
        this.nodeId = nodeId;
        this.targetId = disk.targetId;
        this.host = net.node(nodeId);
        this.events = events;
        this.net = net;
        this.disk = disk;
        this.routing = routing;
        this.stats = stats;
    }

    /** ManagerLink.start: fenced until the primary answers; the first heartbeat within a period. */
    void start() {
        fenceDeadlineMicros = events.now();
        net.runOn(host, events.between(0, SimCluster.HEARTBEAT_MICROS), this::beat);
    }

    RoutingTable routing() {
        return routing;
    }

    boolean fenced() {
        return fenceDeadlineMicros != Long.MAX_VALUE && events.now() > fenceDeadlineMicros;
    }

    @Override
    public void handle(Request request, Consumer<Object> reply) {
        if (!(request instanceof NodeRequest r)) throw new IllegalStateException("node " + nodeId + " got " + request);
        switch (r) {
            case Update u -> update(u, reply);
            case Read read -> read(read, false, reply);
            case ListChunks l -> sync.list(l, reply);
            case SyncStart s -> sync.syncStart(s, reply);
        }
    }

    void trace(String what) {
        events.trace("n" + nodeId + " " + what);
    }

    // ---- manager link ----

    private void beat() {
        long sent = events.now();
        net.call(
                host, net.manager, new Heartbeat(nodeId, routing.version()), 2 * SimCluster.HEARTBEAT_MICROS, reply -> {
                    if (!(reply instanceof HeartbeatReply r) || !r.primary()) return;
                    epochSeen = Math.max(epochSeen, r.epoch());
                    if (epochSeen != r.epoch()) return;
                    if (r.table() != null) setRouting(r.table());
                    extendFence(sent + SimCluster.FENCE_MICROS);
                });
        net.runOn(host, SimCluster.HEARTBEAT_MICROS, this::beat);
    }

    void setRouting(RoutingTable table) {
        if (table.version() <= routing.version()) return;
        routing = table;
        if (events.tracing) trace("routing v" + table.version());
    }

    private void extendFence(long deadlineMicros) {
        if (fenceDeadlineMicros == Long.MAX_VALUE || deadlineMicros > fenceDeadlineMicros)
            fenceDeadlineMicros = deadlineMicros;
    }

    // ---- locks and disk ----

    /** ChunkLocks.acquire: {@code onTurn} runs once this holds the chunk; false (BUSY) when too many wait. */
    boolean acquire(int chunk, Runnable onTurn) {
        ArrayDeque<Runnable> waiters = locks.get(chunk);
        if (waiters == null) {
            locks.put(chunk, new ArrayDeque<>());
            net.runOn(host, 0, onTurn);
            return true;
        }
        if (waiters.size() >= LOCK_WAITERS_MAX) return false;
        waiters.add(onTurn);
        return true;
    }

    void release(int chunk) {
        ArrayDeque<Runnable> waiters = locks.get(chunk);
        if (waiters == null) throw new IllegalStateException("node " + nodeId + ": chunk " + chunk + " not held");
        Runnable next = waiters.poll();
        if (next == null) locks.remove(chunk);
        else net.runOn(host, 0, next);
    }

    /** One disk step: {@code change} then {@code then}, after 0–2 ms, unless the node crashes first. */
    private void disk(Runnable change, Runnable then) {
        net.runOn(host, events.between(0, DISK_MICROS_MAX), () -> {
            change.run();
            then.run();
        });
    }

    // ---- updates ----

    private void update(Update u, Consumer<Object> reply) {
        if (fenced()) {
            stats.fencedRefusals[nodeId]++;
            if (events.tracing) trace("fenced: refuses " + u);
            reply.accept(new UpdateReply(ChainStatus.NOT_SERVING, 0));
            return;
        }
        RoutingTable table = routing;
        RoutingTable.Chain chain = table.chain(u.chainId());
        if (chain == null || chain.chainVersion() != u.chainVersion()) {
            reply.accept(new UpdateReply(ChainStatus.STALE_ROUTING, 0));
            return;
        }
        List<Integer> path = chain.writePath();
        int index = path.indexOf(targetId);
        if (index < 0) {
            reply.accept(new UpdateReply(ChainStatus.NOT_SERVING, 0));
            return;
        }
        boolean fromClient = u.version() == 0;
        if (fromClient != (index == 0)) {
            reply.accept(new UpdateReply(ChainStatus.STALE_ROUTING, 0));
            return;
        }
        if (fromClient && chain.member(targetId).state() != PublicState.SERVING) {
            // A SYNCING head (the chain's only write-path member) may lack versions: it assigns none.
            stats.notServingHeadRefusals++;
            if (events.tracing) trace("not a serving head: refuses " + u);
            reply.accept(new UpdateReply(ChainStatus.NOT_SERVING, 0));
            return;
        }
        SimNetwork.Host successor = index + 1 < path.size() ? hostOf(table, path.get(index + 1)) : null;
        Consumer<Object> tracked = admit(chain, reply);
        Step step = new Step(u, chain, successor, tracked);
        if (!acquire(u.chunk(), () -> step.run(fromClient))) tracked.accept(new UpdateReply(ChainStatus.BUSY, 0));
    }

    /** Tracks an admitted update under {@code chain}'s version until it replies (through the returned reply). */
    private Consumer<Object> admit(RoutingTable.Chain chain, Consumer<Object> reply) {
        TreeMap<Long, Integer> versions = admitted.computeIfAbsent(chain.chainId(), k -> new TreeMap<>());
        versions.merge(chain.chainVersion(), 1, Integer::sum);
        return r -> {
            versions.merge(chain.chainVersion(), -1, (a, b) -> a + b == 0 ? null : a + b);
            reply.accept(r);
        };
    }

    /** Whether an update admitted under a version of chain {@code chainId} older than {@code chainVersion} is in flight. */
    boolean olderUpdatesInFlight(int chainId, long chainVersion) {
        TreeMap<Long, Integer> versions = admitted.get(chainId);
        return versions != null && versions.lowerKey(chainVersion) != null;
    }

    SimNetwork.Host hostOf(RoutingTable table, int target) {
        return net.node(table.targetNodes().get(target));
    }

    /** One update at this replica, holding the chunk's lock (StorageNode.Step). */
    private final class Step {
        final Update u;
        final RoutingTable.Chain chain;
        final SimNetwork.Host successor;
        final Consumer<Object> reply;

        Step(Update u, RoutingTable.Chain chain, SimNetwork.Host successor, Consumer<Object> reply) {
            this.u = u;
            this.chain = chain;
            this.successor = successor;
            this.reply = reply;
        }

        void finish(ChainStatus status, long version) {
            if (events.tracing) trace(u + " -> " + status + " " + version);
            release(u.chunk());
            reply.accept(new UpdateReply(status, status == ChainStatus.OK ? version : 0));
        }

        void run(boolean atHead) {
            RoutingTable.Chain now = routing.chain(chain.chainId());
            if (now == null || now.chainVersion() != chain.chainVersion()) {
                finish(ChainStatus.STALE_ROUTING, 0);
                return;
            }
            switch (u.kind()) {
                case SYNC_REPLACE -> syncReplace();
                case REMOVE ->
                    disk(
                            () -> disk.delete(u.chunk()),
                            () -> send(
                                    successor,
                                    chain,
                                    new Update(
                                            u.chainId(),
                                            chain.chainVersion(),
                                            u.chunk(),
                                            u.tag(),
                                            UpdateKind.REMOVE,
                                            Update.FORWARDED_REMOVE,
                                            0),
                                    (s, v) -> finish(s, 0)));
                case REPLACE -> replace(atHead);
                case WRITE_AT, TRUNCATE -> throw new IllegalStateException("the model has no " + u.kind());
            }
        }

        private void replace(boolean atHead) {
            ChunkState info = disk.info(u.chunk());
            if (atHead) {
                atHead(info);
                return;
            }
            long version = u.version();
            if (info.committedVersion() > version || (info.committedVersion() == version && successor == null)) {
                finish(ChainStatus.OK, version);
                return;
            }
            if (info.committedVersion() == version) {
                // Applied here before, but an earlier forward may have failed: the successor must get it too.
                forward(version, (s, v) -> finish(s, version));
                return;
            }
            applyAndForward(version, u.tag(), u.value(), this::finish);
        }

        /** A chunk version from the predecessor's sync: written committed, unless a newer one is here. */
        private void syncReplace() {
            RoutingTable.Member me = chain.member(targetId);
            if (me == null || me.state() != PublicState.SYNCING || successor != null) {
                finish(ChainStatus.NOT_SERVING, 0);
                return;
            }
            ChunkState info = disk.info(u.chunk());
            if (info.committedVersion() > u.version()) {
                finish(ChainStatus.OK, info.committedVersion());
                return;
            }
            Runnable write = () -> disk(
                    () -> disk.sync(u.chunk(), chain.chainId(), u.version(), u.tag(), u.value(), u.recentTags()),
                    () -> finish(ChainStatus.OK, u.version()));
            // Last in the write path, where updates commit at once: a pending version here is an orphan.
            if (info.pendingVersion() == 0) write.run();
            else disk(() -> disk.dropPending(u.chunk()), write);
        }

        private void atHead(ChunkState info) {
            long madeBefore = info.versionOf(u.tag());
            if (madeBefore > 0 && madeBefore != info.pendingVersion()) {
                // Committed before, perhaps with other writers' versions after it: answer, apply nothing.
                if (madeBefore != info.committedVersion()) {
                    stats.retriesAnsweredFromRecentTags++;
                    if (events.tracing)
                        trace("retry " + u + " made v" + madeBefore + " (recent tags), committed v"
                                + info.committedVersion() + ": answered, nothing applied");
                }
                finish(ChainStatus.OK, madeBefore);
                return;
            }
            if (info.pendingVersion() > 0) {
                long pending = info.pendingVersion();
                stats.headFinishes++;
                finishPending(chain, successor, u.chunk(), info, (s, v) -> {
                    if (s != ChainStatus.OK) finish(s, 0);
                    // A retry of the update that made the pending version: finish it, apply nothing new.
                    else if (madeBefore == pending) finish(ChainStatus.OK, pending);
                    // A version an earlier head left pending: finished, now this update on top.
                    else applyAndForward(pending + 1, u.tag(), u.value(), this::finish);
                });
                return;
            }
            applyAndForward(info.committedVersion() + 1, u.tag(), u.value(), this::finish);
        }

        private void applyAndForward(long version, long tag, long value, Outcome out) {
            boolean last = successor == null;
            disk(
                    () -> {
                        if (last) disk.write(u.chunk(), chain.chainId(), version, tag, value);
                        else disk.stage(u.chunk(), chain.chainId(), version, tag, value);
                    },
                    () -> {
                        if (last) {
                            out.done(ChainStatus.OK, version);
                            return;
                        }
                        forward(version, (s, v) -> {
                            if (s != ChainStatus.OK) out.done(s, 0);
                            else commit(u.chunk(), version, out);
                        });
                    });
        }

        private void forward(long version, Outcome out) {
            send(
                    successor,
                    chain,
                    new Update(u.chainId(), chain.chainVersion(), u.chunk(), u.tag(), u.kind(), version, u.value()),
                    out);
        }
    }

    private void commit(int chunk, long version, Outcome out) {
        boolean[] ok = {false};
        disk(() -> ok[0] = disk.commit(chunk, version), () -> {
            if (events.tracing) trace("commit chunk " + chunk + " v" + version + " -> " + ok[0]);
            out.done(ok[0] ? ChainStatus.OK : ChainStatus.VERSION_MISMATCH, version);
        });
    }

    /** StorageNode.finishPending: sends the pending version whole to the successor (if any), then commits it. */
    void finishPending(RoutingTable.Chain chain, SimNetwork.Host successor, int chunk, ChunkState info, Outcome out) {
        long pending = info.pendingVersion();
        if (events.tracing)
            trace("finishes pending chunk " + chunk + " v" + pending + " (chain v" + chain.chainVersion() + ")");
        Update whole = new Update(
                chain.chainId(),
                chain.chainVersion(),
                chunk,
                info.pendingTag(),
                UpdateKind.REPLACE,
                pending,
                info.pendingValue());
        send(successor, chain, whole, (s, v) -> {
            if (s != ChainStatus.OK) out.done(s, 0);
            else commit(chunk, pending, out);
        });
    }

    /** StorageNode.send: the successor's status, NOT_SERVING when it does not answer; no successor is success. */
    private void send(SimNetwork.Host successor, RoutingTable.Chain chain, Update next, Outcome out) {
        if (successor == null) {
            out.done(ChainStatus.OK, next.version());
            return;
        }
        net.call(host, successor, next, FORWARD_TIMEOUT_MICROS, reply -> {
            if (!(reply instanceof UpdateReply r)) out.done(ChainStatus.NOT_SERVING, 0);
            else if (r.status() != ChainStatus.OK) out.done(r.status(), 0);
            else out.done(ChainStatus.OK, r.version());
        });
    }

    // ---- reads ----

    private void read(Read r, boolean resolved, Consumer<Object> reply) {
        RoutingTable table = routing;
        if (fenced()) {
            stats.fencedRefusals[nodeId]++;
            if (events.tracing) trace("fenced: refuses " + r);
            reply.accept(new ReadReply(ChainStatus.NOT_SERVING, 0, 0));
            return;
        }
        RoutingTable.Chain chain = table.chain(r.chainId());
        if (chain == null || chain.chainVersion() != r.chainVersion()) {
            reply.accept(new ReadReply(ChainStatus.STALE_ROUTING, 0, 0));
            return;
        }
        if (!chain.readers().contains(targetId)) {
            reply.accept(new ReadReply(ChainStatus.NOT_SERVING, 0, 0));
            return;
        }
        ChunkState info = disk.info(r.chunk());
        if (info.pendingVersion() != 0 && !resolved) {
            // Also when the committed version is missing: a newer one is pending, so it is dirty.
            dirty(r, chain, reply);
            return;
        }
        if (info.committedVersion() == 0) {
            reply.accept(new ReadReply(ChainStatus.NO_SUCH_CHUNK, 0, 0));
            return;
        }
        if (events.tracing)
            trace("read chunk " + r.chunk() + " -> v" + info.committedVersion() + "=" + info.committedValue()
                    + (resolved ? " (resolved)" : ""));
        reply.accept(new ReadReply(ChainStatus.OK, info.committedVersion(), info.committedValue()));
    }

    /**
     * StorageNode.dirty: before the tail DIRTY; at the tail, holding the lock, finish the pending version (sent to
     * a syncing successor first) and, once that succeeded (or the chain version changed, or nothing is pending
     * any more), read again and answer the committed version. When finishing failed the read answers the failure
     * (retryable: the failure's status, else NOT_SERVING), never the older committed version, which may be
     * older than one a former tail committed and served.
     */
    private void dirty(Read r, RoutingTable.Chain chain, Consumer<Object> reply) {
        if (chain.tail() != targetId) {
            stats.dirtyAnswers++;
            reply.accept(new ReadReply(ChainStatus.DIRTY, 0, 0));
            return;
        }
        Runnable after = () -> {
            release(r.chunk());
            read(r, true, reply);
        };
        boolean queued = acquire(r.chunk(), () -> {
            RoutingTable.Chain now = routing.chain(chain.chainId());
            if (now == null || now.chainVersion() != chain.chainVersion()) {
                after.run();
                return;
            }
            ChunkState info = disk.info(r.chunk());
            if (info.pendingVersion() == 0) {
                after.run();
                return;
            }
            stats.tailFinishes++;
            finishPending(now, successorOf(routing, now), r.chunk(), info, (s, v) -> {
                if (events.tracing) trace("tail finished pending chunk " + r.chunk() + ": " + s);
                if (s == ChainStatus.OK) {
                    after.run();
                    return;
                }
                stats.tailFinishFailures++;
                release(r.chunk());
                reply.accept(new ReadReply(s.retryable() ? s : ChainStatus.NOT_SERVING, 0, 0));
            });
        });
        if (!queued) reply.accept(new ReadReply(ChainStatus.BUSY, 0, 0));
    }

    private SimNetwork.Host successorOf(RoutingTable table, RoutingTable.Chain chain) {
        List<Integer> path = chain.writePath();
        int i = path.indexOf(targetId);
        return i < 0 || i + 1 >= path.size() ? null : hostOf(table, path.get(i + 1));
    }
}
