package io.seabed.basestore.sim;

import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.sim.SimDisk.ChunkState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One deterministic simulated run of CRAQ chains under the cluster manager, from one seed: 5 storage nodes
 * ({@link SimNode}, a model of StorageNode's rules, each with one target on a {@link SimDisk}), 5 chains of 3
 * placed by the real {@link RoutingTable#place}, the manager ({@link SimManager}, whose chain decisions are the
 * real {@link io.seabed.basestore.manager.ChainStates}), 2–3 writer and 2 reader {@link SimClient}s on 3 chunks
 * of each of 2 chains, over a {@link SimNetwork} with random delays and 1% drops, one thread, one clock.
 *
 * <p>A run has phases: faults ({@link SimFaults}: crashes, restarts, pauses) until {@code faultEndMicros}; then
 * every node is restarted and resumed and drops stop, while the clients go on for another 500 ms; then the run
 * waits for every chain to be all SERVING with no sync running and no client operation in flight; then per chunk a
 * client's read and a read at every serving replica (each must return at least the highest acknowledged version),
 * a client's write (it must succeed), and every serving replica must hold that write committed, nothing pending.
 * Checked throughout: the manager's chain invariants ({@link SimManager}), the replicas' version rules
 * ({@link SimDisk}), a version committed anywhere names one value; and at the end the recorded history
 * ({@link HistoryCheck}).
 */
final class SimCluster {
    /** 90 ms, not 100: ManagerLink refuses a fence period of two heartbeats or less. */
    static final long HEARTBEAT_MICROS = 90_000;

    static final long FENCE_MICROS = 200_000;
    static final long OFFLINE_MICROS = 300_000;
    static final long TICK_MICROS = 25_000;

    static {
        // As in ClusterManager and ManagerLink: a node stops serving before its chains move on without it.
        if (OFFLINE_MICROS <= FENCE_MICROS) throw new ExceptionInInitializerError("OFFLINE <= FENCE");
        if (FENCE_MICROS <= 2 * HEARTBEAT_MICROS) throw new ExceptionInInitializerError("FENCE <= 2 heartbeats");
    }

    static final int NODES = 5;
    static final int CHAIN_LENGTH = 3;
    static final int CHAINS = 5;
    static final int CLIENT_CHAINS = 2;
    static final int CHUNKS_PER_CHAIN = 3;
    static final int READERS = 2;
    static final long THINK_MICROS_MAX = 10_000;
    static final long LOAD_AFTER_FAULTS_MICROS = 500_000;
    static final long HEAL_MICROS_MAX = 30_000_000;
    static final long FINAL_WRITER = 99;
    static final double DROP_RATE = 0.01;
    /** A random run's fault phase; healing and the final checks take about 1.5 s more. */
    static final long FAULT_PHASE_MICROS = 6_000_000;

    /**
     * @param faults the faults, or null for random ones from the seed
     * @param clientChains the chains clients use, or null for two random ones
     * @param sharedChunks whether every writer writes every chunk (else writer i writes the chunks c with c mod
     *     writers = i)
     */
    record Config(
            long seed,
            boolean tracing,
            long faultEndMicros,
            double dropRate,
            SimFaults faults,
            int[] clientChains,
            boolean sharedChunks) {
        /**
         * Random faults and chains from the seed, {@link #DROP_RATE} (or {@code -Dseabed.dropRate} for soak runs);
         * {@code sharedChunks} as given.
         */
        static Config random(long seed, boolean tracing, boolean sharedChunks) {
            double dropRate = Double.parseDouble(System.getProperty("seabed.dropRate", String.valueOf(DROP_RATE)));
            return new Config(seed, tracing, FAULT_PHASE_MICROS, dropRate, null, null, sharedChunks);
        }

        Config traced() {
            return new Config(seed, true, faultEndMicros, dropRate, faults, clientChains, sharedChunks);
        }
    }

    /** Counts of what happened in a run, for the summary and for scenarios to check they did what they meant. */
    static final class Stats {
        /** Per node: requests it refused because it was fenced. */
        final long[] fencedRefusals = new long[NODES + 1];

        long dirtyAnswers;
        long tailFinishes;
        long headFinishes;
        long chainChanges;
        /** Client updates refused by a head whose public state is not SERVING. */
        long notServingHeadRefusals;
        /** Retries answered at the head with a version older than the committed one, from the recent tags. */
        long retriesAnsweredFromRecentTags;
        /** Reads at the tail that failed to finish the pending version and answered the failure. */
        long tailFinishFailures;
        /** Pending versions a sync finished before sending the committed version. */
        long syncFinishes;
        /** Syncs that waited for updates admitted under an older chain version, and that gave up waiting. */
        long syncWaits;

        long syncWaitTimeouts;

        /** Adds {@code other}'s counts to these. */
        void add(Stats other) {
            for (int i = 0; i < fencedRefusals.length; i++) fencedRefusals[i] += other.fencedRefusals[i];
            dirtyAnswers += other.dirtyAnswers;
            tailFinishes += other.tailFinishes;
            headFinishes += other.headFinishes;
            chainChanges += other.chainChanges;
            notServingHeadRefusals += other.notServingHeadRefusals;
            retriesAnsweredFromRecentTags += other.retriesAnsweredFromRecentTags;
            tailFinishFailures += other.tailFinishFailures;
            syncFinishes += other.syncFinishes;
            syncWaits += other.syncWaits;
            syncWaitTimeouts += other.syncWaitTimeouts;
        }

        @Override
        public String toString() {
            long fenced = 0;
            for (long f : fencedRefusals) fenced += f;
            return fenced + " fenced refusals, " + notServingHeadRefusals + " refused at a non-serving head, "
                    + dirtyAnswers + " DIRTY, " + headFinishes + " pending finished at a head, " + tailFinishes
                    + " at a tail (" + tailFinishFailures + " failed), " + syncFinishes + " by a sync; "
                    + retriesAnsweredFromRecentTags + " retries answered from recent tags; " + syncWaits
                    + " syncs waited for older updates, " + syncWaitTimeouts + " gave up";
        }
    }

    /** A run's outcome: violations (none: passed), what happened, and the trace when traced. */
    record Result(
            long seed,
            List<String> violations,
            String summary,
            List<String> trace,
            long events,
            long simMicros,
            Stats stats) {
        boolean passed() {
            return violations.isEmpty();
        }
    }

    private final Config config;
    private final SimEvents events;
    private final SimNetwork net;
    private final RoutingTable placed;
    private final SimManager manager;
    private final Stats stats = new Stats();
    private final SimDisk[] disks = new SimDisk[NODES + 1];
    private final SimNode[] nodes = new SimNode[NODES + 1];
    private final Map<Integer, SimFaults.Kind> faulty = new TreeMap<>();
    private final List<SimClient> clients = new ArrayList<>();
    private final List<HistoryCheck.Op> history = new ArrayList<>();
    private final Map<Integer, Map<Long, String>> committed = new HashMap<>();

    private final List<String> violations = new ArrayList<>();
    private final int[] clientChains;
    private final SimFaults faults;
    private boolean load = true;
    private int faultsApplied;

    private SimCluster(Config config) {
        this.config = config;
        this.events = new SimEvents(config.seed(), config.tracing());
        this.placed = placement();
        this.net = new SimNetwork(events, List.copyOf(placed.nodes().keySet()));
        this.manager = new SimManager(events, net, placed, stats);
        net.manager.handler = manager;
        for (int n = 1; n <= NODES; n++) {
            disks[n] = new SimDisk(100 + n, this::onStored);
            nodes[n] = new SimNode(n, net, events, disks[n], placed, stats);
            net.node(n).handler = nodes[n];
        }
        this.clientChains =
                config.clientChains() != null ? config.clientChains().clone() : pickChains();
        this.faults =
                config.faults() != null ? config.faults() : SimFaults.random(events, NODES, config.faultEndMicros());
    }

    private int[] pickChains() {
        int first = 1 + events.nextInt(CHAINS);
        int second = 1 + (first + events.nextInt(CHAINS - 1)) % CHAINS;
        return new int[] {first, second};
    }

    static Result run(Config config) {
        SimCluster sim = new SimCluster(config);
        try {
            sim.runPhases();
        } catch (AssertionError | RuntimeException e) {
            sim.violations.add(String.format("at %.3f ms: %s", sim.events.now() / 1000.0, e.toString()));
            if (!(e instanceof AssertionError)) sim.violations.add(stackOf(e));
        }
        return new Result(
                config.seed(),
                List.copyOf(sim.violations),
                sim.summary(),
                config.tracing() ? List.copyOf(sim.events.trace()) : List.of(),
                sim.events.eventsRun(),
                sim.events.now(),
                sim.stats);
    }

    private static String stackOf(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement s : e.getStackTrace()) b.append("\n    at ").append(s);
        return b.toString();
    }

    int chainOf(int chunk) {
        return clientChains[chunk / CHUNKS_PER_CHAIN];
    }

    int chunks() {
        return CLIENT_CHAINS * CHUNKS_PER_CHAIN;
    }

    private void runPhases() {
        net.dropRate = config.dropRate();
        manager.start();
        for (int n = 1; n <= NODES; n++) nodes[n].start();
        for (SimFaults.Fault f : faults.faults()) events.at(f.atMicros(), () -> inject(f));
        int writers = 2 + events.nextInt(2);
        for (int i = 0; i < writers + READERS; i++) {
            boolean writer = i < writers;
            SimClient c = client((writer ? "w" : "r") + (i + 1));
            clients.add(c);
            long[] seq = {0};
            long base = (i + 1) * 1_000_000_000L;
            int index = i;
            events.after(events.between(0, THINK_MICROS_MAX), () -> loop(c, writer ? index : -1, writers, base, seq));
        }
        events.trace("clients on chains " + clientChains[0] + " and " + clientChains[1] + "; faults " + faults);
        events.runUntil(config.faultEndMicros(), () -> false);
        heal();
        events.runUntil(config.faultEndMicros() + LOAD_AFTER_FAULTS_MICROS, () -> false);
        load = false;
        long deadline = events.now() + HEAL_MICROS_MAX;
        if (!events.runUntil(deadline, this::healed)) {
            violations.add("not healed " + HEAL_MICROS_MAX / 1000 + " ms after the faults: "
                    + manager.published().chains().values());
            return;
        }
        events.trace("healed: every chain all SERVING, no sync running, clients idle");
        finalChecks(deadline);
        violations.addAll(HistoryCheck.check(history, 20));
    }

    private SimClient client(String name) {
        return new SimClient(name, events, net, manager.published(), this::chainOf, history);
    }

    /** One client's next operation: writer {@code writer} (0-based; -1 for a reader) of {@code writers}. */
    private void loop(SimClient c, int writer, int writers, long base, long[] seq) {
        if (!load) return;
        int chunk = events.nextInt(chunks());
        if (writer >= 0 && !config.sharedChunks())
            chunk = writer + writers * events.nextInt((chunks() - writer + writers - 1) / writers);
        SimClient.Done next = (ok, version, value) ->
                events.after(events.between(0, THINK_MICROS_MAX), () -> loop(c, writer, writers, base, seq));
        if (writer >= 0) c.write(chunk, base + ++seq[0], next);
        else c.read(chunk, next);
    }

    // ---- faults ----

    private void inject(SimFaults.Fault f) {
        if (faulty.containsKey(f.node()) || faulty.size() >= SimFaults.FAULTY_NODES_MAX) {
            events.trace("skip " + f);
            return;
        }
        faultsApplied++;
        faulty.put(f.node(), f.kind());
        events.trace("FAULT " + f);
        SimNetwork.Host host = net.node(f.node());
        if (f.kind() == SimFaults.Kind.CRASH) {
            net.crash(host);
            nodes[f.node()] = null;
        } else net.pause(host);
        events.at(Math.min(f.atMicros() + f.forMicros(), config.faultEndMicros()), () -> {
            SimFaults.Kind kind = faulty.remove(f.node());
            if (kind != null) restore(f.node(), kind);
        });
    }

    private void restore(int node, SimFaults.Kind kind) {
        SimNetwork.Host host = net.node(node);
        if (kind == SimFaults.Kind.CRASH) {
            events.trace("RESTART n" + node);
            nodes[node] = new SimNode(node, net, events, disks[node], placed, stats);
            net.restart(host, nodes[node]);
            nodes[node].start();
        } else {
            events.trace("RESUME n" + node + " (" + host.held.size() + " queued)");
            net.resume(host);
        }
    }

    private void heal() {
        events.trace("HEAL: restart and resume every node, no more drops");
        for (Map.Entry<Integer, SimFaults.Kind> e : new ArrayList<>(faulty.entrySet()))
            restore(e.getKey(), e.getValue());
        faulty.clear();
        net.dropRate = 0;
    }

    private boolean healed() {
        for (RoutingTable.Chain c : manager.published().chains().values())
            for (RoutingTable.Member m : c.members()) if (m.state() != PublicState.SERVING) return false;
        if (manager.syncing()) return false;
        for (SimClient c : clients) if (c.busy()) return false;
        return true;
    }

    /** Every version committed on any replica must name one value. */
    private void onStored(int targetId, int chunk, long version, long value, boolean commit) {
        if (events.tracing)
            events.trace("t" + targetId + (commit ? " commits" : " stages") + " chunk " + chunk + " v" + version + "="
                    + value);
        if (!commit) return;
        Map<Long, String> versions = committed.computeIfAbsent(chunk, k -> new HashMap<>());
        String first = versions.putIfAbsent(version, value + " (first at target " + targetId + ")");
        if (first != null && !first.startsWith(value + " "))
            throw new AssertionError("chunk " + chunk + ": version " + version + " committed as " + value
                    + " at target " + targetId + " but as " + first);
    }

    // ---- after healing ----

    /**
     * Per chunk: a client's read, a read at every serving replica (each must return at least the highest
     * acknowledged version), a client's write; then every serving replica must hold that write.
     */
    private void finalChecks(long deadline) {
        SimClient checker = client("final");
        clients.add(checker);
        Map<Integer, Long> ackedMax = new TreeMap<>();
        for (HistoryCheck.Op op : history)
            if (op.write() && op.ok()) ackedMax.merge(op.chunk(), op.version(), Math::max);
        Map<Integer, long[]> written = new LinkedHashMap<>();
        for (int c = 0; c < chunks(); c++) {
            int chunk = c;
            long acked = ackedMax.getOrDefault(chunk, 0L);
            boolean[] done = {false};
            checker.read(chunk, (ok, version, value) -> {
                done[0] = true;
                if (!ok) violations.add("chunk " + chunk + ": final read failed after healing");
                else if (version < acked)
                    violations.add("chunk " + chunk + ": lost acknowledged write: final read at v" + version
                            + " below the highest acknowledged v" + acked);
            });
            events.runUntil(deadline, () -> done[0]);
            for (int target : manager.published().chain(chainOf(chunk)).readers())
                readReplica(checker.host, chunk, target, acked, deadline);
            done[0] = false;
            checker.write(chunk, FINAL_WRITER * 1_000_000_000L + chunk + 1, (ok, version, value) -> {
                done[0] = true;
                if (!ok) violations.add("chunk " + chunk + ": final write failed after healing");
                else written.put(chunk, new long[] {version, value});
            });
            events.runUntil(deadline, () -> done[0]);
            if (!done[0]) violations.add("chunk " + chunk + ": final operations did not end");
        }
        compareReplicas(written);
    }

    /**
     * Reads {@code chunk} at serving replica {@code target} itself (recorded in the history): it must not be
     * below {@code acked}. A replica holding a pending version answers DIRTY (the tail answers for it); one whose
     * routing is not yet the manager's is asked again 50 ms later.
     */
    private void readReplica(SimNetwork.Host from, int chunk, int target, long acked, long deadline) {
        for (int attempt = 0; attempt < 40; attempt++) {
            RoutingTable table = manager.published();
            RoutingTable.Chain chain = table.chain(chainOf(chunk));
            Object[] reply = {null};
            boolean[] done = {false};
            long invoke = events.now();
            net.call(
                    from,
                    net.node(table.targetNodes().get(target)),
                    new SimMessages.Read(chain.chainId(), chain.chainVersion(), chunk),
                    SimClient.CALL_TIMEOUT_MICROS,
                    r -> {
                        reply[0] = r;
                        done[0] = true;
                    });
            events.runUntil(deadline, () -> done[0]);
            if (reply[0] instanceof SimMessages.ReadReply r) {
                if (r.status() == ChainStatus.DIRTY) return;
                boolean ok = r.status() == ChainStatus.OK || r.status() == ChainStatus.NO_SUCH_CHUNK;
                if (ok) {
                    history.add(new HistoryCheck.Op(false, chunk, r.value(), invoke, events.now(), true, r.version()));
                    if (r.version() < acked)
                        violations.add("chunk " + chunk + ": lost acknowledged write: serving target " + target
                                + " answers v" + r.version() + " below the highest acknowledged v" + acked);
                    return;
                }
            }
            events.runUntil(events.now() + 50_000, () -> false);
        }
        violations.add("chunk " + chunk + ": serving target " + target + " answered no read after healing");
    }

    private void compareReplicas(Map<Integer, long[]> written) {
        for (Map.Entry<Integer, long[]> e : written.entrySet()) {
            int chunk = e.getKey();
            RoutingTable.Chain chain = manager.published().chain(chainOf(chunk));
            for (RoutingTable.Member m : chain.members()) {
                int node = placed.targetNodes().get(m.targetId());
                ChunkState s = disks[node].info(chunk);
                if (s.committedVersion() != e.getValue()[0]
                        || s.committedValue() != e.getValue()[1]
                        || s.pendingVersion() != 0)
                    violations.add("chunk " + chunk + ": serving target " + m.targetId() + " holds " + s
                            + " after the final write v" + e.getValue()[0] + "=" + e.getValue()[1]);
            }
        }
    }

    private String summary() {
        long writesOk = history.stream().filter(o -> o.write() && o.ok()).count();
        long writesFailed = history.stream().filter(o -> o.write() && !o.ok()).count();
        long readsOk = history.stream().filter(o -> !o.write() && o.ok()).count();
        long readsFailed = history.stream().filter(o -> !o.write() && !o.ok()).count();
        return String.format(
                "seed %d%s: %.1f s simulated, %d events; chains %d,%d; %d of %d faults applied %s; writes %d ok %d"
                        + " failed, reads %d ok %d failed; %d chain changes, %d syncs; %d messages, %d dropped; %s",
                config.seed(),
                config.sharedChunks() ? " (shared chunks)" : "",
                events.now() / 1e6,
                events.eventsRun(),
                clientChains[0],
                clientChains[1],
                faultsApplied,
                faults.faults().size(),
                faults.faults(),
                writesOk,
                writesFailed,
                readsOk,
                readsFailed,
                stats.chainChanges,
                manager.syncsStarted,
                net.messagesSent,
                net.messagesDropped,
                stats);
    }

    /** The placement every run starts from: {@link #CHAINS} chains of {@link #CHAIN_LENGTH}, node n holds target 100 + n. */
    static RoutingTable placement() {
        List<RoutingTable.Node> addresses = new ArrayList<>();
        List<List<Integer>> targets = new ArrayList<>();
        for (int n = 1; n <= NODES; n++) {
            addresses.add(new RoutingTable.Node(n, "sim", 9000 + n));
            targets.add(List.of(100 + n));
        }
        return RoutingTable.place(addresses, targets, CHAIN_LENGTH, CHAINS);
    }
}
