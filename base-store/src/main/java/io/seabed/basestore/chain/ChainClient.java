package io.seabed.basestore.chain;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkId;
import io.seabed.basestore.ChunkRef;
import io.seabed.basestore.Rendezvous;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.UpdateTag;
import io.seabed.basestore.chain.ChainMessages.Read;
import io.seabed.basestore.chain.ChainMessages.ReadReply;
import io.seabed.basestore.chain.ChainMessages.Update;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainMessages.UpdateReply;
import io.seabed.basestore.chunk.BlockCrcs;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage client over CRAQ chains: places each chunk on a chain by rendezvous hashing of its id, sends
 * updates to the chain's head and reads to any serving replica (a DIRTY answer sends the read to the tail),
 * checks every block's CRC32C at the reader, and on a stale-routing or unreachable-node answer refreshes
 * its routing and retries, a bounded number of times with growing pauses. Updates carry (client id,
 * channel, sequence) so a retry applies once.
 *
 * <p>Thread safety: all methods from any thread; they block (never call them from an event loop).
 */
public final class ChainClient implements BaseStoreClient {
    private static final Logger LOG = LoggerFactory.getLogger(ChainClient.class);

    /**
     * @param attemptsMax tries per request before the error reaches the caller
     * @param backoffMillis pause after the first failed try; doubles per try, up to 1 s
     * @param callTimeoutMillis deadline of one update try (it waits for the whole chain)
     * @param readTimeoutMillis deadline of one read try: a replica that does not answer in time (a paused
     *     process accepts connections and answers nothing) is left for another
     */
    public record Config(int attemptsMax, long backoffMillis, long callTimeoutMillis, long readTimeoutMillis) {
        public Config {
            if (attemptsMax < 1) throw new IllegalArgumentException("attemptsMax=" + attemptsMax);
            if (backoffMillis < 0) throw new IllegalArgumentException("backoffMillis=" + backoffMillis);
            if (callTimeoutMillis < 1) throw new IllegalArgumentException("callTimeoutMillis=" + callTimeoutMillis);
            if (readTimeoutMillis < 1) throw new IllegalArgumentException("readTimeoutMillis=" + readTimeoutMillis);
        }

        /** Reads with the same deadline as updates. */
        public Config(int attemptsMax, long backoffMillis, long callTimeoutMillis) {
            this(attemptsMax, backoffMillis, callTimeoutMillis, callTimeoutMillis);
        }

        /**
         * 14 tries, the pauses between them doubling from 20 ms up to 1 s (8.3 s of pauses in all, longer than a
         * manager takeover: about 3 s without a serving node, from the nodes' fence to the new primary's first
         * answer); 30 s per update try, 5 s per read try (a 64 MiB chunk read takes well under a second from a
         * healthy replica).
         */
        public static Config defaults() {
            return new Config(14, 20, 30_000, 5_000);
        }
    }

    private final Config config;
    private final RoutingSource routing;
    private final Peers peers;
    private final long clientId;
    private final AtomicLong seq = new AtomicLong();
    private final LongAdder updateRetries = new LongAdder();
    private final LongAdder readRetries = new LongAdder();
    private final LongAdder chunkWrites = new LongAdder();
    private final LongAdder chunkBytesWritten = new LongAdder();
    private final LongAdder dirtyReads = new LongAdder();
    private final LongAdder corruptReads = new LongAdder();
    private volatile boolean closed;

    public ChainClient(RoutingSource routing, Config config) {
        this.config = config;
        this.routing = routing;
        this.peers = new Peers(RpcClient.Config.defaults(), 1, "chain-client", 200);
        long id;
        do id = new SecureRandom().nextLong();
        while (id == 0);
        this.clientId = id;
    }

    /** The chain a new chunk with {@code id} goes to under the current routing. */
    public int chainFor(ChunkId id) {
        int[] chains = routing.current().chainIds();
        if (chains.length == 0) throw new StorageException(Reason.NOT_ENOUGH_TARGETS, "routing has no chains");
        return Rendezvous.top(id, chains);
    }

