package io.seabed.basestore.chain;

/**
 * Where a client gets its routing table: the cached one, and a newer one when a node said the cached one
 * is stale. The cluster manager's source fetches it; {@link Holder} holds one set by its owner.
 */
public interface RoutingSource {
    RoutingTable current();

    /**
     * A table newer than {@code staleVersion} if one can be had within a short bound, else the current one
     * (the caller backs off and retries).
     */
    RoutingTable refresh(long staleVersion);

    /** A table set by its owner (tests, the all-in-one server); refresh returns whatever is set now. */
    final class Holder implements RoutingSource {
        private volatile RoutingTable table;

        public Holder(RoutingTable table) {
            this.table = table;
        }

        /** Replaces the table if {@code next} is newer. */
        public synchronized void set(RoutingTable next) {
            if (next.version() > table.version()) table = next;
        }

        @Override
        public RoutingTable current() {
            return table;
        }

        @Override
        public RoutingTable refresh(long staleVersion) {
            return table;
        }
    }
}
