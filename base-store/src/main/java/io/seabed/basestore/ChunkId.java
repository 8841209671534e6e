package io.seabed.basestore;

/** A chunk's 128-bit identity, chosen by the writer (derived from its write's uid and the chunk index). */
public record ChunkId(long high, long low) {
    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
