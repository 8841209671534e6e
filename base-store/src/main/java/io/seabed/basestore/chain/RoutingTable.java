package io.seabed.basestore.chain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where data lives: storage nodes and their addresses, which node holds each target, and the chains,
 * each an ordered list of targets on distinct nodes with its own version. The cluster manager owns it
 * (every change bumps the table's version and the versions of the chains it changes); nodes and clients
 * cache it and refresh when a request meets another chain version. Immutable.
 */
public record RoutingTable(
        long version, Map<Integer, Node> nodes, Map<Integer, Integer> targetNodes, Map<Integer, Chain> chains) {
    private static final byte FORMAT = 1;

    /** A storage node's data-plane address. */
    public record Node(int nodeId, String host, int port) {}

    /** One target in a chain, with its public state. */
    public record Member(int targetId, PublicState state) {}

    /**
     * A chain: members in chain order (head first). The write path is the members in a write-path
     * state, in order; reads go to the serving ones; the tail is the last serving member.
     */
    public record Chain(int chainId, long chainVersion, List<Member> members) {
        public Chain {
            members = List.copyOf(members);
        }

        /** Targets updates flow through, head first. */
        public List<Integer> writePath() {
            List<Integer> path = new ArrayList<>(members.size());
            for (Member m : members) if (m.state().inWritePath()) path.add(m.targetId());
            return path;
        }

        /** The position in the write path of the SYNCING member (whose predecessor fills it), or -1. */
        public int syncingAt() {
            List<Integer> path = writePath();
            int at = -1;
            for (int i = 0; i < path.size(); i++) if (member(path.get(i)).state() == PublicState.SYNCING) at = i;
            return at;
        }

        /** Targets that answer reads, in chain order. */
        public List<Integer> readers() {
            List<Integer> readers = new ArrayList<>(members.size());
            for (Member m : members) if (m.state().serving()) readers.add(m.targetId());
            return readers;
        }

        /** The last serving member (where a dirty read goes), or -1 when none serves. */
        public int tail() {
            for (int i = members.size() - 1; i >= 0; i--)
                if (members.get(i).state().serving()) return members.get(i).targetId();
            return -1;
        }

        public Member member(int targetId) {
            for (Member m : members) if (m.targetId() == targetId) return m;
            return null;
        }
    }

    public RoutingTable {
        nodes = Collections.unmodifiableMap(new TreeMap<>(nodes));
        targetNodes = Collections.unmodifiableMap(new TreeMap<>(targetNodes));
        chains = Collections.unmodifiableMap(new TreeMap<>(chains));
        for (Chain c : chains.values()) {
            List<Integer> seenNodes = new ArrayList<>();
            for (Member m : c.members()) {
                Integer node = targetNodes.get(m.targetId());
                if (node == null)
                    throw new IllegalArgumentException(
                            "chain " + c.chainId() + ": target " + m.targetId() + " has no node");
                if (seenNodes.contains(node))
                    throw new IllegalArgumentException(
                            "chain " + c.chainId() + ": two members on node " + node + " (" + c.members() + ")");
                seenNodes.add(node);
            }
        }
    }

    public Chain chain(int chainId) {
        return chains.get(chainId);
    }

    /** The node holding {@code targetId}, or null. */
    public Node nodeOf(int targetId) {
        Integer node = targetNodes.get(targetId);
        return node == null ? null : nodes.get(node);
    }

    /** Chain ids in ascending order. */
    public int[] chainIds() {
        return chains.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Places {@code chainCount} chains of {@code chainLength} targets over the given nodes' targets
     * ({@code nodeTargets.get(n)} are node n's target ids): every chain on distinct nodes, heads rotating
     * over the nodes, successors rotating over the other nodes round by round so each target's chains
     * meet many peers (recovery reads spread), and each node's slots spread over its targets.
     *
     * @throws IllegalArgumentException when there are fewer nodes than {@code chainLength}
     */
    public static RoutingTable place(
            List<Node> nodes, List<List<Integer>> nodeTargets, int chainLength, int chainCount) {
        int n = nodes.size();
        if (chainLength < 1 || chainLength > n)
            throw new IllegalArgumentException("chainLength=" + chainLength + " needs that many nodes, have " + n);
        if (chainCount < 1) throw new IllegalArgumentException("chainCount=" + chainCount);
        Map<Integer, Node> nodeMap = new TreeMap<>();
        Map<Integer, Integer> targetNodes = new TreeMap<>();
        int[] slotsUsed = new int[n];
        for (int i = 0; i < n; i++) {
            nodeMap.put(nodes.get(i).nodeId(), nodes.get(i));
            if (nodeTargets.get(i).isEmpty())
                throw new IllegalArgumentException("node " + nodes.get(i) + " has no target");
            for (int t : nodeTargets.get(i)) targetNodes.put(t, nodes.get(i).nodeId());
        }
        Map<Integer, Chain> chains = new TreeMap<>();
        for (int j = 0; j < chainCount; j++) {
            int head = j % n;
            int round = j / n;
            List<Member> members = new ArrayList<>(chainLength);
            for (int k = 0; k < chainLength; k++) {
                int node = k == 0 ? head : (head + 1 + ((round + k - 1) % (n - 1))) % n;
                List<Integer> targets = nodeTargets.get(node);
                members.add(new Member(targets.get(slotsUsed[node]++ % targets.size()), PublicState.SERVING));
            }
            chains.put(j + 1, new Chain(j + 1, 1, members));
        }
        return new RoutingTable(1, nodeMap, targetNodes, chains);
    }

    /** This table with {@code chain} replaced, the table's version bumped. */
    public RoutingTable with(Chain chain) {
        Map<Integer, Chain> next = new TreeMap<>(chains);
        next.put(chain.chainId(), chain);
        return new RoutingTable(version + 1, nodes, targetNodes, next);
    }

    /** This table with {@code node}'s address set (added or changed), the table's version bumped. */
    public RoutingTable withNode(Node node) {
        Map<Integer, Node> next = new TreeMap<>(nodes);
        next.put(node.nodeId(), node);
        return new RoutingTable(version + 1, next, targetNodes, chains);
    }

    public byte[] encode() {
        int size = 1 + 8 + 4 + 4 + 4;
        for (Node node : nodes.values()) size += 4 + 2 + node.host().getBytes(StandardCharsets.UTF_8).length + 4;
        size += targetNodes.size() * 8;
        for (Chain c : chains.values()) size += 4 + 8 + 1 + c.members().size() * 5;
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT).putLong(version);
        out.putInt(nodes.size());
        for (Node node : nodes.values()) {
            byte[] host = node.host().getBytes(StandardCharsets.UTF_8);
            out.putInt(node.nodeId()).putShort((short) host.length).put(host).putInt(node.port());
        }
        out.putInt(targetNodes.size());
        targetNodes.forEach((t, node) -> out.putInt(t).putInt(node));
        out.putInt(chains.size());
        for (Chain c : chains.values()) {
            out.putInt(c.chainId()).putLong(c.chainVersion()).put((byte)
                    c.members().size());
            for (Member m : c.members())
                out.putInt(m.targetId()).put((byte) m.state().wire());
        }
        return out.array();
    }

    /** @throws IllegalArgumentException when the bytes are not a table of this format */
    public static RoutingTable decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            byte format = in.get();
            if (format != FORMAT)
                throw new IllegalArgumentException("routing table format " + format + " != " + FORMAT);
            long version = in.getLong();
            Map<Integer, Node> nodes = new TreeMap<>();
            for (int i = in.getInt(); i > 0; i--) {
                int id = in.getInt();
                byte[] host = new byte[in.getShort()];
                in.get(host);
                nodes.put(id, new Node(id, new String(host, StandardCharsets.UTF_8), in.getInt()));
            }
            Map<Integer, Integer> targetNodes = new TreeMap<>();
            for (int i = in.getInt(); i > 0; i--) targetNodes.put(in.getInt(), in.getInt());
            Map<Integer, Chain> chains = new TreeMap<>();
            for (int i = in.getInt(); i > 0; i--) {
                int id = in.getInt();
                long chainVersion = in.getLong();
                List<Member> members = new ArrayList<>();
                for (int k = in.get() & 0xFF; k > 0; k--)
                    members.add(new Member(in.getInt(), PublicState.ofWire(in.get())));
                chains.put(id, new Chain(id, chainVersion, members));
            }
            if (in.hasRemaining()) throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            return new RoutingTable(version, nodes, targetNodes, chains);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("routing table truncated", e);
        }
    }
}
