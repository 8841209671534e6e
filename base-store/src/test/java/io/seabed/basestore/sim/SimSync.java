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
                .forEach((c, s) -> out.put(
                        c,
                        new Listed(
                                s.committedVersion(),
                                s.committedValue(),
                                s.pendingVersion(),
                                s.recentTags().digest())));
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
     * StorageNode.sync: fills this node's SYNCING successor — first waits until no update admitted here under an
     * older version of the chain is still in flight (at most {@link SimNode#FORWARD_TIMEOUT_MICROS}, else it
     * fails: such an update may yet commit here, unforwarded, a chunk the listing would miss), lists its chunks,
     * then per chunk, holding the lock, finishes a pending version (sent whole to the target, then committed) and
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
        long deadline = node.events.now() + SimNode.FORWARD_TIMEOUT_MICROS;
        whenOlderUpdatesEnded(chain, deadline, false, () -> list(chain, successorTarget, successor, done), done);
    }

    /**
     * Runs {@code then} once no update admitted under a version of {@code chain} older than its own is in flight
     * here (checked every millisecond); fails the sync with BUSY if that takes past {@code deadline}.
     */
    private void whenOlderUpdatesEnded(
            RoutingTable.Chain chain, long deadline, boolean waited, Runnable then, Consumer<ChainStatus> done) {
        if (!node.olderUpdatesInFlight(chain.chainId(), chain.chainVersion())) {
            if (waited) node.stats.syncWaits++;
            then.run();
            return;
        }
        if (node.events.now() >= deadline) {
            node.stats.syncWaitTimeouts++;
            if (node.events.tracing)
                node.trace("sync of chain " + chain.chainId() + " v" + chain.chainVersion()
                        + ": updates of an older chain version still in flight");
            done.accept(ChainStatus.BUSY);
            return;
        }
        if (!waited && node.events.tracing)
            node.trace("sync of chain " + chain.chainId() + " v" + chain.chainVersion()
                    + " waits for updates of an older chain version");
        node.net.runOn(node.host, 1_000, () -> whenOlderUpdatesEnded(chain, deadline, true, then, done));
    }

    private void list(
            RoutingTable.Chain chain, int successorTarget, SimNetwork.Host successor, Consumer<ChainStatus> done) {
        int chainId = chain.chainId();
        if (node.routing().chain(chainId).chainVersion() != chain.chainVersion()) {
            done.accept(ChainStatus.STALE_ROUTING);
            return;
        }
        TreeSet<Integer> ids = new TreeSet<>(node.disk.chunksOf(chainId).keySet());
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

    /**
     * One chunk, holding its lock: a pending version here is finished first, as the head's finishPending does
     * (sent whole to the syncing target as a forwarded update at that version, then committed here; a failure
     * fails the sync), since a former tail may have committed it, or it is all this replica holds of the chunk.
     * Then the committed version as before.
     */
    private void syncChunk(
            RoutingTable.Chain chain, SimNetwork.Host successor, int chunk, Listed theirs, Consumer<ChainStatus> done) {
        ChunkState mine = node.disk.info(chunk);
        if (mine.exists() && mine.chainId() != chain.chainId()) {
            done.accept(ChainStatus.OK);
            return;
        }
        if (mine.pendingVersion() == 0) {
            syncCommitted(chain, successor, chunk, theirs, done);
            return;
        }
        node.stats.syncFinishes++;
        if (node.events.tracing)
            node.trace("sync of chain " + chain.chainId() + " v" + chain.chainVersion() + " finishes chunk " + chunk
                    + " first: " + mine);
        node.finishPending(chain, successor, chunk, mine, (s, v) -> {
            if (s != ChainStatus.OK) done.accept(s);
            else syncCommitted(chain, successor, chunk, theirs, done);
        });
    }

    /**
     * Sends the committed version whole unless the target listed the same one with nothing pending; removes a
     * chunk only the target holds.
     */
    private void syncCommitted(
            RoutingTable.Chain chain, SimNetwork.Host successor, int chunk, Listed theirs, Consumer<ChainStatus> done) {
        ChunkState mine = node.disk.info(chunk);
        Update request;
        if (mine.committedVersion() == 0) {
            if (theirs == null) {
                done.accept(ChainStatus.OK);
                return;
            }
            request = new Update(
                    chain.chainId(), chain.chainVersion(), chunk, 0, UpdateKind.REMOVE, Update.FORWARDED_REMOVE, 0);
        } else {
            if (theirs != null
                    && theirs.committedVersion() == mine.committedVersion()
                    && theirs.digest() == mine.committedValue()
                    && theirs.tagsDigest() == mine.recentTags().digest()
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
                    mine.committedValue(),
                    mine.recentTags());
        }
        node.net.call(node.host, successor, request, SimNode.FORWARD_TIMEOUT_MICROS, reply -> {
            if (!(reply instanceof UpdateReply r)) done.accept(ChainStatus.IO_ERROR);
            else done.accept(r.status());
        });
    }
}
