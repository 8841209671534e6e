package io.seabed.basestore.chain;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chain.ChainMessages.Update;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainMessages.UpdateReply;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkInfo;
import io.seabed.basestore.chunk.ChunkUpdate;
import io.seabed.basestore.chunk.RecentTags;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.basestore.rpc.RpcServer.Call;
import io.seabed.basestore.rpc.RpcServer.Reply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage node: the chunk engines of its targets behind the data-plane RPC, replicating updates along
 * CRAQ chains (DESIGN §4). An update enters at the chain's head, which holds the chunk's lock, assigns
 * the next chunk version, stores it as pending and forwards it; each replica stores it pending and
 * forwards in turn; the last replica of the write path stores it committed, and the commit flows back
 * as each replica, on its successor's success, commits its pending version. A read is answered by any
 * serving replica from its committed version; one holding a pending version answers DIRTY unless it is
 * the tail, which commits what it holds (every replica before it holds that version too) and answers.
 *
 * <p>Every request carries (chain id, chain version); a chain version other than this node's answers
 * STALE_ROUTING. Each update carries the {@link UpdateTag} of its writer, and every replica keeps the tags
 * of the chunk's latest committed versions ({@link RecentTags}, at most {@link RecentTags#RECENT_TAGS_MAX}),
 * built alike on each since each commits the same versions in order, and carried by a sync. At the head, an
 * update tagged like one of them is a retry of an update applied already (other writers' updates may have
 * followed it): it is answered at once with the version it made, and nothing is applied. Tagged like the
 * pending version, it is a retry that is finished: that version is re-sent down the chain and committed. A
 * retry older than the kept tags is applied again, as a new version. A pending version left by an earlier
 * head is finished (sent down as a whole replace, then committed) before a new update is applied.
 *
 * <p>This class holds the node's state (targets, routing, fence, locks, workers) and the update path; reads are
 * {@link ChainReads} and listings and sync are {@link ChainSync}, working on that state.
 *
 * <p>Threads: RPC handlers run on the event loop and only decode and hand off; engine work runs on a
 * bounded pool ({@code storage-N-work-K}; when its queue is full the node answers BUSY); continuations of
 * engine and peer futures hop back onto that pool, never running on a committer or event-loop thread.
 */