    @Override
    public ChunkRef writeChunk(ChunkId id, ByteBuffer data) {
        if (data.remaining() > CHUNK_BYTES_MAX)
            throw new StorageException(
                    Reason.INVALID_ARGUMENT,
                    "chunk " + id + " lengthBytes=" + data.remaining() + " > " + CHUNK_BYTES_MAX);
        int chainId = chainFor(id);
        int length = data.remaining();
        update(chainId, id, UpdateKind.REPLACE, 0, data);
        chunkWrites.increment();
        chunkBytesWritten.add(length);
        return ChunkRef.onChain(id, length, chainId);
    }

    /**
     * Applies one update to chunk {@code id} on chain {@code chainId} and returns the chunk version it
     * made. {@code data} (position to limit) is the whole content for REPLACE, the bytes written for
     * WRITE_AT at {@code offset}; TRUNCATE cuts or extends to {@code offset}; REMOVE drops the chunk.
     */
    public long update(int chainId, ChunkId id, UpdateKind kind, int offset, ByteBuffer data) {
        checkOpen();
        UpdateTag tag = new UpdateTag(clientId, 0, seq.incrementAndGet());
        StorageException last = null;
        long stale = -1;
        for (int attempt = 0; attempt < config.attemptsMax(); attempt++) {
            RoutingTable table = tableFor(attempt, stale, false);
            RoutingTable.Chain chain = table.chain(chainId);
            if (chain == null) throw new StorageException(Reason.INVALID_ARGUMENT, "no chain " + chainId);
            List<Integer> path = chain.writePath();
            if (path.isEmpty()) {
                last = new StorageException(
                        Reason.NOT_ENOUGH_TARGETS, "chain " + chainId + " has no member in its write path");
                stale = table.version();
                continue;
            }
            RoutingTable.Node head = table.nodeOf(path.getFirst());
            Update request = new Update(chainId, chain.chainVersion(), id, tag, kind, offset, 0);
            RpcPayload payload = data == null || !data.hasRemaining()
                    ? RpcPayload.NONE
                    : new RpcPayload.Bytes(Unpooled.wrappedBuffer(data.duplicate()));
            try (RpcClient.Result result =
                    call(head, RpcMethod.CHUNK_UPDATE, request.encode(), payload, config.callTimeoutMillis())) {
                UpdateReply reply = UpdateReply.decode(result.header());
                if (reply.status() == ChainStatus.OK) return reply.version();
                last = new StorageException(
                        reply.status().reason(), "chunk " + id + " on chain " + chainId + ": " + reply.message());
                if (!reply.status().retryable()) throw last;
            } catch (RpcException e) {
                last = new StorageException(
                        Reason.TARGET_OFFLINE, "chunk " + id + ": head node " + head.nodeId() + ": " + e.getMessage());
            }
            stale = table.version();
            updateRetries.increment();
        }
        throw new StorageException(
                last.reason() == Reason.TARGET_OFFLINE ? Reason.NOT_ENOUGH_TARGETS : last.reason(),
                "gave up after " + config.attemptsMax() + " tries: " + last.getMessage(),
                last);
    }

    @Override
    public void readChunk(ChunkRef ref, int offsetBytes, ByteBuffer output) {
        if (ref.chainId() == 0)
            throw new StorageException(Reason.INVALID_ARGUMENT, ref + " names local targets; this store reads chains");
        int length = output.remaining();
        if (offsetBytes < 0 || offsetBytes > ref.lengthBytes() || length > ref.lengthBytes() - offsetBytes)
            throw new StorageException(
                    Reason.OUT_OF_RANGE,
                    "chunk " + ref.id() + ": offsetBytes=" + offsetBytes + " + " + length + " B > lengthBytes="
                            + ref.lengthBytes());
        if (length == 0) return;
        read(ref.chainId(), ref.id(), offsetBytes, output);
    }

