package io.seabed.basestore.manager;

import io.seabed.basestore.chain.RoutingTable;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The cluster manager's durable state: the lease (holder, epoch, renewals) and the routing table, kept in
 * meta-kv's root records (DESIGN §4). Every write checks the lease, so a deposed primary can change nothing:
 * every routing write is a CAS on the lease epoch. {@link KvManagerStore} keeps it in a meta-kv of this
 * process; {@link RemoteManagerStore} reaches the process that holds the meta-kv over the data-plane RPC.
 *
 * <p>Calls block (never call them on an event loop) and throw {@link RuntimeException} when the store cannot
 * be reached; the manager retries on its next tick.
 */
public interface ManagerStore {
    /** meta-kv key space byte reserved for the cluster manager (namespace's schema.Keys lists it). */
    byte CLUSTER = 0x7F;

    /** The lease record; {@code renewals} changes on every renewal so a standby sees the holder is alive. */
    record Lease(long holder, long epoch, long renewals) {
        public static final Lease NONE = new Lease(0, 0, 0);
        static final int BYTES = 24;

        byte[] encode() {
            return ByteBuffer.allocate(BYTES)
                    .putLong(holder)
                    .putLong(epoch)
                    .putLong(renewals)
                    .array();
        }

        static Lease decode(byte[] value) {
            if (value == null || value.length == 0) return NONE;
            try {
                ByteBuffer in = ByteBuffer.wrap(value);
                return new Lease(in.getLong(), in.getLong(), in.getLong());
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("lease record of " + value.length + " B", e);
            }
        }
    }

    /** The current lease ({@link Lease#NONE} before any manager took it). */
    Lease lease();

    /** Takes the lease with epoch {@code seen.epoch + 1} if it still is {@code seen}; returns the new lease or null. */
    Lease acquire(long holder, Lease seen);

    /** Renews {@code held}; returns the renewed lease, or null when another holder took it. */
    Lease renew(Lease held);

    /** The stored routing table, or null before the first placement. */
    RoutingTable routing();

    /** Stores {@code table} if {@code held} still holds the lease; returns whether it did. */
    boolean writeRouting(Lease held, RoutingTable table);
}
