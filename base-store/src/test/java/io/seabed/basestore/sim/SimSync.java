package io.seabed.basestore.sim;

import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.PublicState;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.sim.SimDisk.ChunkState;
import io.seabed.basestore.sim.SimMessages.ListChunks;
import io.seabed.basestore.sim.SimMessages.ListReply;
import io.seabed.basestore.sim.SimMessages.Listed;
import io.seabed.basestore.sim.SimMessages.SyncStart;
import io.seabed.basestore.sim.SimMessages.Update;
import io.seabed.basestore.sim.SimMessages.UpdateReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The sync side of a {@link SimNode} (StorageNode's onList, onSyncStart, sync and syncChunk): listing a target's
 * chunks of a chain, and filling the node's SYNCING successor when the manager asks. The syncing target's side
 * ({@code syncReplace}) is an update rule in SimNode.
 */
final class SimSync {
    private final SimNode node;

    SimSync(SimNode node) {
        this.node = node;
    }

    void list(ListChunks l, Consumer<Object> reply) {
        if (l.targetId() != node.targetId) {
            reply.accept(new ListReply(ChainStatus.NOT_SERVING, Map.of()));
            return;
        }
        Map<Integer, Listed> out = new LinkedHashMap<>();
        node.disk
                .chunksOf(l.chainId())
                .forEach(
                        (c, s) -> out.put(c, new Listed(s.committedVersion(), s.committedValue(), s.pendingVersion())));
        reply.accept(new ListReply(ChainStatus.OK, out));
    }

    void syncStart(SyncStart s, Consumer<Object> reply) {
        // The manager sends the table it acts on: install it if newer than what heartbeats brought so far.
        node.setRouting(s.table());
        RoutingTable.Chain chain = node.routing().chain(s.chainId());
        if (chain == null || chain.chainVersion() != s.chainVersion()) {
            reply.accept(new UpdateReply(ChainStatus.STALE_ROUTING, 0));
            return;
        }
        if (node.fenced()) {
            reply.accept(new UpdateReply(ChainStatus.NOT_SERVING, 0));
            return;
        }
        sync(s.chainId(), status -> {
            if (node.events.tracing)
                node.trace("sync of chain " + s.chainId() + " v" + s.chainVersion() + ": " + status);
            reply.accept(new UpdateReply(status, 0));
        });
    }

    /**
     * StorageNode.sync: fills this node's SYNCING successor — lists its chunks, then per chunk, holding the lock,
     * sends the committed version whole where it differs (or removes a chunk this target lacks). Fails if the
     * chain changed before the listing, or on the first failed send.
     */
    private void sync(int chainId, Consumer<ChainStatus> done) {
        RoutingTable table = node.routing();
        RoutingTable.Chain chain = table.chain(chainId);
        List<Integer> path = chain.writePath();
        int index = path.indexOf(node.targetId);
        if (index < 0
                || index + 1 >= path.size()
                || chain.member(path.get(index + 1)).state() != PublicState.SYNCING) {
            done.accept(ChainStatus.NOT_SERVING);
            return;
        }
        int successorTarget = path.get(index + 1);
        SimNetwork.Host successor = node.hostOf(table, successorTarget);
        if (node.routing().chain(chainId).chainVersion() != chain.chainVersion()) {
            done.accept(ChainStatus.STALE_ROUTING);
            return;
        }
        TreeSet<Integer> ids = new TreeSet<>(node.disk.chunksOf(chainId).keySet());
        node.syncListed.put(chainId, Map.entry(chain.chainVersion(), Set.copyOf(ids)));
        node.net.call(
                node.host,
                successor,
                new ListChunks(successorTarget, chainId),
                SimNode.FORWARD_TIMEOUT_MICROS,
                reply -> {
                    if (!(reply instanceof ListReply theirs)) {
                        done.accept(ChainStatus.IO_ERROR);
                        return;
                    }
                    if (theirs.status() != ChainStatus.OK) {
                        done.accept(theirs.status());
                        return;
                    }
                    ids.addAll(theirs.chunks().keySet());
                    syncChunks(chain, successor, new ArrayList<>(ids), 0, theirs.chunks(), done);
                });
    }

    private void syncChunks(
            RoutingTable.Chain chain,
            SimNetwork.Host successor,
            List<Integer> ids,
            int i,
            Map<Integer, Listed> theirs,
            Consumer<ChainStatus> done) {
        if (i == ids.size()) {
            done.accept(ChainStatus.OK);
            return;
        }
        int chunk = ids.get(i);
        Runnable onTurn = () -> syncChunk(chain, successor, chunk, theirs.get(chunk), status -> {
            node.release(chunk);
            if (status != ChainStatus.OK) done.accept(status);
            else syncChunks(chain, successor, ids, i + 1, theirs, done);
        });
        tryLock(chunk, onTurn);
    }

    /** The sync's lock: it waits 1 ms and tries again while too many wait. */
    private void tryLock(int chunk, Runnable onTurn) {
        if (!node.acquire(chunk, onTurn)) node.net.runOn(node.host, 1_000, () -> tryLock(chunk, onTurn));
    }

    private void syncChunk(
            RoutingTable.Chain chain, SimNetwork.Host successor, int chunk, Listed theirs, Consumer<ChainStatus> done) {
        ChunkState mine = node.disk.info(chunk);
        if (mine.pendingVersion() > 0
                && (theirs == null || theirs.committedVersion() < mine.pendingVersion())
                && node.knownBugs.committedAnywhere(chunk, mine.pendingVersion()))
            // Bug D: the pending version here is committed elsewhere (at a former tail, maybe read there), but the
            // sync sends only the committed version and the syncing target drops its copy as an orphan: once it
            // serves, it answers the older version clean.
            node.knownBugs.reached(
                    "bug D: " + node.targetId + " syncs chunk " + chunk + " of chain " + chain.chainId() + " v"
                            + chain.chainVersion() + " holding " + mine + " (v" + mine.pendingVersion()
                            + " committed elsewhere), the syncing target has " + theirs);
        Update request;
        if (mine.exists() && mine.chainId() != chain.chainId()) {
            done.accept(ChainStatus.OK);
            return;
        }
        if (mine.committedVersion() == 0) {
            if (mine.pendingVersion() > 0 && theirs != null && theirs.pendingVersion() > 0)
                // Bug F: the syncing target keeps a pending version of its own (an orphan: it commits at once as the
                // last replica); once it serves as the tail, a read commits it, while this replica holds another.
                node.knownBugs.reached(
                        "bug F: " + node.targetId + " skips chunk " + chunk + " of chain " + chain.chainId()
                                + " v" + chain.chainVersion() + " holding " + mine + "; the syncing target keeps its "
                                + theirs);
            if (mine.pendingVersion() > 0 || theirs == null) {
                done.accept(ChainStatus.OK);
                return;
            }
            request = new Update(
                    chain.chainId(), chain.chainVersion(), chunk, 0, UpdateKind.REMOVE, Update.FORWARDED_REMOVE, 0);
        } else {
            if (theirs != null
                    && theirs.committedVersion() == mine.committedVersion()
                    && theirs.digest() == mine.committedValue()
                    && theirs.pendingVersion() == 0) {
                done.accept(ChainStatus.OK);
                return;
            }
            request = new Update(
                    chain.chainId(),
                    chain.chainVersion(),
                    chunk,
                    mine.committedTag(),
                    UpdateKind.SYNC_REPLACE,
                    mine.committedVersion(),
                    mine.committedValue());
        }
        node.net.call(node.host, successor, request, SimNode.FORWARD_TIMEOUT_MICROS, reply -> {
            if (!(reply instanceof UpdateReply r)) done.accept(ChainStatus.IO_ERROR);
            else done.accept(r.status());
        });
    }
}
