package io.seabed.metakv.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB state machine of a meta-kv group (DESIGN §3.1).
 *
 * <ul>
 *   <li>{@link #preAppendTransaction}: the resolver decides each new transaction at the leader, in
 *       log order, and writes the decision and sequence into the entry.
 *   <li>{@link #applyTransaction}: applies a committed batch deterministically, with the applied
 *       term, index and sequence in the same RocksDB write (WAL off; Ratis fsyncs its log).
 *   <li>{@link #getLatestSnapshot}: the applied position persisted in RocksDB at start, later the
 *       newest checkpoint; Ratis replays the log from just after it and never purges past it.
 * </ul>
 *
 * <p>A rejected transaction still takes its place in the log (as a no-op): throwing from
 * preAppendTransaction would leak a pending-request permit of Ratis 3.3.0 (RaftServerImpl
 * .appendTransaction acquires it before appendLog and never releases it on that path).
 */
final class KvStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(KvStateMachine.class);

    private final KvStore store;
    private final TxnResolver resolver;
    private final BatchApplier applier;
    private final SnapshotStorage snapshotStorage = new SnapshotStorage();
    private volatile long appliedSequence;
    private volatile SnapshotInfo latestSnapshot;
    private Path snapshotDirectory;

    KvStateMachine(KvStore store, int resolverWindowWritesMax) {
        this.store = store;
        this.resolver = new TxnResolver(resolverWindowWritesMax);
        this.applier = new BatchApplier(store);
    }

    /** The sequence of the newest applied batch: the read version of a new transaction. */
    long appliedSequence() {
        return appliedSequence;
    }

    /** Opens the resolver; call once everything in the log is applied and before any write. */
    void startResolver() {
        resolver.start(appliedSequence);
    }

    /**
     * Starts the resolver at the applied sequence if it is stopped and {@code ready} holds, both checked while
     * no decision can run (a new leader: see {@code RaftNode#watchLeadership}).
     */
    void startResolverIf(java.util.function.BooleanSupplier ready) {
        synchronized (resolver) {
            if (!resolver.started() && ready.getAsBoolean()) {
                resolver.start(appliedSequence);
                LOG.info("meta-kv resolver started at sequence {}", appliedSequence);
            }
        }
    }

    void stopResolver() {
        synchronized (resolver) {
            if (resolver.started()) {
                resolver.stop();
                LOG.info("meta-kv resolver stopped at applied sequence {}", appliedSequence);
            }
        }
    }

    boolean resolverStarted() {
        return resolver.started();
    }

    /** See {@link TxnResolver#validate}. */
    byte validate(PreparedTxn txn) {
        return resolver.validate(txn);
    }

    /** Another member leads now: this one must not decide, whatever its own view of its role says. */
    @Override
    public void notifyLeaderChanged(
            org.apache.ratis.protocol.RaftGroupMemberId groupMemberId,
            org.apache.ratis.protocol.RaftPeerId newLeaderId) {
        if (!groupMemberId.getPeerId().equals(newLeaderId)) stopResolver();
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        super.initialize(server, groupId, storage);
        snapshotDirectory = storage.getStorageDir().getStateMachineDir().toPath();
        Files.createDirectories(snapshotDirectory);
        KvStore.Applied applied;
        try {
            applied = store.applied();
        } catch (RocksDBException e) {
            throw new IOException("read applied position: " + e.getMessage(), e);
        }
        appliedSequence = applied.sequence();
        if (applied.index() >= 0) {
            TermIndex ti = TermIndex.valueOf(applied.term(), applied.index());
            setLastAppliedTermIndex(ti);
            latestSnapshot = new FileListSnapshotInfo(List.of(), ti);
        }
        LOG.info(
                "meta-kv state machine at {} (sequence {}), snapshots in {}",
                applied,
                appliedSequence,
                snapshotDirectory);
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        Message message = request.getMessage();
        if (!(message instanceof PreparedTxn) && !(message instanceof PreparedGroup)) {
            throw new IOException("meta-kv accepts writes only in-process, got " + message.getClass());
        }
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(message.getContent())
                .setStateMachineContext(message)
                .build();
    }

    @Override
    public TransactionContext preAppendTransaction(TransactionContext trx) {
        switch (trx.getStateMachineContext()) {
            case PreparedTxn txn -> resolver.decide(txn);
            case PreparedGroup group -> {
                for (int i = 0; i < group.txns.size(); i++)
                    resolver.decide(group.txns.get(i), group.bytes, group.offsets[i]);
            }
            case null, default -> {}
        }
        return trx;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ByteBuffer data = entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
        if (data.get(data.position()) == Entry.FORMAT_GROUP)
            return CompletableFuture.completedFuture(applyGroup(entry, data));
        byte decision = Entry.Reader.decision(data);
        long[] results = new long[0];
        if (decision == Entry.COMMIT) {
            results = applyCommitted(entry, data);
        } else {
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        return CompletableFuture.completedFuture(reply(decision, results));
    }

    private long[] applyCommitted(LogEntryProto entry, ByteBuffer data) {
        long sequence = Entry.Reader.sequence(data);
        if (sequence != appliedSequence + 1) {
            // A gap means a decided batch was lost or reordered: stop this group rather than diverge.
            throw new IllegalStateException("entry " + TermIndex.valueOf(entry) + " sequence=" + sequence
                    + " != appliedSequence+1=" + (appliedSequence + 1));
        }
        long[] results;
        try (WriteBatch batch = new WriteBatch()) {
            results = applier.apply(data, batch);
            store.putApplied(batch, new KvStore.Applied(entry.getTerm(), entry.getIndex(), sequence));
            store.write(batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("apply " + TermIndex.valueOf(entry) + ": " + e.getMessage(), e);
        }
        appliedSequence = sequence;
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return results;
    }

    /**
     * Applies the committed transactions of a group entry in order into one WriteBatch (each sees the ones
     * before it), with the applied position of the last; replies per transaction, in order.
     */
    private Message applyGroup(LogEntryProto entry, ByteBuffer data) {
        ByteBuffer[] txns = PreparedGroup.entries(data);
        byte[] decisions = new byte[txns.length];
        long[][] results = new long[txns.length][];
        long sequence = appliedSequence;
        try (WriteBatch batch = new WriteBatch()) {
            BatchApplier.Scope scope = new BatchApplier.Scope();
            for (int i = 0; i < txns.length; i++) {
                decisions[i] = Entry.Reader.decision(txns[i]);
                results[i] = new long[0];
                if (decisions[i] != Entry.COMMIT) continue;
                long s = Entry.Reader.sequence(txns[i]);
                if (s != sequence + 1) {
                    throw new IllegalStateException("entry " + TermIndex.valueOf(entry) + " transaction " + i
                            + " sequence=" + s + " != " + (sequence + 1));
                }
                sequence = s;
                results[i] = applier.apply(txns[i], batch, scope);
            }
            store.putApplied(batch, new KvStore.Applied(entry.getTerm(), entry.getIndex(), sequence));
            store.write(batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("apply " + TermIndex.valueOf(entry) + ": " + e.getMessage(), e);
        }
        appliedSequence = sequence;
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        int size = 4;
        for (long[] r : results) size += 1 + 4 + 8 * r.length;
        ByteBuffer b = ByteBuffer.allocate(size).putInt(txns.length);
        for (int i = 0; i < txns.length; i++) {
            b.put(decisions[i]).putInt(results[i].length);
            for (long r : results[i]) b.putLong(r);
        }
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(b.array()));
    }

    private static Message reply(byte decision, long[] results) {
        ByteBuffer b =
                ByteBuffer.allocate(1 + 4 + 8 * results.length).put(decision).putInt(results.length);
        for (long r : results) b.putLong(r);
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(b.array()));
    }

    /**
     * Persists the applied position, flushes RocksDB and checkpoints it to {@code snapshot.<term>_<index>}
     * under the state machine directory, deleting older checkpoints. Runs on Ratis' apply thread, so
     * nothing is applied meanwhile. Ratis may purge the log up to the returned index: RocksDB holds
     * it on disk by then.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex ti = getLastAppliedTermIndex();
        if (ti == null || ti.getIndex() < 0) return RaftLog.INVALID_LOG_INDEX;
        Path target = snapshotDirectory.resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
        try (WriteBatch batch = new WriteBatch()) {
            store.putApplied(batch, new KvStore.Applied(ti.getTerm(), ti.getIndex(), appliedSequence));
            store.write(batch);
            store.flush();
            if (!Files.exists(target)) {
                Path tmp = snapshotDirectory.resolve("tmp." + ti.getTerm() + "_" + ti.getIndex());
                Directories.deleteRecursively(tmp);
                store.checkpoint(tmp);
                Files.move(tmp, target);
            }
        } catch (RocksDBException e) {
            throw new IOException("snapshot at " + ti + ": " + e.getMessage(), e);
        }
        Directories.deleteSiblingsExcept(snapshotDirectory, target);
        latestSnapshot = new FileListSnapshotInfo(List.of(), ti);
        LOG.info("meta-kv snapshot {} at {}", target, ti);
        return ti.getIndex();
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshotStorage;
    }

    /** Checkpoints live in the state machine directory; {@link #takeSnapshot} keeps only the newest. */
    private final class SnapshotStorage implements StateMachineStorage {
        @Override
        public void init(RaftStorage raftStorage) {}

        @Override
        public SnapshotInfo getLatestSnapshot() {
            return latestSnapshot;
        }

        @Override
        public void format() {}

        @Override
        public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {}
    }
}
