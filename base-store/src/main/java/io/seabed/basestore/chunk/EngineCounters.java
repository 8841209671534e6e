package io.seabed.basestore.chunk;

import java.util.concurrent.atomic.LongAdder;

/** The counters of one chunk engine; written from any thread, read by {@link ChunkEngine#stats}. */
final class EngineCounters {
    final LongAdder writes = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder commitGroups = new LongAdder();
    final LongAdder fileForces = new LongAdder();
    final LongAdder metadataSyncs = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder corruptBlocksDetected = new LongAdder();
}
