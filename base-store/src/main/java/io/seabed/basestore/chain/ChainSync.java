package io.seabed.basestore.chain;

import io.netty.buffer.Unpooled;
import io.seabed.basestore.ChunkId;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chain.ChainMessages.Update;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainMessages.UpdateReply;
import io.seabed.basestore.chain.StorageNode.ChainFailure;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkInfo;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer.Call;
import io.seabed.basestore.rpc.RpcServer.Reply;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage node's chunk listings and the sync of a SYNCING successor (DESIGN §4): compare both targets' listings
 * page by page and send, under each chunk's lock, every chunk the successor lacks or holds differently as a whole.
 * Part of {@link StorageNode}, whose state it uses; its handlers hand work to the node's pool.
 */
final class ChainSync {
    private static final Logger LOG = LoggerFactory.getLogger(ChainSync.class);

    private final StorageNode node;

    ChainSync(StorageNode node) {
        this.node = node;
    }

    /** Chunks compared per listing page during a sync. */
    private static final int SYNC_PAGE = 256;

    /** Listing pages hold at most this many chunks. */
    static final int LIST_PAGE_MAX = 1024;

    CompletableFuture<Reply> onList(Call call) {
        ChainMessages.ListChunks l;
        try {
            l = ChainMessages.ListChunks.decode(call.header());
        } catch (IllegalArgumentException e) {
            return listReply(ChainStatus.INVALID_ARGUMENT, e.getMessage());
        }
        ChunkEngine engine = node.targets.get(l.targetId());
        if (engine == null)
            return listReply(
                    ChainStatus.NOT_SERVING, "node " + node.config.nodeId() + " has no target " + l.targetId());
        if (l.countMax() < 1) return listReply(ChainStatus.INVALID_ARGUMENT, "countMax=" + l.countMax());
        return node.onWorker(
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
                            node.routing.version(),
                            "");
                    return CompletableFuture.completedFuture(
                            new Reply(reply.encode(), new RpcPayload.Bytes(Unpooled.wrappedBuffer(view.flip()))));
                },
                () -> listReply(ChainStatus.BUSY, "node " + node.config.nodeId() + " work queue full"));
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
                new ChainMessages.ListReply(status, false, null, node.routing.version(), message).encode(),
                RpcPayload.NONE));
    }

    CompletableFuture<Reply> onSyncStart(Call call) {
        io.seabed.basestore.manager.ManagerMessages.SyncStart start;
        try {
            start = io.seabed.basestore.manager.ManagerMessages.SyncStart.decode(call.header());
        } catch (IllegalArgumentException e) {
            return node.updateReply(ChainStatus.INVALID_ARGUMENT, 0, e.getMessage());
        }
        // The manager sends the table it acts on: install it if newer than what heartbeats brought so far.
        if (call.payload().isReadable()) {
            byte[] bytes = new byte[call.payload().readableBytes()];
            call.payload().getBytes(call.payload().readerIndex(), bytes);
            try {
                node.setRouting(RoutingTable.decode(bytes));
            } catch (IllegalArgumentException e) {
                return node.updateReply(ChainStatus.INVALID_ARGUMENT, 0, "node.routing table: " + e.getMessage());
            }
        }
        RoutingTable.Chain chain = node.routing.chain(start.chainId());
        if (chain == null || chain.chainVersion() != start.chainVersion())
            return node.updateReply(
                    ChainStatus.STALE_ROUTING,
                    0,
                    "chain " + start.chainId() + " is not at version " + start.chainVersion() + " here");
        if (node.fenced()) return node.updateReply(ChainStatus.NOT_SERVING, 0, "node.fenced");
        return syncSuccessor(start.chainId(), new StorageNode.SyncProgress())
                .handle((progress, error) -> error == null
                        ? node.replyOf(ChainStatus.OK, progress.sent.get(), progress.toString())
                        : node.replyOf(
                                StorageNode.statusOf(error),
                                0,
                                StorageNode.rootOf(error).getMessage()));
    }

    /**
     * Fills this node's successor in chain {@code chainId}, which must be SYNCING, from this node's target:
     * compares both node.targets' chunk listings page by page and, holding each chunk's lock (so no update of it
     * is in flight), sends the committed version of every chunk the successor lacks or holds differently as a
     * whole, and removes chunks this target does not have. New updates keep flowing to the successor meanwhile
     * (it is in the write path); one lacking its base gets a whole version. Fails if the chain changes.
     *
     * <p>Runs on a thread of its own; the future completes when the successor holds what this target holds.
     */
    CompletableFuture<StorageNode.SyncProgress> syncSuccessor(int chainId, StorageNode.SyncProgress progress) {
        CompletableFuture<StorageNode.SyncProgress> done = new CompletableFuture<>();
        Thread.ofPlatform()
                .name("storage-" + node.config.nodeId() + "-sync-" + chainId)
                .daemon(true)
                .start(() -> {
                    try {
                        sync(chainId, progress);
                        done.complete(progress);
                    } catch (Throwable e) {
                        LOG.warn(
                                "node {}: sync of chain {} failed after {}: {}",
                                node.config.nodeId(),
                                chainId,
                                progress,
                                e.toString());
                        done.completeExceptionally(e);
                    }
                });
        return done;
    }

    private void sync(int chainId, StorageNode.SyncProgress progress) throws Exception {
        RoutingTable table = node.routing;
        RoutingTable.Chain chain = table.chain(chainId);
        if (chain == null) throw new ChainFailure(ChainStatus.STALE_ROUTING, "no chain " + chainId);
        List<Integer> path = chain.writePath();
        int index = -1;
        for (int i = 0; i < path.size(); i++) if (node.targets.containsKey(path.get(i))) index = i;
        if (index < 0
                || index + 1 >= path.size()
                || chain.member(path.get(index + 1)).state() != PublicState.SYNCING)
            throw new ChainFailure(
                    ChainStatus.NOT_SERVING,
                    "node " + node.config.nodeId() + " has no SYNCING successor in chain " + chain);
        ChunkEngine engine = node.targets.get(path.get(index));
        int successorTarget = path.get(index + 1);
        RoutingTable.Node successor = table.nodeOf(successorTarget);
        LOG.info(
                "node {}: syncing target {} from target {} (chain {} v{})",
                node.config.nodeId(),
                successorTarget,
                engine.targetId(),
                chainId,
                chain.chainVersion());
        awaitOlderUpdates(chain);
        ChunkId after = null;
        while (true) {
            if (node.routing.chain(chainId) == null
                    || node.routing.chain(chainId).chainVersion() != chain.chainVersion())
                throw new ChainFailure(ChainStatus.STALE_ROUTING, "chain " + chainId + " changed during sync");
            List<ChunkEngine.ChunkListing> minePage = engine.list(after, SYNC_PAGE);
            ChainMessages.ListReply theirPage;
            List<ChainMessages.Listed> theirs;
            try (RpcClient.Result r = node.peers
                    .get(successor)
                    .call(
                            RpcMethod.CHUNK_LIST,
                            new ChainMessages.ListChunks(successorTarget, chainId, after, SYNC_PAGE).encode(),
                            RpcPayload.NONE,
                            node.config.forwardTimeoutMillis())
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
                node.config.nodeId(),
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
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(node.config.forwardTimeoutMillis());
        while (true) {
            boolean older = false;
            for (StorageNode.Step step : node.steps)
                older |= step.chain.chainId() == chain.chainId() && step.chain.chainVersion() < chain.chainVersion();
            if (!older) return;
            if (System.nanoTime() - deadline > 0)
                throw new ChainFailure(
                        ChainStatus.BUSY,
                        "updates under versions of chain " + chain.chainId() + " older than " + chain.chainVersion()
                                + " still in flight after " + node.config.forwardTimeoutMillis() + " ms");
            Thread.sleep(1);
        }
    }

    private void syncChunk(
            ChunkEngine engine,
            RoutingTable.Chain chain,
            RoutingTable.Node successor,
            ChunkId id,
            ChainMessages.Listed theirs,
            StorageNode.SyncProgress progress)
            throws Exception {
        progress.scanned.incrementAndGet();
        CompletableFuture<Void> turn;
        while ((turn = node.locks.acquire(id)) == null) Thread.sleep(1);
        try {
            turn.get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            turn.thenRun(() -> node.locks.release(id));
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
                node.finishPending(engine, chain, successor, id, mine)
                        .get(2 * node.config.forwardTimeoutMillis(), TimeUnit.MILLISECONDS);
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
            try (RpcClient.Result r = node.peers
                    .get(successor)
                    .call(RpcMethod.CHUNK_UPDATE, request.encode(), data, node.config.forwardTimeoutMillis())
                    .get()) {
                UpdateReply reply = UpdateReply.decode(r.header());
                if (reply.status() != ChainStatus.OK)
                    throw new ChainFailure(reply.status(), "sync of chunk " + id + ": " + reply.message());
            }
        } finally {
            node.locks.release(id);
        }
    }
}
