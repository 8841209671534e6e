package io.seabed.basestore.sim;

import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.basestore.chain.ChainStatus;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.chunk.RecentTags;
import java.util.Map;

/**
 * The simulated wire: the requests and replies of the data-plane RPC (chunk update, read, list, sync start) and
 * of the manager (heartbeat, routing get) that the model uses. Chunks are small ints, contents one long value
 * (whole-chunk REPLACE only), update tags one long (unique per client write; 0 is no tag).
 */
final class SimMessages {
    private SimMessages() {}

    sealed interface Request permits NodeRequest, ManagerRequest {}

    /** A request a storage node answers. */
    sealed interface NodeRequest extends Request permits Update, Read, ListChunks, SyncStart {}

    /** A request the manager answers. */
    sealed interface ManagerRequest extends Request permits Heartbeat, RoutingGet {}

    /**
     * CHUNK_UPDATE: {@code version} 0 from a client, the assigned version when forwarded; a SYNC_REPLACE carries
     * the sender's recent tags of the chunk (empty otherwise).
     */
    record Update(
            int chainId,
            long chainVersion,
            int chunk,
            long tag,
            UpdateKind kind,
            long version,
            long value,
            RecentTags recentTags)
            implements NodeRequest {
        /** StorageNode's Update.FORWARDED_REMOVE: a REMOVE forwarded along the chain. */
        static final long FORWARDED_REMOVE = 1;

        Update(int chainId, long chainVersion, int chunk, long tag, UpdateKind kind, long version, long value) {
            this(chainId, chainVersion, chunk, tag, kind, version, value, RecentTags.EMPTY);
        }

        @Override
        public String toString() {
            return kind + "(chain " + chainId + " v" + chainVersion + " chunk " + chunk + " version " + version
                    + " value " + value + " tag " + tag + ")";
        }
    }

    record UpdateReply(ChainStatus status, long version) {}

    record Read(int chainId, long chainVersion, int chunk) implements NodeRequest {}

    record ReadReply(ChainStatus status, long version, long value) {}

    /** CHUNK_LIST of one target's chunks of one chain (one page: the simulation has few chunks). */
    record ListChunks(int targetId, int chainId) implements NodeRequest {}

    /** One listed chunk; the digest of a chunk is its value. */
    record Listed(long committedVersion, long digest, long pendingVersion, long tagsDigest) {}

    record ListReply(ChainStatus status, Map<Integer, Listed> chunks) {}

    /** SYNC_START from the manager to the predecessor of a SYNCING target, with the table it acts on. */
    record SyncStart(int chainId, long chainVersion, RoutingTable table) implements NodeRequest {
        @Override
        public String toString() {
            return "SyncStart(chain " + chainId + " v" + chainVersion + ", table v" + table.version() + ")";
        }
    }

    record Heartbeat(int nodeId, long routingVersion) implements ManagerRequest {}

    /** The primary's answer: {@code table} is set when newer than the node's. */
    record HeartbeatReply(boolean primary, long epoch, RoutingTable table) {
        @Override
        public String toString() {
            return "HeartbeatReply(" + (table == null ? "no table" : "table v" + table.version()) + ")";
        }
    }

    record RoutingGet() implements ManagerRequest {}

    record RoutingReply(RoutingTable table) {
        @Override
        public String toString() {
            return "RoutingReply(table v" + table.version() + ")";
        }
    }
}
