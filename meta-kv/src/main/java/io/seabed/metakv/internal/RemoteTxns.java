package io.seabed.metakv.internal;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.MetaKvLink;
import io.seabed.metakv.Txn;
import io.seabed.metakv.TxnFunction;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Transactions of a client in another process than the group's members (the engine behind
 * {@code RemoteMetaKv}). An attempt takes its read version from the leader, runs the function with every read
 * going to that member, and sends the prepared transaction there to be decided by the resolver and committed
 * through the log, exactly as a local one; a read-only attempt that read more than once is validated by the
 * resolver instead. CONFLICT, TOO_OLD, a member that does not lead (or no longer does) and an unreachable member
 * cost an attempt; the leader is then looked for among the members, within one deadline for the whole call.
 *
 * <p>A commit whose reply is lost fails with TIMEOUT (it may have applied); nothing else is retried after its
 * transaction was submitted. Thread safety: any thread.
 */
public final class RemoteTxns {
    private final MetaKvLink link;
    private final int retriesMax;
    private final long timeoutNanos;
    /** The member believed to lead. */
    private volatile int leader;

    public RemoteTxns(MetaKvLink link, int retriesMax, long timeoutMillis) {
        if (link.members() < 1) throw new IllegalArgumentException("a group of " + link.members() + " members");
        this.link = link;
        this.retriesMax = retriesMax;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    public byte[] get(byte[] key) {
        Keys.checkKey(key);
        return onLeader(m -> link.get(m, key), deadline());
    }

    public List<byte[]> multiGet(List<byte[]> keys) {
        for (byte[] key : keys) Keys.checkKey(key);
        return onLeader(m -> link.multiGet(m, keys), deadline());
    }

    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) {
        Keys.checkRange(from, to);
        int n = TxnAttempt.checkLimit(limit);
        long deadline = deadline();
        List<KeyValue> first = onLeader(m -> link.scan(m, from, to, n, reverse), deadline);
        if (!MetaKvLink.scanMayGoOn(first.size(), n, RemoteView.bytesOf(first)) || first.size() >= n) return first;
        // Cut by the reply's byte bound: the rest in further pages (each a state of its own, as pages of any
        // scan outside a transaction).
        List<KeyValue> out = new java.util.ArrayList<>(first);
        while (out.size() < n) {
            byte[] end = out.getLast().key();
            byte[] f = reverse ? from : Keys.successor(end);
            byte[] t = reverse ? end : to;
            int asked = n - out.size();
            List<KeyValue> page = onLeader(m -> link.scan(m, f, t, asked, reverse), deadline);
            out.addAll(page);
            if (!MetaKvLink.scanMayGoOn(page.size(), asked, RemoteView.bytesOf(page))) break;
        }
        return out;
    }

    public <T> T transact(TxnFunction<T> fn) {
        long deadline = deadline();
        int conflicts = 0;
        int moved = 0;
        for (int attempt = 1; attempt <= retriesMax; ) {
            int[] at = new int[1];
            long readVersion = onLeader(
                    m -> {
                        at[0] = m;
                        return link.readVersion(m);
                    },
                    deadline);
            int member = at[0];
            RemoteView view = new RemoteView(link, member);
            TxnAttempt txn = new TxnAttempt(view, readVersion);
            T result = null;
            byte decision;
            try {
                result = fn.apply(txn);
                if (!txn.hasWrites()) {
                    if (view.calls() <= 1) return result;
                    decision = link.validate(member, WireTxn.encode(txn.prepare()))[0];
                } else {
                    decision = link.commit(member, WireTxn.encode(txn.prepare()))[0];
                }
            } catch (MetaKvException e) {
                if (!movable(e)) throw e;
                decision = Entry.UNAVAILABLE;
            }
            switch (decision) {
                case Entry.COMMIT -> {
                    return result;
                }
                case Entry.CONFLICT, Entry.TOO_OLD -> {
                    conflicts++;
                    attempt++;
                    checkDeadline(deadline, attempt, conflicts, moved);
                    backoff(attempt - 1, deadline);
                }
                case Entry.UNAVAILABLE -> {
                    // The member stopped leading (or went away) mid-attempt: not a conflict, so it does not use up
                    // an attempt; the pause grows while no member leads, within the deadline.
                    moved++;
                    lost(member);
                    checkDeadline(deadline, attempt, conflicts, moved);
                    pause(moved, deadline);
                }
                default -> throw new MetaKvException(Reason.UNAVAILABLE, "unknown decision " + decision);
            }
        }
        throw new MetaKvException(
                Reason.CONFLICT,
                "transaction not committed after retriesMax=" + retriesMax + " attempts (conflicts=" + conflicts
                        + ", leader changes=" + moved + ")");
    }

