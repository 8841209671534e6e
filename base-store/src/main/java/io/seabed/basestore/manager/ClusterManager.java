package io.seabed.basestore.manager;

import io.seabed.basestore.TargetState;
import io.seabed.basestore.chain.ChainMessages;
import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.Peers;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.basestore.rpc.RpcServer.Call;
import io.seabed.basestore.rpc.RpcServer.Reply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster manager (DESIGN §4): one primary by lease in meta-kv, any number of standbys. Storage nodes
 * heartbeat every manager; the primary answers with newer routing, and only its answers keep a node serving
 * (a node without one for its fence period stops serving). Each tick the primary records node addresses,
 * applies {@link ChainStates} to every chain from what heartbeats say, stores the new table (a transaction
 * that checks the lease epoch), and asks the predecessor of each SYNCING target to fill it; when that sync
 * completes at the same chain version the target serves. Before the first table exists the primary waits
 * for {@code expectedNodes} nodes and places chains over their targets.
 *
 * <p>Threads: RPC handlers on the event loop (non-blocking: they read volatile state and a concurrent map);
 * one {@code manager-<id>} thread runs the lease and the ticks; sync calls complete on RPC threads and only
 * record their outcome.
 */
public final class ClusterManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterManager.class);
    private static final long SYNC_TIMEOUT_MILLIS = 3_600_000;
    /** The standard lease: a standby takes over this long after the primary's last renewal. */
    public static final long LEASE_MILLIS = 4_000;
    /** Storage nodes fence themselves this long after the primary's last answer: half the lease (DESIGN §4). */
    public static final long FENCE_MILLIS = LEASE_MILLIS / 2;
    /** Storage nodes heartbeat this often. */
    public static final long HEARTBEAT_MILLIS = 500;
    /** A target not heard from this long is offline: longer than the fence, so its node stopped serving first. */
    public static final long OFFLINE_MILLIS = 3_000;
    /** How often the primary renews and re-evaluates chains. */
    public static final long TICK_MILLIS = 250;

    static {
        if (OFFLINE_MILLIS <= FENCE_MILLIS) throw new ExceptionInInitializerError("OFFLINE_MILLIS <= FENCE_MILLIS");
        if (FENCE_MILLIS <= 2 * HEARTBEAT_MILLIS) throw new ExceptionInInitializerError("FENCE_MILLIS <= 2 heartbeats");
    }

    /**
     * @param managerId unique per manager process: a manager that finds its own id on the lease (it restarted)
     *     takes the lease at once
     * @param leaseMillis how long a lease holds without renewal before a standby takes over
     * @param offlineMillis a target whose node was not heard from for this long is offline; must exceed the
     *     nodes' fence period, so a node has stopped serving before its chains move on
     * @param tickMillis how often the primary renews and re-evaluates chains
     * @param expectedNodes nodes to wait for before placing the first chains
     * @param chainLength targets per chain at placement
     * @param chainsPerTarget chains placed per target (chain count = targets × this ÷ chain length, at least 1)
     */
    public record Config(
            long managerId,
            RpcServer.Config rpc,
            long leaseMillis,
            long offlineMillis,
            long tickMillis,
            int expectedNodes,
            int chainLength,
            int chainsPerTarget) {
        public Config {
            if (managerId == 0) throw new IllegalArgumentException("managerId 0 is reserved");
            if (leaseMillis < 3 * tickMillis)
                throw new IllegalArgumentException("leaseMillis=" + leaseMillis + " < 3 ticks");
            if (offlineMillis < tickMillis) throw new IllegalArgumentException("offlineMillis=" + offlineMillis);
            if (expectedNodes < 1 || chainLength < 1 || chainsPerTarget < 1)
                throw new IllegalArgumentException("expectedNodes, chainLength and chainsPerTarget must be >= 1");
        }

        /** Lease 4 s (nodes fence after half of it), offline after 3 s, ticks of 250 ms, 2 × chainLength chains per target. */
        public static Config standard(long managerId, RpcServer.Config rpc, int expectedNodes, int chainLength) {
            return new Config(
                    managerId,
                    rpc,
                    LEASE_MILLIS,
                    OFFLINE_MILLIS,
                    TICK_MILLIS,
                    expectedNodes,
                    chainLength,
                    2 * chainLength);
        }
    }

    private record NodeView(String host, int port, long seenNanos, Map<Integer, TargetState> targets) {}

    private final Config config;
    private final ManagerStore store;
    private final Consumer<RoutingTable> onPublish;
    private final RpcServer server;
    private final Peers peers = new Peers(RpcClient.Config.defaults(), 1, "manager-peers", 200);
    private final Map<Integer, NodeView> nodes = new ConcurrentHashMap<>();
    /** Chain id → chain version whose sync finished (set by sync replies, read by ticks). */
    private final Map<Integer, Long> syncsDone = new ConcurrentHashMap<>();
    /** Chain id → chain version whose sync is running. */
    private final Map<Integer, Long> syncsRunning = new ConcurrentHashMap<>();

    private final Thread loop;
    private final long startNanos = System.nanoTime();
    private volatile RoutingTable published;
    /**
     * A routing store failed without an answer (a lost reply): the store may hold a table this manager never
     * published, which a standby already serves to clients. The next tick adopts it before deciding anything.
     */
    private volatile boolean storeOutcomeUnknown;
    /** A standby's copy of the stored table, refreshed each tick (ROUTING_GET must not wait for the store). */
    private volatile RoutingTable storedCopy;

    private volatile ManagerStore.Lease lease;
    /**
     * When the last renewal (or the acquisition) that this manager saw succeed was sent: the lease is this
     * manager's until that time plus {@link #leaseValidNanos}. A standby waits the whole lease from the moment
     * it saw the record change, which is after the send, so their views never overlap (while clocks run at
     * about the same rate, which the margin covers).
     */
    private volatile long renewSentNanos;

    private final long leaseValidNanos;
    private volatile boolean closed;
    private ManagerStore.Lease seen = ManagerStore.Lease.NONE;
    private long seenChangedNanos = System.nanoTime();

    private ClusterManager(Config config, ManagerStore store, Consumer<RoutingTable> onPublish) throws IOException {
        this.config = config;
        this.store = store;
        this.onPublish = onPublish;
        this.leaseValidNanos = TimeUnit.MILLISECONDS.toNanos(config.leaseMillis() - config.leaseMillis() / 8);
        Map<RpcMethod, RpcServer.Handler> handlers = new EnumMap<>(RpcMethod.class);
        handlers.put(RpcMethod.HEARTBEAT, this::onHeartbeat);
        handlers.put(RpcMethod.ROUTING_GET, this::onRoutingGet);
        this.server = RpcServer.start(config.rpc(), handlers);
        this.loop = Thread.ofPlatform()
                .name("manager-" + config.managerId())
                .daemon(true)
                .unstarted(this::run);
    }

    /** Starts a manager; {@code onPublish} sees every table this manager publishes (the embedded client's routing). */
    public static ClusterManager start(Config config, ManagerStore store, Consumer<RoutingTable> onPublish)
            throws IOException {
        ClusterManager m = new ClusterManager(config, store, onPublish);
        m.loop.start();
        return m;
    }

    public int port() {
        return server.port();
    }

    /** Whether this manager holds the lease now: it renewed it less than the lease's validity ago. */
    public boolean primary() {
        return lease != null && System.nanoTime() - renewSentNanos < leaseValidNanos;
    }

    /** The table this manager last published or loaded, or null. */
    public RoutingTable routing() {
        return published;
    }

    private CompletableFuture<Reply> onHeartbeat(Call call) {
        ManagerMessages.Heartbeat hb;
        try {
            hb = ManagerMessages.Heartbeat.decode(call.header());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new RpcException(RpcException.Code.INVALID_ARGUMENT, e.getMessage()));
        }
        nodes.put(hb.nodeId(), new NodeView(hb.host(), hb.port(), System.nanoTime(), hb.targets()));
        ManagerStore.Lease held = lease;
        boolean primary = held != null && primary();
        RoutingTable table = published;
        RpcPayload payload = primary && table != null && table.version() > hb.routingVersion()
                ? RpcPayload.of(table.encode())
                : RpcPayload.NONE;
        return CompletableFuture.completedFuture(
                new Reply(new ManagerMessages.HeartbeatReply(primary, primary ? held.epoch() : 0).encode(), payload));
    }

    private CompletableFuture<Reply> onRoutingGet(Call call) {
        RoutingTable table = primary() ? published : storedCopy;
        return CompletableFuture.completedFuture(
                new Reply(new byte[0], table == null ? RpcPayload.NONE : RpcPayload.of(table.encode())));
    }

    private void run() {
        boolean failing = false;
        while (!closed) {
            try {
                leaseStep();
                if (primary()) {
                    if (published == null) bootstrap();
                    if (published != null) tick();
                } else {
                    storedCopy = store.routing();
                }
                if (failing) LOG.info("manager {}: ticks succeed again", config.managerId());
                failing = false;
            } catch (RuntimeException e) {
                // Once per run of failures (the store may be unreachable for a while): each tick retries.
                if (!failing)
                    LOG.warn("manager {}: tick failed (retrying each tick): {}", config.managerId(), e.toString());
                failing = true;
            }
            try {
                Thread.sleep(config.tickMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void leaseStep() {
        long now = System.nanoTime();
        ManagerStore.Lease held = lease;
        if (held != null) {
            ManagerStore.Lease renewed = store.renew(held);
            if (renewed == null) {
                LOG.warn("manager {}: lost the lease (epoch {}) to another manager", config.managerId(), held.epoch());
                lease = null;
                published = null;
                return;
            }
            lease = renewed;
            renewSentNanos = now;
            return;
        }
        ManagerStore.Lease current = store.lease();
        if (!current.equals(seen)) {
            seen = current;
            seenChangedNanos = now;
        }
        // No holder, the holder stopped renewing, or the holder was this manager before a restart.
        boolean expired = current.holder() == 0
                || current.holder() == config.managerId()
                || now - seenChangedNanos > TimeUnit.MILLISECONDS.toNanos(config.leaseMillis());
        if (!expired) return;
        long sent = System.nanoTime();
        ManagerStore.Lease mine = store.acquire(config.managerId(), current);
        if (mine == null) return;
        published = store.routing();
        renewSentNanos = sent;
        lease = mine;
        LOG.info("manager {}: primary with lease epoch {}", config.managerId(), mine.epoch());
        if (published != null) onPublish.accept(published);
    }

    /** Places the first chains once the expected nodes have reported. */
    private void bootstrap() {
        RoutingTable stored = store.routing();
        if (stored != null) {
            published = stored;
            onPublish.accept(stored);
            return;
        }
        if (nodes.size() < config.expectedNodes()) return;
        List<RoutingTable.Node> addresses = new ArrayList<>();
        List<List<Integer>> targets = new ArrayList<>();
        int targetCount = 0;
        for (Map.Entry<Integer, NodeView> e : new java.util.TreeMap<>(nodes).entrySet()) {
            addresses.add(new RoutingTable.Node(
                    e.getKey(), e.getValue().host(), e.getValue().port()));
            targets.add(List.copyOf(e.getValue().targets().keySet()));
            targetCount += e.getValue().targets().size();
        }
        int chainLength = Math.min(config.chainLength(), addresses.size());
        int chains = Math.max(1, targetCount * config.chainsPerTarget() / chainLength);
        RoutingTable table = RoutingTable.place(addresses, targets, chainLength, chains);
        if (publish(table))
            LOG.info(
                    "manager {}: placed {} chains of {} over {} nodes",
                    config.managerId(),
                    chains,
                    chainLength,
                    addresses.size());
    }

    private void tick() {
        if (storeOutcomeUnknown) adoptStored();
        RoutingTable table = published;
        RoutingTable next = table;
        long now = System.nanoTime();
        for (Map.Entry<Integer, NodeView> e : nodes.entrySet()) {
            RoutingTable.Node known = next.nodes().get(e.getKey());
            NodeView v = e.getValue();
            if (known != null && (!known.host().equals(v.host()) || known.port() != v.port()))
                next = next.withNode(new RoutingTable.Node(e.getKey(), v.host(), v.port()));
        }
        // Right after starting, heartbeats may not have arrived yet: change no chain until they could have.
        boolean settled = now - startNanos > TimeUnit.MILLISECONDS.toNanos(config.offlineMillis());
        RoutingTable finalNext = next;
        for (RoutingTable.Chain chain : settled ? table.chains().values() : List.<RoutingTable.Chain>of()) {
            Long done = syncsDone.get(chain.chainId());
            boolean syncDone = done != null && done == chain.chainVersion();
            RoutingTable.Chain changed = ChainStates.next(chain, t -> alive(finalNext, t, now), syncDone);
            if (changed != chain) {
                LOG.info(
                        "manager {}: chain {} v{} -> v{}: {}",
                        config.managerId(),
                        chain.chainId(),
                        chain.chainVersion(),
                        changed.chainVersion(),
                        changed.members());
                next = next.with(changed);
            }
        }
        if (next != table && !publish(next)) return;
        startSyncs(next);
    }

    /**
     * After a routing store with a lost reply: if the store holds a newer table than the one published (the
     * store went through), publish that one. Otherwise the nodes would keep the older table while clients,
     * reading the stored one from a standby, send its newer chain versions, and every request would meet
     * STALE_ROUTING until some later change published a table above both.
     */
    private void adoptStored() {
        RoutingTable stored = store.routing();
        RoutingTable table = published;
        if (stored != null && (table == null || stored.version() > table.version())) {
            LOG.info(
                    "manager {}: routing v{} was stored though its reply was lost; publishing it",
                    config.managerId(),
                    stored.version());
            published = stored;
            onPublish.accept(stored);
        }
        storeOutcomeUnknown = false;
    }

    private boolean alive(RoutingTable table, int target, long now) {
        Integer node = table.targetNodes().get(target);
        NodeView v = node == null ? null : nodes.get(node);
        return v != null
                && now - v.seenNanos() < TimeUnit.MILLISECONDS.toNanos(config.offlineMillis())
                && v.targets().get(target) == TargetState.SERVING;
    }

    private boolean publish(RoutingTable table) {
        ManagerStore.Lease held = lease;
        boolean stored;
        try {
            stored = held != null && primary() && store.writeRouting(held, table);
        } catch (RuntimeException e) {
            storeOutcomeUnknown = true;
            throw e;
        }
        if (!stored) {
            LOG.warn(
                    "manager {}: routing v{} not stored (the lease moved on, or the store holds another table of"
                            + " that version): taking the lease again if it is still this manager's",
                    config.managerId(),
                    table.version());
            lease = null;
            return false;
        }
        published = table;
        onPublish.accept(table);
        return true;
    }

    /** Asks the predecessor of each SYNCING target to fill it, once per chain version. */
    private void startSyncs(RoutingTable table) {
        for (RoutingTable.Chain chain : table.chains().values()) {
            List<Integer> path = chain.writePath();
            int syncing = chain.syncingAt();
            if (syncing < 1) continue;
            Long running = syncsRunning.get(chain.chainId());
            if (running != null && running == chain.chainVersion()) continue;
            Long done = syncsDone.get(chain.chainId());
            if (done != null && done == chain.chainVersion()) continue;
            RoutingTable.Node predecessor = table.nodeOf(path.get(syncing - 1));
            syncsRunning.put(chain.chainId(), chain.chainVersion());
            LOG.info(
                    "manager {}: chain {} v{}: node {} syncs target {}",
                    config.managerId(),
                    chain.chainId(),
                    chain.chainVersion(),
                    predecessor.nodeId(),
                    path.get(syncing));
            CompletableFuture<RpcClient.Result> call;
            try {
                call = peers.get(predecessor)
                        .call(
                                RpcMethod.SYNC_START,
                                new ManagerMessages.SyncStart(chain.chainId(), chain.chainVersion()).encode(),
                                RpcPayload.of(table.encode()),
                                SYNC_TIMEOUT_MILLIS);
            } catch (RpcException e) {
                call = CompletableFuture.failedFuture(e);
            }
            int chainId = chain.chainId();
            long version = chain.chainVersion();
            call.whenComplete((result, error) -> {
                syncsRunning.remove(chainId, version);
                if (error != null) {
                    LOG.warn(
                            "manager {}: sync of chain {} v{} failed: {}",
                            config.managerId(),
                            chainId,
                            version,
                            error.toString());
                    return;
                }
                try (result) {
                    ChainMessages.UpdateReply reply = ChainMessages.UpdateReply.decode(result.header());
                    if (reply.status() == ChainStatus.OK) syncsDone.put(chainId, version);
                    else
                        LOG.warn(
                                "manager {}: sync of chain {} v{}: {} {}",
                                config.managerId(),
                                chainId,
                                version,
                                reply.status(),
                                reply.message());
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.interrupt();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        peers.close();
    }
}