    /**
     * Reads {@code output.remaining()} bytes of the chunk's committed content from {@code offset} and
     * returns the chunk version read; fewer bytes are read when the chunk is shorter (output's position
     * says how many).
     */
    public long read(int chainId, ChunkId id, int offset, ByteBuffer output) {
        checkOpen();
        StorageException last = null;
        long stale = -1;
        boolean toTail = false;
        int dirtyHops = 0;
        int spread = (int) (id.low() ^ (id.low() >>> 32) ^ id.high());
        for (int attempt = 0; attempt < config.attemptsMax(); attempt++) {
            RoutingTable table = tableFor(attempt, stale, toTail);
            RoutingTable.Chain chain = table.chain(chainId);
            if (chain == null) throw new StorageException(Reason.INVALID_ARGUMENT, "no chain " + chainId);
            List<Integer> readers = chain.readers();
            if (readers.isEmpty()) {
                last = new StorageException(Reason.NOT_ENOUGH_TARGETS, "chain " + chainId + " has no serving member");
                stale = table.version();
                continue;
            }
            int target = toTail ? chain.tail() : readers.get(Math.floorMod(spread + attempt, readers.size()));
            toTail = false;
            RoutingTable.Node node = table.nodeOf(target);
            Read request = new Read(chainId, chain.chainVersion(), id, offset, output.remaining());
            try (RpcClient.Result result =
                    call(node, RpcMethod.CHUNK_READ, request.encode(), RpcPayload.NONE, config.readTimeoutMillis())) {
                ReadReply reply = ReadReply.decode(result.header());
                switch (reply.status()) {
                    case OK -> {
                        deliver(id, target, reply, result.payload(), offset, output);
                        return reply.version();
                    }
                    case DIRTY -> {
                        dirtyReads.increment();
                        toTail = true;
                        // The hop to the tail is part of this try, not a new one: a dead tail must not use up the
                        // tries (two per pause) before the routing moves on. Bounded by attemptsMax hops.
                        if (dirtyHops++ < config.attemptsMax()) attempt--;
                        continue;
                    }
                    default -> {
                        last = new StorageException(
                                reply.status().reason(),
                                "chunk " + id + " at target " + target + ": " + reply.message());
                        if (!reply.status().retryable()
                                && reply.status() != ChainStatus.CORRUPT
                                && reply.status() != ChainStatus.IO_ERROR) throw last;
                    }
                }
            } catch (RpcException e) {
                last = new StorageException(
                        Reason.TARGET_OFFLINE, "chunk " + id + ": node " + node.nodeId() + ": " + e.getMessage());
            } catch (StorageException e) {
                if (e.reason() != Reason.CORRUPT) throw e;
                last = e;
            }
            stale = table.version();
            readRetries.increment();
        }
        throw new StorageException(
                last == null ? Reason.IO_ERROR : last.reason(),
                "gave up reading chunk " + id + " after " + config.attemptsMax() + " tries",
                last);
    }

    /** Checks the blocks received against their CRCs and copies the requested part into output. */
    private void deliver(ChunkId id, int target, ReadReply reply, ByteBuf payload, int offset, ByteBuffer output) {
        ByteBuffer received = payload.nioBuffer();
        int expected = Math.min(
                reply.lengthBytes() - reply.blockFirst() * CRC_BLOCK_BYTES, reply.crcs().length * CRC_BLOCK_BYTES);
        if (received.remaining() != Math.max(expected, 0))
            throw new StorageException(
                    Reason.CORRUPT,
                    "chunk " + id + " at target " + target + ": " + received.remaining() + " B received, " + expected
                            + " expected");
        int bad = BlockCrcs.firstMismatch(received, 0, reply.crcs());
        if (bad >= 0) {
            corruptReads.increment();
            LOG.warn(
                    "chunk {} block {} from target {} fails CRC32C at the reader",
                    id,
                    reply.blockFirst() + bad,
                    target);
            throw new StorageException(
                    Reason.CORRUPT,
                    "chunk " + id + " block " + (reply.blockFirst() + bad) + " from target " + target
                            + " fails CRC32C");
        }
        // The blocks must reach the end of the range asked for, or the chunk's end: a reply that stops short
        // (its length and its blocks from different versions) would pass for a shorter chunk.
        long covered = (long) reply.blockFirst() * CRC_BLOCK_BYTES + received.remaining();
        long needed = Math.min((long) offset + output.remaining(), reply.lengthBytes());
        if (covered < needed)
            throw new StorageException(
                    Reason.CORRUPT,
                    "chunk " + id + " at target " + target + ": blocks end at " + covered + " B, the chunk of "
                            + reply.lengthBytes() + " B was asked for up to " + needed);
        int skip = offset - reply.blockFirst() * CRC_BLOCK_BYTES;
        int take = Math.max(0, Math.min(output.remaining(), received.remaining() - skip));
        output.put(output.position(), received, received.position() + skip, take);
        output.position(output.position() + take);
    }

