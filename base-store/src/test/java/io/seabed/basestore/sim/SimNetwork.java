package io.seabed.basestore.sim;

import io.seabed.basestore.sim.SimMessages.Request;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The simulated network and processes. Each message is delivered after a random delay of 1–30 ms (so messages
 * overtake each other) unless dropped (probability {@link #dropRate}). Nothing is delivered to or from a crashed
 * process: a message whose sender or receiver crashed (or restarted: a new incarnation, a new connection) after
 * it was sent is lost. Everything addressed to a paused process (as by SIGSTOP) — messages, its own timers and
 * continuations — waits in its queue and runs, in order, when it resumes, at the new simulated time.
 *
 * <p>An RPC ({@link #call}) fails by timeout at the caller; the simulation has no connection resets.
 */
final class SimNetwork {
    static final long DELAY_MIN_MICROS = 1_000;
    static final long DELAY_MAX_MICROS = 30_000;

    /** Answers requests; calls {@code reply} once, now or later. */
    interface Handler {
        void handle(Request request, Consumer<Object> reply);
    }

    /** A process: a storage node (crashes, restarts, pauses), the manager or a client (never fail). */
    static final class Host {
        final String name;
        boolean up = true;
        boolean paused;
        /** Bumped by each crash and restart: work and messages of an older incarnation are dropped. */
        int incarnation;

        Handler handler;
        /** What arrived or fell due while paused. */
        final ArrayDeque<Runnable> held = new ArrayDeque<>();

        Host(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final SimEvents events;
    private final Map<Integer, Host> nodes = new TreeMap<>();
    final Host manager = new Host("manager");
    double dropRate;
    long messagesSent;
    long messagesDropped;

    SimNetwork(SimEvents events, List<Integer> nodeIds) {
        this.events = events;
        for (int id : nodeIds) nodes.put(id, new Host("n" + id));
    }

    Host node(int nodeId) {
        Host h = nodes.get(nodeId);
        if (h == null) throw new IllegalArgumentException("no node " + nodeId);
        return h;
    }

    /** Runs {@code action} on {@code host} after {@code delayMicros}, if it did not crash meanwhile; held while paused. */
    void runOn(Host host, long delayMicros, Runnable action) {
        int incarnation = host.incarnation;
        events.after(delayMicros, () -> gate(host, incarnation, action));
    }

    private static void gate(Host host, int incarnation, Runnable action) {
        if (!host.up || host.incarnation != incarnation) return;
        if (host.paused) {
            host.held.add(action);
            return;
        }
        action.run();
    }

    /** Sends {@code message}; {@code deliver} runs on {@code to} when (if) it arrives. */
    void send(Host from, Host to, Object message, Runnable deliver) {
        messagesSent++;
        if (events.chance(dropRate)) {
            messagesDropped++;
            if (events.tracing) events.trace("drop " + from + "->" + to + " " + message);
            return;
        }
        int fromIncarnation = from.incarnation;
        int toIncarnation = to.incarnation;
        events.after(events.between(DELAY_MIN_MICROS, DELAY_MAX_MICROS), () -> {
            if (!from.up || from.incarnation != fromIncarnation || !to.up || to.incarnation != toIncarnation) {
                if (events.tracing) events.trace("lost (crash) " + from + "->" + to + " " + message);
                return;
            }
            if (events.tracing) events.trace(to + (to.paused ? " queues " : " <- ") + from + " " + message);
            gate(to, toIncarnation, deliver);
        });
    }

    /**
     * Calls {@code to}'s handler with {@code request}; {@code onReply} runs on {@code from} with the reply, or
     * with null when none came within {@code timeoutMicros} (a later reply is ignored). A reply reaching a caller
     * that crashed (or restarted) since the call is lost: the call died with that incarnation.
     */
    void call(Host from, Host to, Request request, long timeoutMicros, Consumer<Object> onReply) {
        boolean[] done = {false};
        int callerIncarnation = from.incarnation;
        runOn(from, timeoutMicros, () -> {
            if (done[0]) return;
            done[0] = true;
            if (events.tracing) events.trace(from + " timed out on " + to + " " + request);
            onReply.accept(null);
        });
        send(from, to, request, () -> {
            boolean[] replied = {false};
            to.handler.handle(request, reply -> {
                if (replied[0]) throw new IllegalStateException(to + " answered " + request + " twice");
                replied[0] = true;
                send(to, from, reply, () -> {
                    if (done[0] || from.incarnation != callerIncarnation) return;
                    done[0] = true;
                    onReply.accept(reply);
                });
            });
        });
    }

    void crash(Host host) {
        host.up = false;
        host.paused = false;
        host.held.clear();
        host.incarnation++;
    }

    void restart(Host host, Handler handler) {
        if (host.up) throw new IllegalStateException(host + " is up");
        host.incarnation++;
        host.up = true;
        host.handler = handler;
    }

    void pause(Host host) {
        host.paused = true;
    }

    /** Resumes {@code host}: what it holds runs now, in arrival order. */
    void resume(Host host) {
        host.paused = false;
        while (!host.held.isEmpty()) runOn(host, 0, host.held.poll());
    }
}
