package io.seabed.basestore.chain;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.chain.ChainMessages.Read;
import io.seabed.basestore.chain.ChainMessages.ReadReply;
import io.seabed.basestore.chunk.ChunkBlocks;
import io.seabed.basestore.chunk.ChunkEngine;
import io.seabed.basestore.chunk.ChunkInfo;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.basestore.rpc.RpcServer.Call;
import io.seabed.basestore.rpc.RpcServer.Reply;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A storage node's reads (DESIGN §4): any serving replica answers from its committed version, sent from the block
 * files without copying where it can; one holding a pending version answers DIRTY unless it is the tail, which
 * finishes that version and answers it. Part of {@link StorageNode}, whose state it uses.
 */
final class ChainReads {
    private static final int BLOCK = BaseStoreClient.CRC_BLOCK_BYTES;

    private final StorageNode node;

    ChainReads(StorageNode node) {
        this.node = node;
    }

    CompletableFuture<Reply> onRead(Call call) {
        Read r;
        try {
            r = Read.decode(call.header());
        } catch (IllegalArgumentException e) {
            return readReply(
                    ReadReply.failed(ChainStatus.INVALID_ARGUMENT, node.routing.version(), e.getMessage()), null);
        }
        return node.onWorker(
                () -> read(r, false),
                () -> readReply(
                        ReadReply.failed(
                                ChainStatus.BUSY,
                                node.routing.version(),
                                "node " + node.config.nodeId() + " work queue full"),
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
        CompletableFuture<Void> turn = node.locks.acquire(r.chunk());
        if (turn == null)
            return readReply(
                    ReadReply.failed(ChainStatus.BUSY, table.version(), "too many wait for chunk " + r.chunk()), null);
        return turn.thenComposeAsync(
                        locked -> {
                            RoutingTable.Chain now = node.routing.chain(chain.chainId());
                            if (now == null || now.chainVersion() != chain.chainVersion())
                                return CompletableFuture.<Void>completedFuture(null);
                            ChunkInfo info = engine.info(r.chunk());
                            if (info.pendingVersion() == 0) return CompletableFuture.<Void>completedFuture(null);
                            return node.finishPending(
                                    engine, now, node.successorOf(node.routing, now, target), r.chunk(), info);
                        },
                        node.workers)
                .whenComplete((done, e) -> node.locks.release(r.chunk()))
                .handleAsync(
                        (done, e) -> {
                            // Unfinished, the pending version may be committed (and read) at a former tail: the
                            // older committed one must not be answered.
                            if (e != null) {
                                ChainStatus status = StorageNode.statusOf(e);
                                return readReply(
                                        ReadReply.failed(
                                                status.retryable() ? status : ChainStatus.NOT_SERVING,
                                                node.routing.version(),
                                                "tail could not finish the pending version of chunk " + r.chunk() + ": "
                                                        + StorageNode.rootOf(e).getMessage()),
                                        null);
                            }
                            return read(r, true);
                        },
                        node.workers)
                .thenCompose(f -> f);
    }

    private CompletableFuture<Reply> read(Read r, boolean resolved) {
        RoutingTable table = node.routing;
        if (node.fenced())
            return readReply(
                    ReadReply.failed(
                            ChainStatus.NOT_SERVING,
                            table.version(),
                            "node " + node.config.nodeId() + " lost the manager and is node.fenced"),
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
        for (int t : chain.readers()) if (node.targets.containsKey(t)) target = t;
        if (target < 0)
            return readReply(
                    ReadReply.failed(
                            ChainStatus.NOT_SERVING,
                            table.version(),
                            "node " + node.config.nodeId() + " serves no replica of chain " + r.chainId()),
                    null);
        if (r.offset() < 0 || r.length() < 0 || (long) r.offset() + r.length() > BaseStoreClient.CHUNK_BYTES_MAX)
            return readReply(
                    ReadReply.failed(
                            ChainStatus.OUT_OF_RANGE, table.version(), "range " + r.offset() + "+" + r.length()),
                    null);
        ChunkEngine engine = node.targets.get(target);
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

    private static CompletableFuture<Reply> readReply(ReadReply reply, ByteBuf data) {
        return CompletableFuture.completedFuture(
                new Reply(reply.encode(), data == null ? RpcPayload.NONE : new RpcPayload.Bytes(data)));
    }
}
