package io.seabed.metakv.internal;

import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis server of one meta-kv node, a group of one member for now (DESIGN §2), and the
 * in-process submission of decided batches through {@link RaftServer#submitClientRequestAsync}
 * (as Ozone's OzoneManagerRatisServer does): no RaftClient, no network hop.
 *
 * <p>Thread safety: {@link #submit} from any thread.
 */
final class RaftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    private static final String IDS_FILE = "meta-kv.ids";
    /** Pending writes Ratis admits before it answers ResourceUnavailable (backpressure, not OOM). */
    static final int PENDING_WRITES_MAX = 4096;

    static final long PENDING_WRITE_BYTES_MAX = 256L << 20;

    private final RaftServer server;
    private final RaftGroupId groupId;
    private final RaftPeerId peerId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final KvStateMachine stateMachine;

    /** Transactions one group entry carries at most. */
    static final int GROUP_TXNS_MAX = 512;
    /**
     * Group entries in the log at once. While they are written and applied, new transactions queue and go
     * together in the next group: the fewer in flight, the larger the groups under load.
     */
    static final int GROUPS_IN_FLIGHT_MAX = 2;

    private record Pending(PreparedTxn txn, CompletableFuture<ByteBuffer> reply, long deadlineNanos) {}

    /** How often {@link #failExpired} looks for transactions past their deadline. */
    static final long DEADLINE_SWEEP_MILLIS = 10;

    private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(PENDING_WRITES_MAX);
    private final Semaphore groupsInFlight = new Semaphore(GROUPS_IN_FLIGHT_MAX);
    private final Thread committer;
    private final Thread deadlines;
    /** In a group of several: starts and stops the resolver as this member gains and loses the lead. */
    private final Thread leadership;

    /** How often {@link #watchLeadership} looks at this member's role. */
    static final long LEADERSHIP_POLL_MILLIS = 5;
    /** Groups submitted to Ratis and not yet answered. */
    private final Set<Waiting> groupsWaiting = ConcurrentHashMap.newKeySet();

    /** A group in {@link #groupsWaiting}: identity equality, so adding and removing never hashes the group. */
    private static final class Waiting {
        final List<Pending> group;

        Waiting(List<Pending> group) {
            this.group = group;
        }
    }

    private final LongAdder groupsSubmitted = new LongAdder();
    private final LongAdder txnsSubmitted = new LongAdder();
    private final LongAdder groupNanos = new LongAdder();
    private volatile boolean closing;

    private RaftNode(
            RaftServer server, RaftGroupId groupId, RaftPeerId peerId, KvStateMachine stateMachine, boolean grouped) {
        this.server = server;
        this.groupId = groupId;
        this.peerId = peerId;
        this.stateMachine = stateMachine;
        this.leadership = grouped
                ? Thread.ofPlatform().name("meta-kv-leadership").daemon(true).unstarted(this::watchLeadership)
                : null;
        if (leadership != null) leadership.start();
        this.committer =
                Thread.ofPlatform().name("meta-kv-group-commit").daemon(true).unstarted(this::commitGroups);
        committer.start();
        this.deadlines =
                Thread.ofPlatform().name("meta-kv-deadlines").daemon(true).unstarted(this::failExpired);
        deadlines.start();
    }

    /** Starts the server (RECOVER when its storage exists, else FORMAT); does not wait for leadership. */
    static RaftNode start(MetaKvConfig config, KvStateMachine stateMachine) throws IOException {
        Path directory = config.directory();
        Path ratisDirectory = directory.resolve("ratis");
        RaftPeerId peerId;
        RaftGroup group;
        int port;
        if (config.grouped()) {
            checkMembership(directory.resolve(MEMBER_FILE), config);
            List<RaftPeer> peers = new ArrayList<>();
            for (int i = 0; i < config.peers().size(); i++) {
                peers.add(RaftPeer.newBuilder()
                        .setId(memberId(i))
                        .setAddress(config.peers().get(i))
                        .build());
            }
            peerId = memberId(config.self());
            group = RaftGroup.valueOf(RaftGroupId.valueOf(GROUP_UUID), peers);
            port = config.raftPort();
        } else {
            UUID[] ids = loadOrCreateIds(directory.resolve(IDS_FILE));
            peerId = RaftPeerId.valueOf("meta-" + ids[0]);
            port = config.raftPort() != 0 ? config.raftPort() : freePort();
            RaftPeer peer = RaftPeer.newBuilder()
                    .setId(peerId)
                    .setAddress(config.raftHost() + ":" + port)
                    .build();
            group = RaftGroup.valueOf(RaftGroupId.valueOf(ids[1]), peer);
        }
        RaftGroupId groupId = group.getGroupId();
        boolean exists =
                Files.isDirectory(ratisDirectory.resolve(groupId.getUuid().toString()));
        RaftServer server = RaftServer.newBuilder()
                .setServerId(peerId)
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties(config, ratisDirectory, port))
                .setOption(exists ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        LOG.info(
                "meta-kv raft peer {} group {} ({} members) on {}:{} ({})",
                peerId,
                groupId,
                group.getPeers().size(),
                config.raftHost(),
                port,
                exists ? "RECOVER" : "FORMAT");
        return new RaftNode(server, groupId, peerId, stateMachine, config.grouped());
    }

    /** The group of several members: one fixed id, so every member and every restart agree on it. */
    private static final UUID GROUP_UUID = UUID.nameUUIDFromBytes("seabed meta-kv root group".getBytes());

    private static final String MEMBER_FILE = "meta-kv.member";

    private static RaftPeerId memberId(int index) {
        return RaftPeerId.valueOf("meta" + index);
    }

    /**
     * Records this directory's place in its group on first start and refuses a later start with another place or
     * member count (the Raft log in it belongs to that member; a different one would split the group's history).
     */
    private static void checkMembership(Path file, MetaKvConfig config) throws IOException {
        String mine = "member " + config.self() + " of " + config.peers().size();
        if (Files.exists(file)) {
            String recorded = Files.readString(file).strip();
            if (!recorded.equals(mine))
                throw new MetaKvException(
                        Reason.INVALID_ARGUMENT, config.directory() + " holds " + recorded + ", started as " + mine);
            return;
        }
        if (Files.isDirectory(config.directory().resolve("ratis"))
                && Files.exists(config.directory().resolve(IDS_FILE)))
            throw new MetaKvException(
                    Reason.INVALID_ARGUMENT, config.directory() + " holds a group of one; started as " + mine);
        writeDurably(file, mine + "\n");
    }

    private static RaftProperties properties(MetaKvConfig config, Path ratisDirectory, int port) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setHost(p, config.raftHost());
        NettyConfigKeys.Server.setPort(p, port);
        RaftServerConfigKeys.setStorageDir(p, java.util.List.of(ratisDirectory.toFile()));
        RaftServerConfigKeys.Log.setUseMemory(p, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("64MB"));
        // Entries are applied within milliseconds and there are no followers to catch up yet: a small entry
        // cache keeps the log's copies of recent entries (inline bodies included) out of the old generation.
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, config.grouped() ? 4 : 2);
        // No metadata entry (commit index) after each commit: it doubled log writes and fdatasyncs. A restarted
        // group learns its commit index the standard Raft way, when its leader commits an entry of its term.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // Not Ratis' async flush: in 3.3.0 its completion marks lastWrittenIndex as read when the force returns,
        // which can include entries written after the force began (SegmentedRaftLogWorker.asyncFlushOutStream).
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf("32MB"));
        // A group of one purges its log up to each snapshot. A group of several purges only what every member has
        // committed: snapshots are this member's RocksDB checkpoint and are not sent to followers, so a member
        // that was down catches up from the log (a member replaced with an empty disk cannot join yet).
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, !config.grouped());
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEveryEntries());
        // The log refuses entries over the appender's buffer; TxnAttempt.ENTRY_BYTES_MAX stays below it.
        // No pause between two appendEntries to a follower (Ratis waits 10 ms by default): a commit waits for a
        // follower's append, so the pause was a floor under every commit's latency (Ozone sets 0 too).
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(
                p, SizeInBytes.valueOf(TxnAttempt.ENTRY_BYTES_MAX + (1 << 20)));
        RaftServerConfigKeys.Write.setElementLimit(p, PENDING_WRITES_MAX);
        RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(PENDING_WRITE_BYTES_MAX));
        // Requests come in-process with fresh call ids and are never retried by a client: keep the cache short.
        RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
        return p;
    }

    /**
     * The resolver of a group of several: started when this member leads, is ready (the first entry of its term
     * is applied, so every entry of earlier terms is committed) and has applied everything committed — then the
     * applied sequence is the newest any committed entry carries, and entries of this term decided before were
     * UNAVAILABLE, with no sequence. Stopped as soon as this member is not the leader (and by
     * {@link KvStateMachine#notifyLeaderChanged}), so it restarts only in a later term, from the applied state.
     */
    private void watchLeadership() {
        while (!closing) {
            try {
                Thread.sleep(LEADERSHIP_POLL_MILLIS);
                RaftServer.Division division = server.getDivision(groupId);
                if (!division.getInfo().isLeader()) {
                    stateMachine.stopResolver();
                } else if (!stateMachine.resolverStarted()) {
                    long term = division.getInfo().getCurrentTerm();
                    stateMachine.startResolverIf(() -> {
                        var applied = stateMachine.getLastAppliedTermIndex();
                        return division.getInfo().isLeaderReady()
                                && division.getInfo().getCurrentTerm() == term
                                && applied != null
                                && applied.getIndex() >= division.getRaftLog().getLastCommittedIndex();
                    });
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closing) LOG.warn("meta-kv leadership check failed: {}", e.toString());
            }
        }
    }

    /** True when this member leads its group and decides transactions. */
    boolean leads() {
        try {
            return stateMachine.resolverStarted()
                    && server.getDivision(groupId).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until this member leads and has applied every committed entry, or fails with a clear error. */
    void awaitReady(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        RaftServer.Division division = server.getDivision(groupId);
        while (true) {
            boolean ready = division.getInfo().isLeaderReady();
            long committed = division.getRaftLog().getLastCommittedIndex();
            var applied = stateMachine.getLastAppliedTermIndex();
            long appliedIndex = applied == null ? -1 : applied.getIndex();
            if (ready && appliedIndex >= committed) return;
            if (System.nanoTime() - deadline > 0) {
                throw new MetaKvException(
                        Reason.UNAVAILABLE,
                        "meta-kv group " + groupId + " not ready after " + timeoutMillis + " ms: leaderReady=" + ready
                                + " committed=" + committed + " applied=" + appliedIndex);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetaKvException(Reason.UNAVAILABLE, "interrupted waiting for leadership", e);
            }
        }
    }

    /**
     * Submits {@code txn} through the Raft log and waits for its apply, until {@code deadlineNanos}. Concurrent
     * transactions share log entries (group commit; see {@link #commitGroups}). Returns the state machine's
     * reply: decision byte, result count, results.
     */
    ByteBuffer submit(PreparedTxn txn, long deadlineNanos) {
        return await(submitAsync(txn, deadlineNanos), deadlineNanos);
    }

    /**
     * As {@link #submit}, without waiting: the reply completes on a Raft thread once the entry is applied, or
     * exceptionally with a {@link MetaKvException}: TIMEOUT a little after {@code deadlineNanos} if it is not
     * applied by then (it may still apply later).
     */
    CompletableFuture<ByteBuffer> submitAsync(PreparedTxn txn, long deadlineNanos) {
        CompletableFuture<ByteBuffer> reply = new CompletableFuture<>();
        if (closing) throw new MetaKvException(Reason.CLOSED, "meta-kv is closing");
        Pending pending = new Pending(txn, reply, deadlineNanos);
        if (!queue.offer(pending))
            throw new MetaKvException(
                    Reason.UNAVAILABLE, "more than " + PENDING_WRITES_MAX + " transactions wait for the log");
        // Closing raced with the offer: the committer may have drained the queue already.
        if (closing && queue.remove(pending)) throw new MetaKvException(Reason.CLOSED, "meta-kv is closing");
        return reply;
    }

    /**
     * The group committer: takes the waiting transactions (up to {@link #GROUP_TXNS_MAX} and
     * {@link TxnAttempt#ENTRY_BYTES_MAX} bytes) as one log entry whenever fewer than {@link #GROUPS_IN_FLIGHT_MAX}
     * groups are in flight, so under load one entry, one log write and one RocksDB batch serve many
     * transactions; alone, a transaction goes at once in a group of one.
     */
    private void commitGroups() {
        List<Pending> group = new ArrayList<>();
        while (!closing) {
            try {
                groupsInFlight.acquire();
                Pending first = queue.take();
                group.add(first);
                long bytes = first.txn().entry.length;
                for (Pending next = queue.peek();
                        next != null
                                && group.size() < GROUP_TXNS_MAX
                                && bytes + next.txn().entry.length <= TxnAttempt.ENTRY_BYTES_MAX;
                        next = queue.peek()) {
                    // The deadline sweeper may remove the peeked transaction before this takes it.
                    if (!queue.remove(next)) continue;
                    group.add(next);
                    bytes += next.txn().entry.length;
                }
            } catch (InterruptedException e) {
                groupsInFlight.release();
                break;
            }
            submitGroup(List.copyOf(group));
            group.clear();
        }
        MetaKvException closed = new MetaKvException(Reason.CLOSED, "meta-kv closed before the commit");
        for (Pending p = queue.poll(); p != null; p = queue.poll()) p.reply().completeExceptionally(closed);
    }

    /**
     * Fails, every {@link #DEADLINE_SWEEP_MILLIS}, the transactions still queued or in flight past their deadline
     * (one sweeper instead of a timer per transaction, which cost a wake-up each).
     */
    private void failExpired() {
        while (!closing) {
            try {
                Thread.sleep(DEADLINE_SWEEP_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            // A queued transaction past its deadline leaves the queue, so it is never submitted: its caller
            // is told TIMEOUT and may discard its data. One already in the log may still apply.
            for (Pending p : queue)
                if (now - p.deadlineNanos() > 0 && queue.remove(p))
                    p.reply()
                            .completeExceptionally(
                                    new MetaKvException(Reason.TIMEOUT, "commit not submitted before its deadline"));
            for (Waiting w : groupsWaiting) for (Pending p : w.group) expire(p, now);
        }
    }

    private static void expire(Pending p, long now) {
        if (now - p.deadlineNanos() > 0 && !p.reply().isDone())
            p.reply()
                    .completeExceptionally(new MetaKvException(
                            Reason.TIMEOUT, "commit not applied before its deadline; it may still apply"));
    }

    /** Group entries and transactions submitted so far, and the nanoseconds groups spent from submit to reply. */
    long[] groupStats() {
        return new long[] {groupsSubmitted.sum(), txnsSubmitted.sum(), groupNanos.sum()};
    }

    private void submitGroup(List<Pending> group) {
        groupsSubmitted.increment();
        txnsSubmitted.add(group.size());
        List<PreparedTxn> txns = new ArrayList<>(group.size());
        for (Pending p : group) txns.add(p.txn());
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId)
                .setServerId(peerId)
                .setGroupId(groupId)
                .setCallId(callIds.incrementAndGet())
                .setMessage(new PreparedGroup(txns))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        CompletableFuture<RaftClientReply> future;
        long startNanos = System.nanoTime();
        Waiting waiting = new Waiting(group);
        groupsWaiting.add(waiting);
        try {
            future = server.submitClientRequestAsync(request);
        } catch (IOException | RuntimeException e) {
            groupsWaiting.remove(waiting);
            groupsInFlight.release();
            MetaKvException failure = translate(e, "submit");
            for (Pending p : group) p.reply().completeExceptionally(failure);
            return;
        }
        future.whenComplete((reply, error) -> {
            groupNanos.add(System.nanoTime() - startNanos);
            groupsWaiting.remove(waiting);
            groupsInFlight.release();
            if (error == null && !reply.isSuccess()) error = reply.getException();
            if (error != null) {
                MetaKvException failure = translate(error, "commit");
                for (Pending p : group) p.reply().completeExceptionally(failure);
                return;
            }
            ByteBuffer replies = reply.getMessage().getContent().asReadOnlyByteBuffer();
            for (int i = 0; i < group.size(); i++) group.get(i).reply().complete(PreparedGroup.reply(replies, i));
        });
    }

    private static <T> T await(CompletableFuture<T> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new MetaKvException(Reason.TIMEOUT, "commit not applied before its deadline", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetaKvException(Reason.UNAVAILABLE, "interrupted waiting for commit; it may still apply", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), "commit");
        }
    }

    static MetaKvException translate(Throwable e, String what) {
        if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) e = e.getCause();
        if (e instanceof MetaKvException m) return m;
        Reason reason =
                switch (e) {
                    case NotLeaderException _, LeaderNotReadyException _, LeaderSteppingDownException _ ->
                        Reason.NOT_LEADER;
                    case AlreadyClosedException _ -> Reason.CLOSED;
                    case RaftException _ -> Reason.UNAVAILABLE;
                    case null -> Reason.UNAVAILABLE;
                    default -> Reason.UNAVAILABLE;
                };
        return new MetaKvException(reason, what + " failed: " + e, e);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static UUID[] loadOrCreateIds(Path file) throws IOException {
        if (Files.exists(file)) {
            String[] lines = Files.readString(file).strip().split("\n");
            if (lines.length != 2)
                throw new IOException(file + ": expected 2 lines (peer, group), got " + lines.length);
            return new UUID[] {UUID.fromString(lines[0].strip()), UUID.fromString(lines[1].strip())};
        }
        UUID[] ids = {UUID.randomUUID(), UUID.randomUUID()};
        writeDurably(file, ids[0] + "\n" + ids[1] + "\n");
        return ids;
    }

    private static void writeDurably(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() {
        closing = true;
        committer.interrupt();
        deadlines.interrupt();
        if (leadership != null) leadership.interrupt();
        try {
            committer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new MetaKvException(Reason.UNAVAILABLE, "close raft server " + peerId + ": " + e.getMessage(), e);
        } finally {
            // Groups Ratis never answered: their callers must not wait for a reply that cannot come.
            MetaKvException closed =
                    new MetaKvException(Reason.CLOSED, "meta-kv closed before the commit was answered");
            for (Waiting w : groupsWaiting) for (Pending p : w.group) p.reply().completeExceptionally(closed);
        }
    }
}
