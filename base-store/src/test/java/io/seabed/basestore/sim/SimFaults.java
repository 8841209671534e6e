package io.seabed.basestore.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The faults of one run: node crashes (restarted after a while, the disk kept) and pauses (resumed after a
 * while), drawn from the seed or given by a scenario. A fault whose node is already down or paused, or that
 * would make more than {@link #FAULTY_NODES_MAX} nodes faulty at once, is skipped when its time comes, so every
 * chain keeps or regains a replica; at the end of the fault phase every node is restarted and resumed.
 */
record SimFaults(List<Fault> faults) {
    static final int FAULTY_NODES_MAX = 2;

    enum Kind {
        CRASH,
        PAUSE
    }

    /** {@code node} crashes or pauses at {@code atMicros} and restarts or resumes {@code forMicros} later. */
    record Fault(long atMicros, int node, Kind kind, long forMicros) {
        @Override
        public String toString() {
            return kind + " n" + node + " at " + atMicros / 1000 + " ms for " + forMicros / 1000 + " ms";
        }
    }

    SimFaults {
        faults = List.copyOf(faults);
    }

    /**
     * 2 to 5 faults per 3 s between 300 ms and 300 ms before {@code faultEndMicros}: half crashes (restart after
     * 50–1,500 ms), half pauses (resume after 50–900 ms: often past the offline period, sometimes past the
     * fence period only).
     */
    static SimFaults random(SimEvents events, int nodes, long faultEndMicros) {
        List<Fault> out = new ArrayList<>();
        int count = (int) Math.max(1, (2 + events.nextInt(4)) * faultEndMicros / 3_000_000);
        for (int i = 0; i < count; i++) {
            long at = events.between(300_000, faultEndMicros - 300_000);
            int node = 1 + events.nextInt(nodes);
            boolean crash = events.nextInt(2) == 0;
            long duration = crash ? events.between(50_000, 1_500_000) : events.between(50_000, 900_000);
            out.add(new Fault(at, node, crash ? Kind.CRASH : Kind.PAUSE, duration));
        }
        return new SimFaults(out);
    }
}
