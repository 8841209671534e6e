package io.seabed.basestore.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.sim.HistoryCheck.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The history checker accepts a clean history and names each kind of violation. */
class HistoryCheckTest {
    private static Op write(long value, long invoke, long complete, long version) {
        return new Op(true, 0, value, invoke, complete, true, version);
    }

    private static Op failedWrite(long value, long invoke, long complete) {
        return new Op(true, 0, value, invoke, complete, false, 0);
    }

    private static Op read(long value, long invoke, long complete, long version) {
        return new Op(false, 0, value, invoke, complete, true, version);
    }

    /** Concurrent writes, a failed write read later, reads of the initial value and overlapping reads. */
    private static List<Op> clean() {
        return new ArrayList<>(List.of(
                read(0, 0, 5, 0),
                write(11, 10, 30, 1),
                write(12, 20, 40, 2),
                read(11, 25, 35, 1),
                read(12, 31, 45, 2),
                failedWrite(13, 50, 60),
                read(12, 55, 65, 2),
                read(13, 70, 80, 3),
                write(14, 85, 95, 4),
                read(14, 100, 110, 4),
                new Op(false, 0, 0, 111, 120, false, 0),
                new Op(false, 1, 0, 0, 10, true, 0)));
    }

    private static void assertFlags(List<Op> ops, String kind) {
        List<String> violations = HistoryCheck.check(ops, 10);
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.getFirst().contains(kind), violations.toString());
    }

    @Test
    void acceptsACleanHistory() {
        assertEquals(List.of(), HistoryCheck.check(clean(), 10));
    }

    @Test
    void flagsAStaleRead() {
        List<Op> ops = clean();
        ops.add(read(12, 81, 84, 2)); // after the read of the failed write at version 3 completed
        assertFlags(ops, "stale read");
    }

    @Test
    void flagsALostWrite() {
        List<Op> ops = clean();
        ops.add(write(15, 120, 130, 5));
        ops.add(read(14, 140, 150, 4));
        assertFlags(ops, "lost write");
    }

    @Test
    void flagsADoubleApply() {
        List<Op> ops = clean();
        ops.add(write(15, 120, 130, 5));
        ops.add(write(16, 140, 150, 6));
        ops.add(read(15, 160, 170, 7)); // the acknowledged write 15 again, on top of 16
        List<String> violations = HistoryCheck.check(ops, 10);
        assertTrue(violations.stream().anyMatch(v -> v.contains("applied twice")), violations.toString());
    }

    @Test
    void flagsAnUnknownValue() {
        List<Op> ops = clean();
        ops.add(read(77, 120, 130, 4));
        List<String> violations = HistoryCheck.check(ops, 10);
        assertTrue(violations.getFirst().contains("unknown value"), violations.toString());
    }

    @Test
    void flagsAValueReadBeforeItsWrite() {
        List<Op> ops = clean();
        ops.add(read(15, 112, 115, 5));
        ops.add(failedWrite(15, 120, 130));
        assertFlags(ops, "before it was invoked");
    }

    @Test
    void flagsTwoValuesAtOneVersion() {
        List<Op> ops = clean();
        ops.add(write(15, 120, 130, 5));
        ops.add(failedWrite(16, 120, 130));
        ops.add(read(16, 125, 135, 5));
        assertFlags(ops, "names two values");
    }

    @Test
    void flagsWritesOutOfRealTimeOrder() {
        List<Op> ops = clean();
        ops.add(write(15, 120, 130, 3));
        List<String> violations = HistoryCheck.check(ops, 10);
        assertTrue(
                violations.stream().anyMatch(v -> v.contains("write out of real-time order")), violations.toString());
    }

    @Test
    void reportsAtMostMax() {
        List<Op> ops = clean();
        for (int i = 0; i < 20; i++) ops.add(read(1000 + i, 200, 210, 9));
        assertEquals(3, HistoryCheck.check(ops, 3).size());
    }
}
