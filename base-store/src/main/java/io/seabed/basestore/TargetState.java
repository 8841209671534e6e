package io.seabed.basestore;

/**
 * The public state of one target in this process. Only the two states a local target can reach
 * exist yet; DESIGN §4's syncing, waiting and lastsrv arrive with CRAQ chains.
 */
public enum TargetState {
    /** Accepts reads and writes. */
    SERVING,
    /** Failed an fsync or an I/O; refuses everything until the process restarts. */
    OFFLINE
}
