package io.seabed.basestore.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a recorded history of whole-chunk writes and reads for linearizability per chunk, using the chunk
 * versions the chain assigned as the witness order (the conformance suite's {@code ChunkHistory} check,
 * reusable on any recorded history).
 *
 * <p>Every write writes a value no other write writes (never 0); a chunk's initial content is the empty value 0
 * at version 0. Per chunk it demands:
 *
 * <ul>
 *   <li>every read returns a value some write of that chunk wrote (or the initial empty value), invoked before
 *       the read completed;
 *   <li>a version names one value: acknowledged writes and reads at one version agree on the value;
 *   <li>an acknowledged write read at another version than the one it was acknowledged with was applied twice;
 *   <li>acknowledged writes ordered in real time have increasing versions;
 *   <li>no read (or write) returns a version older than one completed (acknowledged or read) before it was
 *       invoked: a read below an acknowledged write lost that write, below another read it is stale.
 * </ul>
 *
 * Writes that failed have an unknown outcome: their value may be read, and is then held to the same rules.
 * Failed reads are ignored. Times are any monotonic unit; "before" is strict.
 */
public final class HistoryCheck {
    private HistoryCheck() {}

    /**
     * One operation on one chunk. {@code value} is the value written (W) or read (R); {@code version} the chunk
     * version the write was acknowledged with or the read returned (meaningless when not {@code ok}).
     */
    public record Op(
            boolean write, int chunk, long value, long invokeTime, long completeTime, boolean ok, long version) {
        @Override
        public String toString() {
            return (write ? "W" : "R") + (ok ? "" : "(failed)") + " chunk " + chunk + " value " + value + " v" + version
                    + " [" + invokeTime + ", " + completeTime + "]";
        }
    }

    /** The violations found in {@code ops}, at most {@code max}, chunk by chunk in ascending order. */
    public static List<String> check(List<Op> ops, int max) {
        Map<Integer, List<Op>> byChunk = new TreeMap<>();
        for (Op op : ops)
            byChunk.computeIfAbsent(op.chunk(), k -> new ArrayList<>()).add(op);
        List<String> out = new ArrayList<>();
        for (Map.Entry<Integer, List<Op>> e : byChunk.entrySet()) {
            checkValues(e.getKey(), e.getValue(), out);
            checkRealTime(e.getKey(), e.getValue(), out);
        }
        return List.copyOf(out.size() > max ? out.subList(0, max) : out);
    }

    /** Values: known, not read before written, one value per version, each acknowledged write at one version. */
    private static void checkValues(int chunk, List<Op> ops, List<String> out) {
        Map<Long, Op> writes = new HashMap<>();
        for (Op w : ops) {
            if (!w.write()) continue;
            if (w.value() == 0) out.add("chunk " + chunk + ": " + w + " writes the initial value 0");
            Op before = writes.putIfAbsent(w.value(), w);
            if (before != null) out.add("chunk " + chunk + ": two writes of value " + w.value());
        }
        Map<Long, Op> atVersion = new HashMap<>();
        for (Op w : ops) {
            if (!w.write() || !w.ok()) continue;
            if (w.version() < 1) out.add("chunk " + chunk + ": " + w + " acknowledged at version " + w.version());
            name(chunk, w, atVersion, out);
        }
        for (Op r : ops) {
            if (r.write() || !r.ok()) continue;
            if (r.value() == 0) {
                if (r.version() != 0)
                    out.add("chunk " + chunk + ": " + r + " read the initial empty value at version " + r.version());
                continue;
            }
            Op w = writes.get(r.value());
            if (w == null) {
                out.add("chunk " + chunk + ": unknown value: " + r + " returned a value no write wrote");
                continue;
            }
            if (w.invokeTime() > r.completeTime())
                out.add("chunk " + chunk + ": " + r + " returned the value of " + w + " before it was invoked");
            if (w.ok() && w.version() != r.version())
                out.add("chunk " + chunk + ": applied twice: " + w + " acknowledged at version " + w.version() + " but "
                        + r + " read it at version " + r.version());
            name(chunk, r, atVersion, out);
        }
    }

    private static void name(int chunk, Op op, Map<Long, Op> atVersion, List<String> out) {
        if (op.version() == 0 && op.value() != 0) {
            out.add("chunk " + chunk + ": " + op + " has a value at version 0, the initial empty one");
            return;
        }
        Op first = atVersion.putIfAbsent(op.version(), op);
        if (first != null && first.value() != op.value())
            out.add("chunk " + chunk + ": version " + op.version() + " names two values: " + first + " and " + op);
    }

    /**
     * Sweeps operations by time: each must not go below the highest version completed before it was invoked
     * (a write must go above it).
     */
    private static void checkRealTime(int chunk, List<Op> ops, List<String> out) {
        List<Op> done = ops.stream()
                .filter(Op::ok)
                .sorted(Comparator.comparingLong(Op::completeTime))
                .toList();
        List<Op> started = ops.stream()
                .filter(Op::ok)
                .sorted(Comparator.comparingLong(Op::invokeTime))
                .toList();
        int next = 0;
        Op highest = null;
        for (Op op : started) {
            while (next < done.size() && done.get(next).completeTime() < op.invokeTime()) {
                Op d = done.get(next++);
                if (highest == null || d.version() > highest.version()) highest = d;
            }
            if (highest == null) continue;
            if (op.write() && op.version() <= highest.version())
                out.add("chunk " + chunk + ": write out of real-time order: " + op + " not above " + highest
                        + ", which completed before it was invoked");
            else if (!op.write() && op.version() < highest.version())
                out.add("chunk " + chunk + ": " + (highest.write() ? "lost write: " : "stale read: ") + op
                        + " is older than " + highest + ", which completed before it was invoked");
        }
    }
}
