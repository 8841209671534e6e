package io.seabed.basestore;

import io.seabed.basestore.StorageException.Reason;
import io.seabed.basestore.chunk.ChunkEngine;
import java.nio.file.Path;

/**
 * One target as the client sees it: its stable id, directory and engine. A target whose engine
 * failed to open has none and stays OFFLINE for this process.
 */
final class Target {
    final int id;
    final Path directory;
    private final ChunkEngine engine;
    private final StorageException openError;

    Target(int id, Path directory, ChunkEngine engine, StorageException openError) {
        this.id = id;
        this.directory = directory;
        this.engine = engine;
        this.openError = openError;
    }

    TargetState state() {
        return engine == null ? TargetState.OFFLINE : engine.state();
    }

    boolean serving() {
        return state() == TargetState.SERVING;
    }

    /** The engine, or TARGET_OFFLINE if it never opened. */
    ChunkEngine engine() {
        if (engine == null)
            throw new StorageException(Reason.TARGET_OFFLINE, "target " + id + " did not open", openError);
        return engine;
    }

    boolean hasEngine() {
        return engine != null;
    }

    @Override
    public String toString() {
        return "target " + id + " (" + directory + ")";
    }
}
