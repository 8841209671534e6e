package io.seabed.basestore.manager;

import io.seabed.basestore.TargetState;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Headers of the manager's RPC methods (HEARTBEAT, SYNC_START, ROUTING_GET). */
public final class ManagerMessages {
    private ManagerMessages() {}

    /** HEARTBEAT: a storage node, its data-plane address, the routing version it has, and its targets' states. */
    public record Heartbeat(int nodeId, String host, int port, long routingVersion, Map<Integer, TargetState> targets) {
        public byte[] encode() {
            byte[] h = host.getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(4 + 2 + h.length + 4 + 8 + 4 + targets.size() * 5);
            out.putInt(nodeId).putShort((short) h.length).put(h).putInt(port).putLong(routingVersion);
            out.putInt(targets.size());
            targets.forEach((t, s) -> out.putInt(t).put((byte) (s == TargetState.SERVING ? 1 : 0)));
            return out.array();
        }

        public static Heartbeat decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                int node = in.getInt();
                byte[] h = new byte[in.getShort()];
                in.get(h);
                int port = in.getInt();
                long version = in.getLong();
                int count = in.getInt();
                if (count < 0 || count > in.remaining() / 5)
                    throw new IllegalArgumentException("target count " + count);
                Map<Integer, TargetState> targets = new LinkedHashMap<>();
                for (int i = 0; i < count; i++)
                    targets.put(in.getInt(), in.get() == 1 ? TargetState.SERVING : TargetState.OFFLINE);
                return new Heartbeat(node, new String(h, StandardCharsets.UTF_8), port, version, targets);
            } catch (BufferUnderflowException | NegativeArraySizeException e) {
                throw new IllegalArgumentException("heartbeat truncated", e);
            }
        }
    }

    /**
     * Reply to HEARTBEAT (payload: a newer routing table, or empty). {@code primary}: the answering manager
     * holds the lease (epoch {@code epoch}); only a primary's answer keeps a node serving.
     */
    public record HeartbeatReply(boolean primary, long epoch) {
        public byte[] encode() {
            return ByteBuffer.allocate(9)
                    .put((byte) (primary ? 1 : 0))
                    .putLong(epoch)
                    .array();
        }

        public static HeartbeatReply decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                return new HeartbeatReply(in.get() == 1, in.getLong());
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("heartbeat reply truncated", e);
            }
        }
    }

    /** SYNC_START: fill the SYNCING successor of chain {@code chainId} at version {@code chainVersion}. */
    public record SyncStart(int chainId, long chainVersion) {
        public byte[] encode() {
            return ByteBuffer.allocate(12).putInt(chainId).putLong(chainVersion).array();
        }

        public static SyncStart decode(byte[] header) {
            try {
                ByteBuffer in = ByteBuffer.wrap(header);
                return new SyncStart(in.getInt(), in.getLong());
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("sync start truncated", e);
            }
        }
    }
}
