package io.seabed.basestore.manager;

import io.seabed.basestore.chain.RoutingTable;
import io.seabed.metakv.MetaKv;
import java.util.Arrays;

/**
 * The manager's durable state in a meta-kv of this process: the lease at {@code 0x7F 'l'} and the routing
 * table at {@code 0x7F 'r'}. Every write is one transaction that checks the lease.
 */
public final class KvManagerStore implements ManagerStore {
    static final byte[] LEASE_KEY = {CLUSTER, 'l'};
    static final byte[] ROUTING_KEY = {CLUSTER, 'r'};

    private final MetaKv kv;

    public KvManagerStore(MetaKv kv) {
        this.kv = kv;
    }

    @Override
    public Lease lease() {
        return Lease.decode(kv.get(LEASE_KEY));
    }

    @Override
    public Lease acquire(long holder, Lease seen) {
        return kv.transact(txn -> {
            Lease now = Lease.decode(txn.get(LEASE_KEY));
            if (!now.equals(seen)) return null;
            Lease mine = new Lease(holder, seen.epoch() + 1, 0);
            txn.put(LEASE_KEY, mine.encode());
            return mine;
        });
    }

    @Override
    public Lease renew(Lease held) {
        return kv.transact(txn -> {
            Lease now = Lease.decode(txn.get(LEASE_KEY));
            if (now.holder() != held.holder() || now.epoch() != held.epoch()) return null;
            Lease next = new Lease(held.holder(), held.epoch(), now.renewals() + 1);
            txn.put(LEASE_KEY, next.encode());
            return next;
        });
    }

    @Override
    public RoutingTable routing() {
        byte[] value = kv.get(ROUTING_KEY);
        return value == null ? null : RoutingTable.decode(value);
    }

    @Override
    public boolean writeRouting(Lease held, RoutingTable table) {
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
