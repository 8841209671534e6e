package io.seabed.basestore.chunk;

import java.nio.file.Path;

/** Where a committed chunk's bytes are on disk; for tests (byte flips), the scrubber and tooling. */
public record BlockLocation(Path file, long offsetBytes, int lengthBytes, long version) {}
