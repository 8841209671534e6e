package io.seabed.basestore.chain;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * Checks, chain by chain, that every serving replica holds the same committed version of every chunk with
 * the same bytes (by the digest of its block CRCs, which each target computed from the bytes it wrote).
 * Listings are paged (at most {@link #PAGE} entries per replica in memory at once). A chunk with a pending
 * version on some replica is being written: it is counted as in flight, not as a mismatch.
 *
 * <p>Not thread-safe: one verify per instance.
 */
public final class ChainVerifier implements AutoCloseable {
    static final int PAGE = 1024;
    private static final long CALL_TIMEOUT_MILLIS = 30_000;

    /** A chunk whose serving replicas disagree: each target's "version/digest" ("missing" when absent). */
    public record Mismatch(int chainId, ChunkId chunk, Map<Integer, String> replicas) {}

    public record Report(int chains, long chunks, long inFlight, List<Mismatch> mismatches) {
        public boolean identical() {
            return mismatches.isEmpty();
        }
    }

    private final Peers peers = new Peers(RpcClient.Config.defaults(), 1, "verify", 200);

    /**
     * Verifies every chain of {@code table}; {@code progress} receives the number of chunks checked so far
     * after each page. Mismatches beyond {@code mismatchesMax} are counted in {@code chunks} but not listed.
     *
     * @throws RpcException when a serving replica cannot be listed
     */
    public Report verify(RoutingTable table, int mismatchesMax, LongConsumer progress) {
        long chunks = 0;
        long inFlight = 0;
        List<Mismatch> mismatches = new ArrayList<>();
        for (RoutingTable.Chain chain : table.chains().values()) {
            List<Integer> replicas = chain.readers();
            if (replicas.isEmpty()) continue;
            ChunkId after = null;
            while (true) {
                Map<Integer, TreeMap<ChunkId, ChainMessages.Listed>> pages = new LinkedHashMap<>();
                ChunkId bound = null;
                for (int target : replicas) {
                    Page page = list(table, target, chain.chainId(), after);
                    TreeMap<ChunkId, ChainMessages.Listed> byId = new TreeMap<>(ChunkEngine::compareIds);
                    for (ChainMessages.Listed l : page.entries) byId.put(l.id(), l);
                    pages.put(target, byId);
                    if (page.full && (bound == null || ChunkEngine.compareIds(page.cursor, bound) < 0))
                        bound = page.cursor;
                }
                java.util.TreeSet<ChunkId> ids = new java.util.TreeSet<>(ChunkEngine::compareIds);
                for (TreeMap<ChunkId, ChainMessages.Listed> byId : pages.values()) ids.addAll(byId.keySet());
                for (ChunkId id : ids) {
                    if (bound != null && ChunkEngine.compareIds(id, bound) > 0) break;
                    chunks++;
                    Map<Integer, String> states = new LinkedHashMap<>();
                    boolean pending = false;
                    String first = null;
                    boolean differ = false;
                    for (int target : replicas) {
                        ChainMessages.Listed l = pages.get(target).get(id);
                        String state = l == null || l.committedVersion() == 0
                                ? "missing"
                                : l.committedVersion() + "/" + Long.toHexString(l.digest());
                        pending |= l != null && l.pendingVersion() != 0;
                        states.put(target, state);
                        if (first == null) first = state;
                        else differ |= !first.equals(state);
                    }
                    if (!differ) continue;
                    if (pending) inFlight++;
                    else if (mismatches.size() < mismatchesMax)
                        mismatches.add(new Mismatch(chain.chainId(), id, states));
                }
                progress.accept(chunks);
                if (bound == null) break;
                after = bound;
            }
        }
        return new Report(table.chains().size(), chunks, inFlight, mismatches);
    }

    private record Page(List<ChainMessages.Listed> entries, boolean full, ChunkId cursor) {}

    private Page list(RoutingTable table, int target, int chainId, ChunkId after) {
        RoutingTable.Node node = table.nodeOf(target);
        try (RpcClient.Result r = peers.get(node)
                .call(
                        RpcMethod.CHUNK_LIST,
                        new ChainMessages.ListChunks(target, chainId, after, PAGE).encode(),
                        RpcPayload.NONE,
                        CALL_TIMEOUT_MILLIS)
                .get(CALL_TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS)) {
            ChainMessages.ListReply reply = ChainMessages.ListReply.decode(r.header());
            if (reply.status() != ChainStatus.OK)
                throw new RpcException(
                        RpcException.Code.INTERNAL,
                        "listing target " + target + ": " + reply.status() + " " + reply.message());
            return new Page(ChainMessages.Listed.decodeAll(r.payload().nioBuffer()), reply.full(), reply.cursor());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RpcException rpc) throw rpc;
            throw new RpcException(RpcException.Code.INTERNAL, "listing target " + target + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new RpcException(RpcException.Code.DEADLINE_EXCEEDED, "listing target " + target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(RpcException.Code.CLOSED, "interrupted");
        }
    }

    @Override
    public void close() {
        peers.close();
    }
}