    /** Commits blind ops at the leader; returns their results in op order. */
    public long[] blind(Consumer<Txn> ops) {
        TxnAttempt txn = new TxnAttempt(null, 0);
        ops.accept(txn);
        byte[] message = WireTxn.encode(txn.prepare());
        long deadline = deadline();
        while (true) {
            int[] at = new int[1];
            ByteBuffer reply = ByteBuffer.wrap(onLeader(
                    m -> {
                        at[0] = m;
                        return link.commit(m, message);
                    },
                    deadline));
            byte decision = reply.get(0);
            if (decision == Entry.COMMIT) {
                long[] results = new long[reply.getInt(1)];
                for (int i = 0; i < results.length; i++) results[i] = reply.getLong(5 + 8 * i);
                return results;
            }
            // UNAVAILABLE: the member stopped leading between its check and the decision; nothing was applied.
            if (decision != Entry.UNAVAILABLE)
                throw new MetaKvException(Reason.UNAVAILABLE, "blind batch refused: decision=" + decision);
            lost(at[0]);
            if (System.nanoTime() - deadline > 0)
                throw new MetaKvException(Reason.UNAVAILABLE, "no member decided a blind batch within the deadline");
            pause(1, deadline);
        }
    }

    private long deadline() {
        return System.nanoTime() + timeoutNanos;
    }

    private void checkDeadline(long deadline, int attempt, int conflicts, int retried) {
        if (System.nanoTime() - deadline > 0) {
            throw new MetaKvException(
                    Reason.TIMEOUT,
                    "transaction not committed after " + attempt + " attempts (conflicts=" + conflicts
                            + ", leader changes=" + retried + ") within its deadline");
        }
    }

    /**
     * Errors after which the attempt may go to another member: nothing of it was applied (a member that is
     * closing answers CLOSED; a commit already submitted there fails with TIMEOUT instead).
     */
    private static boolean movable(MetaKvException e) {
        return e.reason() == Reason.NOT_LEADER || e.reason() == Reason.UNAVAILABLE || e.reason() == Reason.CLOSED;
    }

    private void lost(int member) {
        if (leader == member) leader = (member + 1) % link.members();
    }

    /**
     * Runs {@code call} at the member believed to lead; on NOT_LEADER or UNAVAILABLE tries the next member, and
     * after each round of all members pauses (growing to 200 ms) before the next, until {@code deadline}.
     */
    private <R> R onLeader(IntFunction<R> call, long deadline) {
        int n = link.members();
        MetaKvException last = null;
        for (int round = 0; ; round++) {
            for (int i = 0; i < n; i++) {
                int member = leader;
                try {
                    return call.apply(member);
                } catch (MetaKvException e) {
                    if (!movable(e)) throw e;
                    last = e;
                    lost(member);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new MetaKvException(
                        Reason.UNAVAILABLE,
                        "no meta-kv member leads (" + n + " asked, last: " + last.getMessage() + ")");
            }
            pause(round + 1, deadline);
        }
    }

    /** The pause before the {@code n}th try after a member did not lead: 5 ms doubling up to 200 ms. */
    private static void pause(int n, long deadline) {
        long nanos = TimeUnit.MILLISECONDS.toNanos(Math.min(200, 5L << Math.min(n - 1, 6)));
        LockSupport.parkNanos(Math.max(0, Math.min(nanos, deadline - System.nanoTime())));
    }

    private static void backoff(int attempt, long deadline) {
        // Randomness only spreads retries in time; it decides nothing, so it is not injected.
        long maxMicros = Math.min(attempt, 20) * 50L;
        long nanos = ThreadLocalRandom.current().nextLong(maxMicros + 1) * 1000;
        if (deadline - System.nanoTime() > nanos) LockSupport.parkNanos(nanos);
    }
}