    @Override
    public void deleteChunk(ChunkRef ref) {
        if (ref.chainId() == 0)
            throw new StorageException(
                    Reason.INVALID_ARGUMENT, ref + " names local targets; this store deletes on chains");
        update(ref.chainId(), ref.id(), UpdateKind.REMOVE, 0, null);
    }

    /** Removes {@code id} from every chain: its placement was never recorded (the collector's intents). */
    @Override
    public void deleteChunkAnywhere(ChunkId id) {
        StorageException failure = null;
        for (int chainId : routing.current().chainIds()) {
            try {
                update(chainId, id, UpdateKind.REMOVE, 0, null);
            } catch (StorageException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    /** The longest write path of any chain: how many copies a chunk gets. */
    @Override
    public int replicas() {
        int most = 0;
        for (RoutingTable.Chain c : routing.current().chains().values())
            most = Math.max(most, c.writePath().size());
        return most;
    }

    /** Chunks written by {@link #writeChunk} (each once, whatever its replica count). */
    public long chunkWrites() {
        return chunkWrites.sum();
    }

    public long chunkBytesWritten() {
        return chunkBytesWritten.sum();
    }

    /** Tries repeated after a stale routing, an unreachable node, a busy node or a bad replica. */
    public long retries() {
        return updateRetries.sum() + readRetries.sum();
    }

    /** Update tries repeated. */
    public long updateRetries() {
        return updateRetries.sum();
    }

    /** Read tries repeated (another replica, the tail, or after a refresh). */
    public long readRetries() {
        return readRetries.sum();
    }

    public long dirtyReads() {
        return dirtyReads.sum();
    }

    public long corruptReads() {
        return corruptReads.sum();
    }

    private RpcClient.Result call(
            RoutingTable.Node node, RpcMethod method, byte[] header, RpcPayload payload, long timeoutMillis) {
        RpcClient client;
        try {
            client = peers.get(node);
        } catch (RpcException e) {
            RpcPayload.release(payload);
            throw e;
        }
        java.util.concurrent.CompletableFuture<RpcClient.Result> call =
                client.call(method, header, payload, timeoutMillis);
        try {
            return call.get(timeoutMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RpcException r) throw r;
            throw new RpcException(RpcException.Code.INTERNAL, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            // A reply arriving later is released by the RPC client, as the call is no longer wanted.
            call.cancel(false);
            throw new RpcException(RpcException.Code.DEADLINE_EXCEEDED, method + " to node " + node.nodeId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(Reason.IO_ERROR, "interrupted calling node " + node.nodeId(), e);
        }
    }

    /**
     * The routing for try {@code attempt}. After a failed try ({@code stale} is the version it used) a newer
     * table is used at once: the manager has moved the chain on, so backing off first would only delay the
     * write. Without one the client backs off, unless {@code noPause}, and asks again.
     */
    private RoutingTable tableFor(int attempt, long stale, boolean noPause) {
        if (stale < 0) return routing.current();
        RoutingTable fresh = routing.refresh(stale);
        if (attempt == 0 || noPause || fresh.version() > stale) return fresh;
        pause(attempt);
        return routing.refresh(stale);
    }

    private void pause(int attempt) {
        long millis = Math.min(1_000, config.backoffMillis() << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(Reason.IO_ERROR, "interrupted between tries", e);
        }
    }

    private void checkOpen() {
        if (closed) throw new StorageException(Reason.CLOSED, "chain client closed");
    }

    @Override
    public void close() {
        closed = true;
        peers.close();
    }
}
