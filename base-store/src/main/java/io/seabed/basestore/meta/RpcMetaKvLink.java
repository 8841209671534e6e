package io.seabed.basestore.meta;

import io.netty.buffer.ByteBuf;
import io.seabed.basestore.chain.Peers;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcException;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.MetaKvLink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@link MetaKvLink} over the data-plane RPC to the {@link MetaKvService} of each member: one connection per
 * member (opened on first use, reopened after it closed), each call with its own deadline.
 *
 * <p>Errors follow the {@link MetaKvLink} contract. A member's answer keeps its reason. Transport failures: a
 * connection that cannot be opened, a call this side refused before sending it (BUSY: too many bytes in flight)
 * and a member's full queue (BUSY) are UNAVAILABLE, since nothing was sent or done. Once a commit may have been
 * sent, a missing, late, broken or unreadable answer is TIMEOUT (the commit may have applied); for the reads
 * and validations, which change nothing, it is UNAVAILABLE.
 *
 * <p>Thread safety: any thread; calls block for at most their deadline plus {@link #GRACE_MILLIS}.
 */
public final class RpcMetaKvLink implements MetaKvLink {
    /** Deadline of a read, read version or validation. */
    public static final long READ_MILLIS_DEFAULT = 5_000;
    /**
     * Deadline of a commit: a leader answers within its own commit timeout, or fails at once when it steps down;
     * past this a client stops waiting (TIMEOUT) rather than hold an S3 request for the member's full 30 s.
     */
    public static final long COMMIT_MILLIS_DEFAULT = 15_000;
    /** Extra wait beyond a call's deadline for the RPC client to report it (it fails the call at the deadline). */
    static final long GRACE_MILLIS = 500;
    /** A member that refused a connection is not dialled again for this long (its calls fail at once). */
    static final long RECONNECT_MILLIS = 200;
    /** Connect timeout: members are on the same network; a longer wait is a member that is down. */
    static final int CONNECT_MILLIS = 2_000;

    private static final byte[] NO_HEADER = new byte[0];

    private final List<RoutingTable.Node> members;
    private final long readMillis;
    private final long commitMillis;
    private final Peers peers;

    /**
     * @param members the RPC address ({@code host:port}) of each member's {@link MetaKvService}, in member order
     */
    public RpcMetaKvLink(List<String> members, long readMillis, long commitMillis) {
        if (members.isEmpty()) throw new IllegalArgumentException("no meta-kv members");
        if (readMillis < 1 || commitMillis < 1)
            throw new IllegalArgumentException("readMillis=" + readMillis + ", commitMillis=" + commitMillis);
        List<RoutingTable.Node> nodes = new ArrayList<>();
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            if (colon <= 0 || colon == m.length() - 1)
                throw new IllegalArgumentException("meta-kv member " + m + ": not host:port");
            nodes.add(new RoutingTable.Node(0, m.substring(0, colon), Integer.parseInt(m.substring(colon + 1))));
        }
        this.members = List.copyOf(nodes);
        this.readMillis = readMillis;
        this.commitMillis = commitMillis;
        RpcClient.Config rpc = new RpcClient.Config(
                1,
                MetaKvWire.REPLY_BYTES_MAX + MetaKvWire.FRAME_OVERHEAD_BYTES,
                RpcClient.Config.defaults().inFlightBytesMax(),
                CONNECT_MILLIS);
        this.peers = new Peers(rpc, 1, "meta-kv-link", RECONNECT_MILLIS);
    }

    /** With the default deadlines. */
    public RpcMetaKvLink(List<String> members) {
        this(members, READ_MILLIS_DEFAULT, COMMIT_MILLIS_DEFAULT);
    }

    @Override
    public int members() {
        return members.size();
    }

    @Override
    public long readVersion(int member) {
        return call(member, RpcMethod.META_READ_VERSION, new byte[0], ByteBuf::readLong);
    }

    @Override
    public byte[] get(int member, byte[] key) {
        MetaKvWire.checkRequest(key.length);
        return call(member, RpcMethod.META_GET, key, MetaKvWire::decodeValue);
    }

    @Override
    public List<byte[]> multiGet(int member, List<byte[]> keys) {
        return call(
                member,
                RpcMethod.META_MULTI_GET,
                MetaKvWire.encodeKeys(keys),
                in -> MetaKvWire.decodeValues(in, keys.size()));
    }

    @Override
    public List<KeyValue> scan(int member, byte[] from, byte[] to, int limit, boolean reverse) {
        byte[] request = MetaKvWire.encodeScan(from, to, limit, reverse);
        return call(member, RpcMethod.META_SCAN, request, in -> MetaKvWire.decodeEntries(in, limit));
    }

    @Override
    public byte[] commit(int member, byte[] txn) {
        MetaKvWire.checkRequest(txn.length);
        return call(member, RpcMethod.META_COMMIT, txn, RpcMetaKvLink::rest);
    }

    @Override
    public byte[] validate(int member, byte[] txn) {
        MetaKvWire.checkRequest(txn.length);
        return call(member, RpcMethod.META_VALIDATE, txn, RpcMetaKvLink::rest);
    }

    private static byte[] rest(ByteBuf in) {
        byte[] b = new byte[in.readableBytes()];
        in.readBytes(b);
        return b;
    }

    /** Calls {@code method} at {@code member} and reads an OK reply's payload with {@code read}. */
    private <T> T call(int member, RpcMethod method, byte[] request, Function<ByteBuf, T> read) {
        boolean commit = method == RpcMethod.META_COMMIT;
        long millis = commit ? commitMillis : readMillis;
        RoutingTable.Node node = members.get(member);
        String where = "meta-kv member " + member + " at " + node.host() + ":" + node.port();
        RpcClient client;
        try {
            client = peers.get(node);
        } catch (RpcException e) {
            throw new MetaKvException(Reason.UNAVAILABLE, where + ": " + e.getMessage(), e);
        }
        CompletableFuture<RpcClient.Result> future = client.call(method, NO_HEADER, RpcPayload.of(request), millis);
        RpcClient.Result result;
        try {
            result = future.get(millis + GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new MetaKvException(unanswered(commit), where + ": interrupted waiting for " + method, e);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new MetaKvException(unanswered(commit), where + ": " + method + " not answered in " + millis + " ms");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof RpcException r))
                throw new MetaKvException(
                        unanswered(commit), where + ": " + method + ": " + e.getCause(), e.getCause());
            throw new MetaKvException(transportReason(r.code(), commit), where + ": " + r.getMessage(), r);
        }
        try (result) {
            byte[] header = result.header();
            if (header.length == 0)
                throw new MetaKvException(unanswered(commit), where + ": " + method + " reply without a status");
            if (header[0] != MetaKvWire.OK) {
                Reason reason = MetaKvWire.reason(header[0]);
                if (reason == null)
                    throw new MetaKvException(
                            unanswered(commit),
                            where + ": unknown status " + header[0] + ": " + MetaKvWire.message(header));
                throw new MetaKvException(reason, where + ": " + MetaKvWire.message(header));
            }
            try {
                return read.apply(result.payload());
            } catch (RuntimeException e) {
                throw new MetaKvException(unanswered(commit), where + ": malformed " + method + " reply: " + e, e);
            }
        }
    }

    /** A call that may have reached the member and has no usable answer. */
    private static Reason unanswered(boolean commit) {
        return commit ? Reason.TIMEOUT : Reason.UNAVAILABLE;
    }

    /** The reason of a call that failed in the transport (its code says whether it can have been delivered). */
    private static Reason transportReason(RpcException.Code code, boolean commit) {
        return switch (code) {
            // Refused by this client before sending, or by the member's full queue: nothing was done.
            case BUSY -> Reason.UNAVAILABLE;
            // The member does not serve meta-kv calls (another role or an older build): nothing was done.
            case UNKNOWN_METHOD -> Reason.UNAVAILABLE;
            // A request over a frame limit, refused before any handler saw it.
            case INVALID_ARGUMENT -> Reason.INVALID_ARGUMENT;
            // No answer, a lost connection, a damaged reply or a failed handler: the call may have been served.
            case DEADLINE_EXCEEDED, CLOSED, CORRUPT, BAD_FRAME, INTERNAL -> unanswered(commit);
        };
    }

    @Override
    public void close() {
        peers.close();
    }
}
