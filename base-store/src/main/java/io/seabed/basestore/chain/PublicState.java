package io.seabed.basestore.chain;

/**
 * A target's state in its chain as the cluster manager publishes it (DESIGN §4, 3FS's state machine).
 * The wire number of a state never changes meaning.
 */
public enum PublicState {
    /** Holds every committed version; serves reads and writes. */
    SERVING(1),
    /** Being filled from its predecessor: receives writes (as the chain's last member), serves no reads. */
    SYNCING(2),
    /** Back or new, waiting for its turn to sync; out of the data path. */
    WAITING(3),
    /**
     * Was the chain's last serving member when it failed: it holds the newest data, so when it returns it
     * serves again without a sync (the others sync from it). Out of the data path while away.
     */
    LASTSRV(4),
    /** Failed or unreachable; out of the data path, moved to the chain's end. */
    OFFLINE(5);

    private final int wire;

    PublicState(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public static PublicState ofWire(int wire) {
        for (PublicState s : values()) if (s.wire == wire) return s;
        throw new IllegalArgumentException("no public target state " + wire);
    }

    /** Whether chunk updates flow through a target in this state. */
    public boolean inWritePath() {
        return this == SERVING || this == SYNCING;
    }

    /** Whether a target in this state answers reads. */
    public boolean serving() {
        return this == SERVING;
    }
}