public final class StorageNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageNode.class);
    private static final int BLOCK = BaseStoreClient.CRC_BLOCK_BYTES;

    /**
     * @param workerThreads threads running engine work (disk reads, block writes)
     * @param workQueueMax requests waiting for a worker; beyond it the node answers BUSY
     * @param lockWaitersMax updates waiting for one chunk's lock; beyond it BUSY
     * @param forwardTimeoutMillis deadline of an update sent to the successor
     */
    public record Config(
            int nodeId,
            RpcServer.Config rpc,
            int workerThreads,
            int workQueueMax,
            int lockWaitersMax,
            long forwardTimeoutMillis) {
        public Config {
            if (nodeId < 1) throw new IllegalArgumentException("nodeId=" + nodeId);
            if (workerThreads < 1) throw new IllegalArgumentException("workerThreads=" + workerThreads);
            if (workQueueMax < 1) throw new IllegalArgumentException("workQueueMax=" + workQueueMax);
            if (lockWaitersMax < 1) throw new IllegalArgumentException("lockWaitersMax=" + lockWaitersMax);
            if (forwardTimeoutMillis < 1)
                throw new IllegalArgumentException("forwardTimeoutMillis=" + forwardTimeoutMillis);
        }

        /** Loopback on an ephemeral port, 8 workers, 4,096 queued, 256 waiters per chunk, 10 s forwards. */
        public static Config loopback(int nodeId) {
            return new Config(nodeId, RpcServer.Config.loopback(), 8, 4096, 256, 10_000);
        }
    }

    final Config config;
    final Map<Integer, ChunkEngine> targets;
    final ChunkLocks locks;
    final ThreadPoolExecutor workers;
    final Peers peers;
    private final RpcServer server;
    volatile RoutingTable routing;
    /** After this System.nanoTime() the node serves nothing until a manager's answer extends it (self-fencing). */
    private volatile long fenceDeadlineNanos = Long.MAX_VALUE;
    /** Updates admitted and not yet answered: a sync waits for those admitted under an older chain version. */
    final java.util.Set<Step> steps = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Forwards awaiting their successor's answer, with what they carry (see {@link #setRouting}). */
    private final Map<CompletableFuture<RpcClient.Result>, Update> forwards =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final ChainSync sync;
    private boolean closed;

    private StorageNode(Config config, Map<Integer, ChunkEngine> targets, RoutingTable routing) throws IOException {
        this.config = config;
        this.targets = Map.copyOf(targets);
        this.routing = routing;
        this.locks = new ChunkLocks(config.lockWaitersMax());
        AtomicInteger threadNo = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(
                config.workerThreads(),
                config.workerThreads(),
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.workQueueMax()),
                r -> Thread.ofPlatform()
                        .name("storage-" + config.nodeId() + "-work-" + threadNo.getAndIncrement())
                        .daemon(true)
                        .unstarted(r));
        this.peers = new Peers(RpcClient.Config.defaults(), 1, "storage-" + config.nodeId() + "-peers", 1_000);
        Map<RpcMethod, RpcServer.Handler> handlers = new TreeMap<>();
        handlers.put(RpcMethod.CHUNK_UPDATE, this::onUpdate);
        ChainReads reads = new ChainReads(this);
        this.sync = new ChainSync(this);
        handlers.put(RpcMethod.CHUNK_READ, reads::onRead);
        handlers.put(RpcMethod.CHUNK_LIST, sync::onList);
        handlers.put(RpcMethod.SYNC_START, sync::onSyncStart);
        try {
            this.server = RpcServer.start(config.rpc(), handlers);
        } catch (IOException e) {
            workers.shutdownNow();
            peers.close();
            throw e;
        }
    }

    /**
     * Serves {@code targets} (target id → its open engine, owned by the node from now on) with {@code
     * routing} as the first routing table.
     */
    public static StorageNode start(Config config, Map<Integer, ChunkEngine> targets, RoutingTable routing)
            throws IOException {
        return new StorageNode(config, targets, routing);
    }

    public int nodeId() {
        return config.nodeId();
    }

    public int port() {
        return server.port();
    }

    public RoutingTable routing() {
        return routing;
    }

    /**
     * Installs {@code table} if it is newer than the current one; returns whether it did. Forwards sent under a
     * chain version the table replaces fail at once: their successor may have stopped without dying (a paused
     * process answers nothing until the forward's deadline), and the update's client retries under the new
     * routing, where the new chain finishes the version left pending.
     */
    public synchronized boolean setRouting(RoutingTable table) {
        if (table.version() <= routing.version()) return false;
        routing = table;
        for (Map.Entry<CompletableFuture<RpcClient.Result>, Update> f : forwards.entrySet())
            if (movedOn(table, f.getValue()))
                f.getKey()
                        .completeExceptionally(new RpcException(
                                RpcException.Code.CLOSED,
                                "chain " + f.getValue().chainId() + " moved past version "
                                        + f.getValue().chainVersion() + " while forwarding"));
        return true;
    }

    private static boolean movedOn(RoutingTable table, Update sent) {
        RoutingTable.Chain chain = table.chain(sent.chainId());
        return chain == null || chain.chainVersion() != sent.chainVersion();
    }

    /**
     * Serve only until {@code deadlineNanos} (System.nanoTime) unless extended: set by the manager link from
     * the send time of each heartbeat the primary manager answered, plus the fence period. A node that cannot
     * reach the primary for that long stops serving, so a chain that moved on without it never sees it answer.
     */
    public synchronized void fenceAt(long deadlineNanos) {
        fenceDeadlineNanos = deadlineNanos;
    }

    /** Moves the fence deadline later (never earlier): answers to heartbeats may arrive out of order. */
    public synchronized void extendFence(long deadlineNanos) {
        if (fenceDeadlineNanos == Long.MAX_VALUE || deadlineNanos - fenceDeadlineNanos > 0)
            fenceDeadlineNanos = deadlineNanos;
    }

    /** Whether the fence deadline passed (the node answers NOT_SERVING to every chunk request). */
    public boolean fenced() {
        return System.nanoTime() - fenceDeadlineNanos > 0 && fenceDeadlineNanos != Long.MAX_VALUE;
    }

    /** This node's engine for {@code targetId}, for tests and tooling. */
    public ChunkEngine engine(int targetId) {
        ChunkEngine engine = targets.get(targetId);
        if (engine == null)
            throw new IllegalArgumentException("node " + config.nodeId() + " has no target " + targetId);
        return engine;
    }

    public Map<Integer, ChunkEngine> engines() {
        return targets;
    }

    // ---- updates ----

    private CompletableFuture<Reply> onUpdate(Call call) {
        Update u;
        try {
            u = Update.decode(call.header());
        } catch (IllegalArgumentException e) {
            return updateReply(ChainStatus.INVALID_ARGUMENT, 0, e.getMessage());
        }
        ByteBuf payload = call.payload();
        return onWorker(() -> update(u, payload), this::busyUpdate);
    }

    private CompletableFuture<Reply> update(Update u, ByteBuf payload) {
        if (fenced())
            return updateReply(
                    ChainStatus.NOT_SERVING, 0, "node " + config.nodeId() + " lost the manager and is fenced");
        RoutingTable table = routing;
        RoutingTable.Chain chain = table.chain(u.chainId());
        if (chain == null || chain.chainVersion() != u.chainVersion())
            return updateReply(
                    ChainStatus.STALE_ROUTING,
                    0,
                    "chain " + u.chainId() + " here is "
                            + (chain == null ? "unknown" : "at version " + chain.chainVersion()) + ", request has "
                            + u.chainVersion());
        List<Integer> path = chain.writePath();
        int index = -1;
        for (int i = 0; i < path.size(); i++) if (targets.containsKey(path.get(i))) index = i;
        if (index < 0)
            return updateReply(
                    ChainStatus.NOT_SERVING,
                    0,
                    "node " + config.nodeId() + " is not in the write path of chain " + u.chainId());
        boolean fromClient = u.version() == 0;
        if (fromClient != (index == 0))
            return updateReply(
                    ChainStatus.STALE_ROUTING,
                    0,
                    (fromClient ? "not the head" : "the head") + " of chain " + u.chainId() + " v"
                            + chain.chainVersion());
        if (fromClient && chain.member(path.getFirst()).state() != PublicState.SERVING)
            // Only a serving head assigns versions: a syncing target may lack the chunk's latest base.
            return updateReply(
                    ChainStatus.NOT_SERVING,
                    0,
                    "target " + path.getFirst() + " heads chain " + u.chainId() + " v" + chain.chainVersion()
                            + " but is " + chain.member(path.getFirst()).state());
        if ((u.kind() == UpdateKind.TRUNCATE || u.kind() == UpdateKind.REMOVE) && payload.isReadable())
            return updateReply(ChainStatus.INVALID_ARGUMENT, 0, u.kind() + " carries no data");
        ChunkEngine engine = targets.get(path.get(index));
        RoutingTable.Node successor = index + 1 < path.size() ? table.nodeOf(path.get(index + 1)) : null;
        CompletableFuture<Void> turn = locks.acquire(u.chunk());
        if (turn == null) return updateReply(ChainStatus.BUSY, 0, "too many updates wait for chunk " + u.chunk());
        Step step = new Step(u, chain, engine, successor, payload);
        steps.add(step);
        return turn.thenComposeAsync(ignored -> step.run(fromClient), workers)
                .whenComplete((r, e) -> {
                    locks.release(u.chunk());
                    steps.remove(step);
                })
                .exceptionally(this::updateFailure);
    }

    /** One update at this replica, holding the chunk's lock. */
    final class Step {
        final Update u;
        final RoutingTable.Chain chain;
        final ChunkEngine engine;
        final RoutingTable.Node successor;
        final ByteBuf payload;

        Step(Update u, RoutingTable.Chain chain, ChunkEngine engine, RoutingTable.Node successor, ByteBuf payload) {
            this.u = u;
            this.chain = chain;
            this.engine = engine;
            this.successor = successor;
            this.payload = payload;
        }

        CompletableFuture<Reply> run(boolean atHead) {
            // The routing may have changed while this update waited for the lock (a successor added).
            RoutingTable.Chain now = routing.chain(chain.chainId());
            if (now == null || now.chainVersion() != chain.chainVersion())
                return CompletableFuture.completedFuture(replyOf(
                        ChainStatus.STALE_ROUTING, 0, "chain " + chain.chainId() + " changed while the update waited"));
            if (u.kind() == UpdateKind.SYNC_REPLACE) return syncReplace();
            if (u.kind() == UpdateKind.REMOVE)
                return engine.deleteAsync(u.chunk())
                        .thenComposeAsync(
                                done -> forward(
                                        u.forwarded(chain.chainVersion(), Update.FORWARDED_REMOVE, UpdateKind.REMOVE),
                                        RpcPayload.NONE),
                                workers)
                        .thenApply(version -> replyOf(ChainStatus.OK, 0, ""));
            ChunkInfo info = engine.info(u.chunk());
            if (atHead) return atHead(info);
            long version = u.version();
            if (info.committedVersion() > version || (info.committedVersion() == version && successor == null))
                return CompletableFuture.completedFuture(replyOf(ChainStatus.OK, version, "applied before"));
            if (info.committedVersion() == version)
                // Applied here before, but an earlier forward may have failed: the successor must get it too.
                return forwardUpdate(version).thenApply(v -> replyOf(ChainStatus.OK, version, "applied before"));
            return applyAndForward(version, u.tag(), updateOf(u, payload));
        }

        /** A chunk version from the predecessor's sync: written committed, unless a newer one is here. */
        private CompletableFuture<Reply> syncReplace() {
            RoutingTable.Member me = chain.member(engine.targetId());
            if (me == null || me.state() != PublicState.SYNCING || successor != null)
                return CompletableFuture.completedFuture(replyOf(
                        ChainStatus.NOT_SERVING,
                        0,
                        "target " + engine.targetId() + " is not the syncing end of chain " + chain.chainId()));
            ChunkInfo info = engine.info(u.chunk());
            if (info.committedVersion() > u.version())
                return CompletableFuture.completedFuture(
                        replyOf(ChainStatus.OK, info.committedVersion(), "newer here"));
            // The syncing target is last in the write path, where updates commit at once: a pending version
            // here was left by an update this target never finished before it left the chain.
            CompletableFuture<Void> orphanGone = info.pendingVersion() == 0
                    ? CompletableFuture.completedFuture(null)
                    : engine.dropPendingAsync(u.chunk());
            return orphanGone
                    .thenComposeAsync(
                            dropped -> engine.syncAsync(
                                    u.chunk(),
                                    chain.chainId(),
                                    u.version(),
                                    u.tag(),
                                    u.recentTags(),
                                    payload.nioBuffer()),
                            workers)
                    .thenApply(done -> replyOf(ChainStatus.OK, u.version(), ""));
        }

        private CompletableFuture<Reply> atHead(ChunkInfo info) {
            long madeBefore = info.versionOf(u.tag());
            if (madeBefore > 0 && madeBefore != info.pendingVersion())
                // Committed before, perhaps with other writers' versions after it: answer, apply nothing.
                return CompletableFuture.completedFuture(replyOf(ChainStatus.OK, madeBefore, "applied before"));
            if (info.pendingVersion() > 0) {
                long pending = info.pendingVersion();
                CompletableFuture<Void> finished = finishPending(engine, chain, successor, u.chunk(), info);
                if (madeBefore == pending)
                    // A retry of the update that made the pending version: finish that version, apply nothing new.
                    return finished.thenApply(done -> replyOf(ChainStatus.OK, pending, "retry finished"));
                // A version an earlier head left pending: finish it first, then apply this update on top.
                LOG.info(
                        "chain {}: finished pending version {} of chunk {} before a new update",
                        chain.chainId(),
                        pending,
                        u.chunk());
                return finished.thenComposeAsync(
                        done -> applyAndForward(pending + 1, u.tag(), updateOf(u, payload)), workers);
            }
            return applyAndForward(info.committedVersion() + 1, u.tag(), updateOf(u, payload));
        }

        private CompletableFuture<Reply> applyAndForward(long version, UpdateTag tag, ChunkUpdate update) {
            boolean last = successor == null;
            return engine.updateAsync(u.chunk(), chain.chainId(), version, tag, update, last)
                    .thenComposeAsync(
                            stored -> last ? CompletableFuture.completedFuture(version) : forwardUpdate(version),
                            workers)
                    .thenComposeAsync(
                            v -> last
                                    ? CompletableFuture.<Void>completedFuture(null)
                                    : engine.commitAsync(u.chunk(), version),
                            workers)
                    .thenApply(done -> replyOf(ChainStatus.OK, version, ""));
        }

        /** Sends this update with {@code version} to the successor; one lacking the base gets the whole version. */
        private CompletableFuture<Long> forwardUpdate(long version) {
            Update next = u.forwarded(chain.chainVersion(), version, u.kind());
            RpcPayload data =
                    payload.isReadable() ? new RpcPayload.Bytes(payload.retainedDuplicate()) : RpcPayload.NONE;
            return forward(next, data)
                    .handleAsync(
                            (v, e) -> {
                                if (e == null) return CompletableFuture.completedFuture(v);
                                if (statusOf(e) == ChainStatus.VERSION_MISMATCH && u.kind() != UpdateKind.REPLACE)
                                    return forwardReplace(version, u.tag(), contentOf(engine, u.chunk(), version));
                                return CompletableFuture.<Long>failedFuture(e);
                            },
                            workers)
                    .thenCompose(f -> f);
        }

        private CompletableFuture<Long> forwardReplace(long version, UpdateTag tag, ByteBuffer content) {
            return sendReplace(successor, chain, u.chunk(), version, tag, content);
        }

        private CompletableFuture<Long> forward(Update next, RpcPayload data) {
            return send(successor, next, data);
        }
    }

    /** The whole content of {@code version} here: the pending version, or the committed one. */
    private static ByteBuffer contentOf(ChunkEngine engine, ChunkId id, long version) {
        ChunkInfo info = engine.info(id);
        if (info.pendingVersion() == version) return engine.readPending(id);
        if (info.committedVersion() != version)
            throw new StorageException(
                    Reason.VERSION_MISMATCH, "chunk " + id + " version " + version + " is no longer here: " + info);
        ByteBuffer content = ByteBuffer.allocate(info.lengthBytes());
        engine.read(id, 0, content);
        return content.flip();
    }

    /**
     * Finishes the pending version of a chunk whose lock the caller holds: sends it whole to the successor (if
     * any), then commits it here. Every replica before this one holds it, so committing it is safe.
     */
    CompletableFuture<Void> finishPending(
            ChunkEngine engine, RoutingTable.Chain chain, RoutingTable.Node successor, ChunkId id, ChunkInfo info) {
        long pending = info.pendingVersion();
        CompletableFuture<Long> sent = successor == null
                ? CompletableFuture.completedFuture(pending)
                : sendReplace(successor, chain, id, pending, info.pendingTag(), engine.readPending(id));
        return sent.thenComposeAsync(v -> engine.commitAsync(id, pending), workers);
    }

    private CompletableFuture<Long> sendReplace(
            RoutingTable.Node successor,
            RoutingTable.Chain chain,
            ChunkId id,
            long version,
            UpdateTag tag,
            ByteBuffer content) {
        Update whole = new Update(chain.chainId(), chain.chainVersion(), id, tag, UpdateKind.REPLACE, 0, version);
        return send(successor, whole, new RpcPayload.Bytes(Unpooled.wrappedBuffer(content)));
    }

    /** The successor of {@code target} in the chain's write path, or null when it is last. */
    static RoutingTable.Node successorOf(RoutingTable table, RoutingTable.Chain chain, int target) {
        List<Integer> path = chain.writePath();
        int i = path.indexOf(target);
        return i < 0 || i + 1 >= path.size() ? null : table.nodeOf(path.get(i + 1));
    }

    /** Calls the successor; completes with the version it reports, or fails with a ChainFailure. */
    private CompletableFuture<Long> send(RoutingTable.Node successor, Update next, RpcPayload data) {
        if (successor == null) {
            RpcPayload.release(data);
            return CompletableFuture.completedFuture(next.version());
        }
        RpcClient client;
        try {
            client = peers.get(successor);
        } catch (RpcException e) {
            RpcPayload.release(data);
            return CompletableFuture.failedFuture(new ChainFailure(
                    ChainStatus.NOT_SERVING, "successor node " + successor.nodeId() + ": " + e.getMessage()));
        }
        CompletableFuture<RpcClient.Result> call =
                client.call(RpcMethod.CHUNK_UPDATE, next.encode(), data, config.forwardTimeoutMillis());
        forwards.put(call, next);
        call.whenComplete((r, e) -> forwards.remove(call));
        // setRouting may have installed a newer table after this update read the routing and before the put.
        if (movedOn(routing, next))
            call.completeExceptionally(new RpcException(
                    RpcException.Code.CLOSED,
                    "chain " + next.chainId() + " moved past version " + next.chainVersion()));
        return call.handle((result, error) -> {
            if (error != null)
                throw new ChainFailure(
                        ChainStatus.NOT_SERVING,
                        "successor node " + successor.nodeId() + ": "
                                + rootOf(error).getMessage());
            try (result) {
                UpdateReply reply = UpdateReply.decode(result.header());
                if (reply.status() != ChainStatus.OK)
                    throw new ChainFailure(
                            reply.status(), "successor node " + successor.nodeId() + ": " + reply.message());
                return reply.version();
            }
        });
    }

    private static ChunkUpdate updateOf(Update u, ByteBuf payload) {
        return switch (u.kind()) {
            case REPLACE, SYNC_REPLACE -> new ChunkUpdate.Replace(payload.nioBuffer());
            case WRITE_AT -> new ChunkUpdate.WriteAt(u.offset(), payload.nioBuffer());
            case TRUNCATE -> new ChunkUpdate.Truncate(u.offset());
            case REMOVE -> throw new IllegalStateException("REMOVE has no chunk update");
        };
    }

    /** Progress of one sync, readable while it runs. */
    public static final class SyncProgress {
        public final java.util.concurrent.atomic.AtomicLong scanned = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong bytesSent = new java.util.concurrent.atomic.AtomicLong();
        public final java.util.concurrent.atomic.AtomicLong removed = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public String toString() {
            return "scanned=" + scanned + " sent=" + sent + " (" + bytesSent + " B) removed=" + removed;
        }
    }

    /**
     * Fills this node's successor in chain {@code chainId}, which must be SYNCING, from this node's target; see
     * {@link ChainSync#syncSuccessor}.
     */
    public CompletableFuture<SyncProgress> syncSuccessor(int chainId, SyncProgress progress) {
        return sync.syncSuccessor(chainId, progress);
    }

    // ---- plumbing ----

    /** Runs {@code work} on the worker pool; a full queue answers BUSY without running it. */
    CompletableFuture<Reply> onWorker(
            Supplier<CompletableFuture<Reply>> work, Supplier<CompletableFuture<Reply>> busy) {
        try {
            return CompletableFuture.supplyAsync(work, workers).thenCompose(f -> f);
        } catch (RejectedExecutionException e) {
            return busy.get();
        }
    }

    private CompletableFuture<Reply> busyUpdate() {
        return updateReply(ChainStatus.BUSY, 0, "node " + config.nodeId() + " work queue full");
    }

    Reply replyOf(ChainStatus status, long version, String message) {
        return new Reply(new UpdateReply(status, version, routing.version(), message).encode(), RpcPayload.NONE);
    }

    CompletableFuture<Reply> updateReply(ChainStatus status, long version, String message) {
        return CompletableFuture.completedFuture(replyOf(status, version, message));
    }

    private Reply updateFailure(Throwable error) {
        Throwable cause = rootOf(error);
        ChainStatus status = statusOf(cause);
        if (status == ChainStatus.IO_ERROR && !(cause instanceof StorageException) && !(cause instanceof ChainFailure))
            LOG.error("node {}: update failed unexpectedly", config.nodeId(), cause);
        return replyOf(status, 0, cause.getMessage());
    }

    static ChainStatus statusOf(Throwable error) {
        Throwable cause = rootOf(error);
        if (cause instanceof ChainFailure f) return f.status;
        if (cause instanceof StorageException s) return ChainStatus.of(s.reason());
        if (cause instanceof RejectedExecutionException) return ChainStatus.BUSY;
        return ChainStatus.IO_ERROR;
    }

    static Throwable rootOf(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        return t;
    }

    /** A chain status travelling through futures. */
    static final class ChainFailure extends RuntimeException {
        final ChainStatus status;

        ChainFailure(ChainStatus status, String message) {
            super(status + ": " + message);
            this.status = status;
        }
    }

    /** Stops serving, then closes the peers, the workers and every engine. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        server.close();
        peers.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS))
                LOG.warn("node {}: workers still busy at close", config.nodeId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ChunkEngine engine : targets.values()) engine.close();
    }

    ExecutorService workers() {
        return workers;
    }
}
