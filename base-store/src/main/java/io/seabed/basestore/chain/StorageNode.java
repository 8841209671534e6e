package io.seabed.basestore.chain;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chain.ChainMessages.Read;
import io.seabed.basestore.chain.ChainMessages.ReadReply;
import io.seabed.basestore.chain.ChainMessages.Update;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainMessages.UpdateReply;
import io.seabed.basestore.chunk.ChunkBlocks;
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
import java.util.Arrays;
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

    private final Config config;
    private final Map<Integer, ChunkEngine> targets;
    private final ChunkLocks locks;
    private final ThreadPoolExecutor workers;
    private final Peers peers;
    private final RpcServer server;
    private volatile RoutingTable routing;
    /** After this System.nanoTime() the node serves nothing until a manager's answer extends it (self-fencing). */
    private volatile long fenceDeadlineNanos = Long.MAX_VALUE;
    /** Updates admitted and not yet answered: a sync waits for those admitted under an older chain version. */
    private final java.util.Set<Step> steps = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Forwards awaiting their successor's answer, with what they carry (see {@link #setRouting}). */
    private final Map<CompletableFuture<RpcClient.Result>, Update> forwards =
            new java.util.concurrent.ConcurrentHashMap<>();

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
        handlers.put(RpcMethod.CHUNK_READ, this::onRead);
        handlers.put(RpcMethod.CHUNK_LIST, this::onList);
        handlers.put(RpcMethod.SYNC_START, this::onSyncStart);
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
    private final class Step {
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
    private CompletableFuture<Void> finishPending(
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
    private static RoutingTable.Node successorOf(RoutingTable table, RoutingTable.Chain chain, int target) {
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

    // ---- listing and sync ----

    /** Chunks compared per listing page during a sync. */
    private static final int SYNC_PAGE = 256;

    /** Listing pages hold at most this many chunks. */
    static final int LIST_PAGE_MAX = 1024;

    private CompletableFuture<Reply> onList(Call call) {
        ChainMessages.ListChunks l;
        try {
            l = ChainMessages.ListChunks.decode(call.header());
        } catch (IllegalArgumentException e) {
            return listReply(ChainStatus.INVALID_ARGUMENT, e.getMessage());
        }
        ChunkEngine engine = targets.get(l.targetId());
        if (engine == null)
            return listReply(ChainStatus.NOT_SERVING, "node " + config.nodeId() + " has no target " + l.targetId());
        if (l.countMax() < 1) return listReply(ChainStatus.INVALID_ARGUMENT, "countMax=" + l.countMax());
        return onWorker(
                () -> {
                    int countMax = Math.min(l.countMax(), LIST_PAGE_MAX);
                    List<ChunkEngine.ChunkListing> page = engine.list(l.after(), countMax);
                    List<ChainMessages.Listed> entries = ofChain(page, l.chainId());
                    ByteBuffer view = ByteBuffer.allocate(entries.size() * ChainMessages.Listed.BYTES);
                    for (ChainMessages.Listed entry : entries) entry.encode(view);
                    ChainMessages.ListReply reply = new ChainMessages.ListReply(
                            ChainStatus.OK,
                            page.size() >= countMax,
                            page.isEmpty() ? null : page.getLast().id(),
                            routing.version(),
                            "");
                    return CompletableFuture.completedFuture(
                            new Reply(reply.encode(), new RpcPayload.Bytes(Unpooled.wrappedBuffer(view.flip()))));
                },
                () -> listReply(ChainStatus.BUSY, "node " + config.nodeId() + " work queue full"));
    }

    /** The entries of {@code page} that belong to chain {@code chainId} (all when 0). */
    static List<ChainMessages.Listed> ofChain(List<ChunkEngine.ChunkListing> page, int chainId) {
        List<ChainMessages.Listed> out = new java.util.ArrayList<>(page.size());
        for (ChunkEngine.ChunkListing entry : page) {
            ChunkInfo i = entry.info();
            if (chainId != 0 && i.chainId() != chainId) continue;
            out.add(new ChainMessages.Listed(
                    entry.id(),
                    i.committedVersion(),
                    i.lengthBytes(),
                    i.digest(),
                    i.pendingVersion(),
                    i.recentTags().digest()));
        }
        return out;
    }

    private CompletableFuture<Reply> listReply(ChainStatus status, String message) {
        return CompletableFuture.completedFuture(new Reply(
                new ChainMessages.ListReply(status, false, null, routing.version(), message).encode(),
                RpcPayload.NONE));
    }

    private CompletableFuture<Reply> onSyncStart(Call call) {
        io.seabed.basestore.manager.ManagerMessages.SyncStart start;
        try {
            start = io.seabed.basestore.manager.ManagerMessages.SyncStart.decode(call.header());
        } catch (IllegalArgumentException e) {
            return updateReply(ChainStatus.INVALID_ARGUMENT, 0, e.getMessage());
        }
        // The manager sends the table it acts on: install it if newer than what heartbeats brought so far.
        if (call.payload().isReadable()) {
            byte[] bytes = new byte[call.payload().readableBytes()];
            call.payload().getBytes(call.payload().readerIndex(), bytes);
            try {
                setRouting(RoutingTable.decode(bytes));
            } catch (IllegalArgumentException e) {
                return updateReply(ChainStatus.INVALID_ARGUMENT, 0, "routing table: " + e.getMessage());
            }
        }
        RoutingTable.Chain chain = routing.chain(start.chainId());
        if (chain == null || chain.chainVersion() != start.chainVersion())
            return updateReply(
                    ChainStatus.STALE_ROUTING,
                    0,
                    "chain " + start.chainId() + " is not at version " + start.chainVersion() + " here");
        if (fenced()) return updateReply(ChainStatus.NOT_SERVING, 0, "fenced");
        return syncSuccessor(start.chainId(), new SyncProgress())
                .handle((progress, error) -> error == null
                        ? replyOf(ChainStatus.OK, progress.sent.get(), progress.toString())
                        : replyOf(statusOf(error), 0, rootOf(error).getMessage()));
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
     * Fills this node's successor in chain {@code chainId}, which must be SYNCING, from this node's target:
     * compares both targets' chunk listings page by page and, holding each chunk's lock (so no update of it
     * is in flight), sends the committed version of every chunk the successor lacks or holds differently as a
     * whole, and removes chunks this target does not have. New updates keep flowing to the successor meanwhile
     * (it is in the write path); one lacking its base gets a whole version. Fails if the chain changes.
     *
     * <p>Runs on a thread of its own; the future completes when the successor holds what this target holds.
     */
    public CompletableFuture<SyncProgress> syncSuccessor(int chainId, SyncProgress progress) {
        CompletableFuture<SyncProgress> done = new CompletableFuture<>();
        Thread.ofPlatform()
                .name("storage-" + config.nodeId() + "-sync-" + chainId)
                .daemon(true)
                .start(() -> {
                    try {
                        sync(chainId, progress);
                        done.complete(progress);
                    } catch (Throwable e) {
                        LOG.warn(
                                "node {}: sync of chain {} failed after {}: {}",
                                config.nodeId(),
                                chainId,
                                progress,
                                e.toString());
                        done.completeExceptionally(e);
                    }
                });
        return done;
    }

    private void sync(int chainId, SyncProgress progress) throws Exception {
        RoutingTable table = routing;
        RoutingTable.Chain chain = table.chain(chainId);
        if (chain == null) throw new ChainFailure(ChainStatus.STALE_ROUTING, "no chain " + chainId);
        List<Integer> path = chain.writePath();
        int index = -1;
        for (int i = 0; i < path.size(); i++) if (targets.containsKey(path.get(i))) index = i;
        if (index < 0
                || index + 1 >= path.size()
                || chain.member(path.get(index + 1)).state() != PublicState.SYNCING)
            throw new ChainFailure(
                    ChainStatus.NOT_SERVING, "node " + config.nodeId() + " has no SYNCING successor in chain " + chain);
        ChunkEngine engine = targets.get(path.get(index));
        int successorTarget = path.get(index + 1);
        RoutingTable.Node successor = table.nodeOf(successorTarget);
        LOG.info(
                "node {}: syncing target {} from target {} (chain {} v{})",
                config.nodeId(),
                successorTarget,
                engine.targetId(),
                chainId,
                chain.chainVersion());
        awaitOlderUpdates(chain);
        ChunkId after = null;
        while (true) {
            if (routing.chain(chainId) == null || routing.chain(chainId).chainVersion() != chain.chainVersion())
                throw new ChainFailure(ChainStatus.STALE_ROUTING, "chain " + chainId + " changed during sync");
            List<ChunkEngine.ChunkListing> minePage = engine.list(after, SYNC_PAGE);
            ChainMessages.ListReply theirPage;
            List<ChainMessages.Listed> theirs;
            try (RpcClient.Result r = peers.get(successor)
                    .call(
                            RpcMethod.CHUNK_LIST,
                            new ChainMessages.ListChunks(successorTarget, chainId, after, SYNC_PAGE).encode(),
                            RpcPayload.NONE,
                            config.forwardTimeoutMillis())
                    .get()) {
                theirPage = ChainMessages.ListReply.decode(r.header());
                if (theirPage.status() != ChainStatus.OK)
                    throw new ChainFailure(
                            theirPage.status(), "listing target " + successorTarget + ": " + theirPage.message());
                theirs = ChainMessages.Listed.decodeAll(r.payload().nioBuffer());
            }
            // Each side is complete only up to where its scan stopped: handle ids up to the nearer stop.
            ChunkId bound = null;
            if (minePage.size() >= SYNC_PAGE) bound = minePage.getLast().id();
            if (theirPage.full() && (bound == null || ChunkEngine.compareIds(theirPage.cursor(), bound) < 0))
                bound = theirPage.cursor();
            java.util.TreeMap<ChunkId, ChainMessages.Listed> theirsById =
                    new java.util.TreeMap<>(ChunkEngine::compareIds);
            for (ChainMessages.Listed l : theirs) theirsById.put(l.id(), l);
            java.util.TreeSet<ChunkId> ids = new java.util.TreeSet<>(ChunkEngine::compareIds);
            for (ChainMessages.Listed l : ofChain(minePage, chainId)) ids.add(l.id());
            ids.addAll(theirsById.keySet());
            for (ChunkId id : ids) {
                if (bound != null && ChunkEngine.compareIds(id, bound) > 0) break;
                syncChunk(engine, chain, successor, id, theirsById.get(id), progress);
            }
            if (bound == null) break;
            after = bound;
        }
        LOG.info(
                "node {}: target {} synced from target {}: {}",
                config.nodeId(),
                successorTarget,
                engine.targetId(),
                progress);
    }

    /**
     * Waits until no update admitted under an older version of {@code chain} is in flight here: one admitted
     * when this target was the write path's end commits without forwarding, and if it created its chunk after
     * the listing, the syncing successor would never get it.
     */
    private void awaitOlderUpdates(RoutingTable.Chain chain) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.forwardTimeoutMillis());
        while (true) {
            boolean older = false;
            for (Step step : steps)
                older |= step.chain.chainId() == chain.chainId() && step.chain.chainVersion() < chain.chainVersion();
            if (!older) return;
            if (System.nanoTime() - deadline > 0)
                throw new ChainFailure(
                        ChainStatus.BUSY,
                        "updates under versions of chain " + chain.chainId() + " older than " + chain.chainVersion()
                                + " still in flight after " + config.forwardTimeoutMillis() + " ms");
            Thread.sleep(1);
        }
    }

    private void syncChunk(
            ChunkEngine engine,
            RoutingTable.Chain chain,
            RoutingTable.Node successor,
            ChunkId id,
            ChainMessages.Listed theirs,
            SyncProgress progress)
            throws Exception {
        progress.scanned.incrementAndGet();
        CompletableFuture<Void> turn;
        while ((turn = locks.acquire(id)) == null) Thread.sleep(1);
        try {
            turn.get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            turn.thenRun(() -> locks.release(id));
            throw e;
        }
        try {
            ChunkInfo mine = engine.info(id);
            Update request;
            RpcPayload data;
            if (mine.exists() && mine.chainId() != chain.chainId()) return;
            if (mine.pendingVersion() > 0) {
                // A version pending here may be committed (and read) further down the chain already, or the
                // successor may hold it pending: finish it first (send it whole to the successor, commit it),
                // as a new head does, so the successor never drops it nor is left without it.
                finishPending(engine, chain, successor, id, mine)
                        .get(2 * config.forwardTimeoutMillis(), TimeUnit.MILLISECONDS);
                mine = engine.info(id);
            }
            if (mine.committedVersion() == 0) {
                if (mine.pendingVersion() > 0 || theirs == null) return;
                request = new Update(
                        chain.chainId(),
                        chain.chainVersion(),
                        id,
                        UpdateTag.NONE,
                        UpdateKind.REMOVE,
                        0,
                        Update.FORWARDED_REMOVE);
                data = RpcPayload.NONE;
                progress.removed.incrementAndGet();
            } else {
                // Equal bytes are not enough: a successor that committed a forwarded version over a gap built its
                // recent tags from its own older list, and as head it would apply a retry from the gap again.
                if (theirs != null
                        && theirs.committedVersion() == mine.committedVersion()
                        && theirs.digest() == mine.digest()
                        && theirs.tagsDigest() == mine.recentTags().digest()
                        && theirs.pendingVersion() == 0) return;
                ByteBuffer content = ByteBuffer.allocate(mine.lengthBytes());
                engine.read(id, 0, content);
                request = new Update(
                        chain.chainId(),
                        chain.chainVersion(),
                        id,
                        mine.committedTag(),
                        UpdateKind.SYNC_REPLACE,
                        0,
                        mine.committedVersion(),
                        mine.recentTags());
                data = new RpcPayload.Bytes(Unpooled.wrappedBuffer(content.flip()));
                progress.sent.incrementAndGet();
                progress.bytesSent.addAndGet(mine.lengthBytes());
            }
            try (RpcClient.Result r = peers.get(successor)
                    .call(RpcMethod.CHUNK_UPDATE, request.encode(), data, config.forwardTimeoutMillis())
                    .get()) {
                UpdateReply reply = UpdateReply.decode(r.header());
                if (reply.status() != ChainStatus.OK)
                    throw new ChainFailure(reply.status(), "sync of chunk " + id + ": " + reply.message());
            }
        } finally {
            locks.release(id);
        }
    }

    // ---- reads ----

    private CompletableFuture<Reply> onRead(Call call) {
        Read r;
        try {
            r = Read.decode(call.header());
        } catch (IllegalArgumentException e) {
            return readReply(ReadReply.failed(ChainStatus.INVALID_ARGUMENT, routing.version(), e.getMessage()), null);
        }
        return onWorker(
                () -> read(r, false),
                () -> readReply(
                        ReadReply.failed(
                                ChainStatus.BUSY, routing.version(), "node " + config.nodeId() + " work queue full"),
                        null));
    }

    /**
     * A read met a pending version. Before the tail it answers DIRTY. At the tail, holding the chunk's lock, the
     * pending version (held by every replica before it) is sent on to a syncing successor, if any, and committed;
     * then the read runs again and answers the committed version. If an update is in flight, the lock waits for
     * it, and the version it commits is read.
     */
    private CompletableFuture<Reply> dirty(
            Read r, RoutingTable table, RoutingTable.Chain chain, int target, ChunkEngine engine) {
        if (chain.tail() != target)
            return readReply(
                    ReadReply.failed(
                            ChainStatus.DIRTY, table.version(), "chunk " + r.chunk() + " has a pending version"),
                    null);
        CompletableFuture<Void> turn = locks.acquire(r.chunk());
        if (turn == null)
            return readReply(
                    ReadReply.failed(ChainStatus.BUSY, table.version(), "too many wait for chunk " + r.chunk()), null);
        return turn.thenComposeAsync(
                        locked -> {
                            RoutingTable.Chain now = routing.chain(chain.chainId());
                            if (now == null || now.chainVersion() != chain.chainVersion())
                                return CompletableFuture.<Void>completedFuture(null);
                            ChunkInfo info = engine.info(r.chunk());
                            if (info.pendingVersion() == 0) return CompletableFuture.<Void>completedFuture(null);
                            return finishPending(engine, now, successorOf(routing, now, target), r.chunk(), info);
                        },
                        workers)
                .whenComplete((done, e) -> locks.release(r.chunk()))
                .handleAsync(
                        (done, e) -> {
                            // Unfinished, the pending version may be committed (and read) at a former tail: the
                            // older committed one must not be answered.
                            if (e != null) {
                                ChainStatus status = statusOf(e);
                                return readReply(
                                        ReadReply.failed(
                                                status.retryable() ? status : ChainStatus.NOT_SERVING,
                                                routing.version(),
                                                "tail could not finish the pending version of chunk " + r.chunk() + ": "
                                                        + rootOf(e).getMessage()),
                                        null);
                            }
                            return read(r, true);
                        },
                        workers)
                .thenCompose(f -> f);
    }

    private CompletableFuture<Reply> read(Read r, boolean resolved) {
        RoutingTable table = routing;
        if (fenced())
            return readReply(
                    ReadReply.failed(
                            ChainStatus.NOT_SERVING,
                            table.version(),
                            "node " + config.nodeId() + " lost the manager and is fenced"),
                    null);
        RoutingTable.Chain chain = table.chain(r.chainId());
        if (chain == null || chain.chainVersion() != r.chainVersion())
            return readReply(
                    ReadReply.failed(
                            ChainStatus.STALE_ROUTING,
                            table.version(),
                            "chain " + r.chainId() + " here is "
                                    + (chain == null ? "unknown" : "at version " + chain.chainVersion())
                                    + ", request has " + r.chainVersion()),
                    null);
        int target = -1;
        for (int t : chain.readers()) if (targets.containsKey(t)) target = t;
        if (target < 0)
            return readReply(
                    ReadReply.failed(
                            ChainStatus.NOT_SERVING,
                            table.version(),
                            "node " + config.nodeId() + " serves no replica of chain " + r.chainId()),
                    null);
        if (r.offset() < 0 || r.length() < 0 || (long) r.offset() + r.length() > BaseStoreClient.CHUNK_BYTES_MAX)
            return readReply(
                    ReadReply.failed(
                            ChainStatus.OUT_OF_RANGE, table.version(), "range " + r.offset() + "+" + r.length()),
                    null);
        ChunkEngine engine = targets.get(target);
        int first = r.offset() / BLOCK;
        int end = (int) (((long) r.offset() + r.length() + BLOCK - 1) / BLOCK);
        int count = Math.max(end - first, 0);
        ChunkEngine.ChunkRange range;
        try {
            range = engine.rangeOf(r.chunk(), first, count);
        } catch (StorageException e) {
            boolean missing = e.reason() == Reason.NO_SUCH_CHUNK || e.reason() == Reason.OUT_OF_RANGE;
            if (missing && !resolved && engine.info(r.chunk()).pendingVersion() != 0)
                return dirty(r, table, chain, target, engine);
            return readReply(ReadReply.failed(ChainStatus.of(e.reason()), table.version(), e.getMessage()), null);
        }
        if (range != null) return sendRange(r, table, chain, target, engine, range, resolved);
        return readCopied(r, table, chain, target, engine, first, count, resolved);
    }

    /** Answers a read with the blocks' file range, sent without copying (sendfile). */
    private CompletableFuture<Reply> sendRange(
            Read r,
            RoutingTable table,
            RoutingTable.Chain chain,
            int target,
            ChunkEngine engine,
            ChunkEngine.ChunkRange range,
            boolean resolved) {
        ChunkBlocks blocks = range.blocks();
        if (blocks.dirty() && !resolved) return dirty(r, table, chain, target, engine);
        int first = r.offset() / BLOCK;
        if (r.offset() > blocks.lengthBytes()) return beyondEnd(r, table, blocks, first);
        int[] crcs = Arrays.copyOfRange(blocks.crcs(), first, first + (range.bytes() + BLOCK - 1) / BLOCK);
        ReadReply reply = new ReadReply(
                ChainStatus.OK, blocks.chunkVersion(), blocks.lengthBytes(), first, crcs, table.version(), "");
        RpcPayload payload = range.bytes() == 0
                ? RpcPayload.NONE
                : new RpcPayload.FileRange(range.file(), range.position(), range.bytes(), range.crc32c(), () -> {});
        return CompletableFuture.completedFuture(new Reply(reply.encode(), payload));
    }

    /** A read whose offset is past the chunk's end: OUT_OF_RANGE with the version's length. */
    private static CompletableFuture<Reply> beyondEnd(Read r, RoutingTable table, ChunkBlocks blocks, int first) {
        return readReply(
                new ReadReply(
                        ChainStatus.OUT_OF_RANGE,
                        blocks.chunkVersion(),
                        blocks.lengthBytes(),
                        first,
                        new int[0],
                        table.version(),
                        "offset " + r.offset() + " > length " + blocks.lengthBytes()),
                null);
    }

    /** Answers a read with the blocks copied into a buffer (a target whose files have no channel). */
    private CompletableFuture<Reply> readCopied(
            Read r,
            RoutingTable table,
            RoutingTable.Chain chain,
            int target,
            ChunkEngine engine,
            int first,
            int count,
            boolean resolved) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(count * BLOCK);
        boolean handedOff = false;
        try {
            ChunkBlocks blocks;
            ByteBuffer window = buf.nioBuffer(0, buf.capacity());
            try {
                blocks = engine.readBlocks(r.chunk(), first, count, window, false);
            } catch (StorageException e) {
                boolean missing = e.reason() == Reason.NO_SUCH_CHUNK || e.reason() == Reason.OUT_OF_RANGE;
                if (missing && !resolved && engine.info(r.chunk()).pendingVersion() != 0)
                    // Missing or shorter in the committed version, but a newer one is pending: it is dirty.
                    return dirty(r, table, chain, target, engine);
                if (e.reason() != Reason.OUT_OF_RANGE) throw e;
                // The chunk is shorter than the range: answer with its length and the blocks that exist, all of
                // one version (its length and blocks come from the same look-up).
                window = buf.nioBuffer(0, buf.capacity());
                blocks = engine.readBlocksUpTo(r.chunk(), first, count, window, false);
                if (r.offset() > blocks.lengthBytes()) return beyondEnd(r, table, blocks, first);
            }
            if (blocks.dirty() && !resolved) return dirty(r, table, chain, target, engine);
            buf.writerIndex(window.position());
            int[] crcs = Arrays.copyOfRange(blocks.crcs(), first, first + (buf.readableBytes() + BLOCK - 1) / BLOCK);
            handedOff = true;
            return readReply(
                    new ReadReply(
                            ChainStatus.OK,
                            blocks.chunkVersion(),
                            blocks.lengthBytes(),
                            first,
                            crcs,
                            table.version(),
                            ""),
                    buf);
        } catch (StorageException e) {
            return readReply(ReadReply.failed(ChainStatus.of(e.reason()), table.version(), e.getMessage()), null);
        } finally {
            if (!handedOff) buf.release();
        }
    }

    // ---- plumbing ----

    /** Runs {@code work} on the worker pool; a full queue answers BUSY without running it. */
    private CompletableFuture<Reply> onWorker(
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

    private Reply replyOf(ChainStatus status, long version, String message) {
        return new Reply(new UpdateReply(status, version, routing.version(), message).encode(), RpcPayload.NONE);
    }

    private CompletableFuture<Reply> updateReply(ChainStatus status, long version, String message) {
        return CompletableFuture.completedFuture(replyOf(status, version, message));
    }

    private static CompletableFuture<Reply> readReply(ReadReply reply, ByteBuf data) {
        return CompletableFuture.completedFuture(
                new Reply(reply.encode(), data == null ? RpcPayload.NONE : new RpcPayload.Bytes(data)));
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
