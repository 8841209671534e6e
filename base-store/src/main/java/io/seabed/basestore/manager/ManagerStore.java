package io.seabed.basestore.manager;

import io.seabed.basestore.chain.RoutingTable;
import io.seabed.metakv.MetaKv;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The manager's durable state in meta-kv's root records: the lease ({@code 0x7F 'l'}: holder, epoch,
 * renewals) and the routing table ({@code 0x7F 'r'}). Every write is one transaction that checks the
 * lease, so a deposed primary can change nothing (DESIGN §4: every routing write is a CAS on the epoch).
 */
public final class ManagerStore {
    /** meta-kv key space byte reserved for the cluster manager (namespace's schema.Keys lists it). */
    public static final byte CLUSTER = 0x7F;

    static final byte[] LEASE_KEY = {CLUSTER, 'l'};
    static final byte[] ROUTING_KEY = {CLUSTER, 'r'};

    /** The lease record; {@code renewals} changes on every renewal so a standby sees the holder is alive. */
    public record Lease(long holder, long epoch, long renewals) {
        static final Lease NONE = new Lease(0, 0, 0);

        byte[] encode() {
            return ByteBuffer.allocate(24)
                    .putLong(holder)
                    .putLong(epoch)
                    .putLong(renewals)
                    .array();
        }

        static Lease decode(byte[] value) {
            if (value == null) return NONE;
            ByteBuffer in = ByteBuffer.wrap(value);
            return new Lease(in.getLong(), in.getLong(), in.getLong());
        }
    }

    private final MetaKv kv;

    public ManagerStore(MetaKv kv) {
        this.kv = kv;
    }

    public Lease lease() {
        return Lease.decode(kv.get(LEASE_KEY));
    }

    /** Takes the lease with epoch {@code seen.epoch + 1} if it still is {@code seen}; returns the new lease or null. */
    Lease acquire(long holder, Lease seen) {
        return kv.transact(txn -> {
            Lease now = Lease.decode(txn.get(LEASE_KEY));
            if (!now.equals(seen)) return null;
            Lease mine = new Lease(holder, seen.epoch() + 1, 0);
            txn.put(LEASE_KEY, mine.encode());
            return mine;
        });
    }

    /** Renews {@code held}; returns the renewed lease, or null when another holder took it. */
    Lease renew(Lease held) {
        return kv.transact(txn -> {
            Lease now = Lease.decode(txn.get(LEASE_KEY));
            if (now.holder() != held.holder() || now.epoch() != held.epoch()) return null;
            Lease next = new Lease(held.holder(), held.epoch(), now.renewals() + 1);
            txn.put(LEASE_KEY, next.encode());
            return next;
        });
    }

    /** The stored routing table, or null before the first placement. */
    public RoutingTable routing() {
        byte[] value = kv.get(ROUTING_KEY);
        return value == null ? null : RoutingTable.decode(value);
    }

    /** Stores {@code table} if {@code held} still holds the lease; returns whether it did. */
    boolean writeRouting(Lease held, RoutingTable table) {
        byte[] value = table.encode();
        return kv.transact(txn -> {
            Lease now = Lease.decode(txn.get(LEASE_KEY));
            if (now.holder() != held.holder() || now.epoch() != held.epoch()) return false;
            byte[] old = txn.get(ROUTING_KEY);
            if (old != null && RoutingTable.decode(old).version() >= table.version() && !Arrays.equals(old, value))
                return false;
            txn.put(ROUTING_KEY, value);
            return true;
        });
    }
}
