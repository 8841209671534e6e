package io.seabed.basestore.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The simulation's clock (microseconds from 0), its time-ordered event queue and its one source of randomness.
 * Events run one at a time in (time, sequence number) order, so one seed always gives the same run. No wall
 * clock, no threads.
 *
 * <p>The trace is recorded only when {@code tracing}: a failed seed is run again with it on (same seed, same
 * run) to print what happened.
 */
final class SimEvents {
    private record Event(long timeMicros, long seq, Runnable action) {}

    private final PriorityQueue<Event> queue =
            new PriorityQueue<>(Comparator.comparingLong(Event::timeMicros).thenComparingLong(Event::seq));
    private final SplittableRandom random;
    final boolean tracing;
    private final List<String> trace = new ArrayList<>();
    private long nowMicros;
    private long seq;
    private long eventsRun;

    SimEvents(long seed, boolean tracing) {
        this.random = new SplittableRandom(seed);
        this.tracing = tracing;
    }

    long now() {
        return nowMicros;
    }

    long eventsRun() {
        return eventsRun;
    }

    void at(long timeMicros, Runnable action) {
        if (timeMicros < nowMicros)
            throw new IllegalStateException("event at " + timeMicros + " µs < now " + nowMicros + " µs");
        queue.add(new Event(timeMicros, seq++, action));
    }

    void after(long delayMicros, Runnable action) {
        at(nowMicros + delayMicros, action);
    }

    /**
     * Runs events up to {@code untilMicros} (the clock then reads it) or until {@code done} holds, checked
     * before each event; returns whether {@code done} held.
     */
    boolean runUntil(long untilMicros, BooleanSupplier done) {
        while (true) {
            if (done.getAsBoolean()) return true;
            Event next = queue.peek();
            if (next == null || next.timeMicros() > untilMicros) {
                nowMicros = Math.max(nowMicros, untilMicros);
                return false;
            }
            queue.poll();
            nowMicros = next.timeMicros();
            eventsRun++;
            next.action().run();
        }
    }

    /** Uniform in [lo, hi]. */
    long between(long lo, long hi) {
        return lo + random.nextLong(hi - lo + 1);
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    boolean chance(double probability) {
        return probability > 0 && random.nextDouble() < probability;
    }

    /** Records a line of the trace (callers test {@link #tracing} first when the line is costly to build). */
    void trace(String line) {
        if (tracing) trace.add(String.format("%10.3f ms  %s", nowMicros / 1000.0, line));
    }

    List<String> trace() {
        return trace;
    }
}
