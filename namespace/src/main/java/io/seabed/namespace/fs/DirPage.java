package io.seabed.namespace.fs;

import java.util.List;

/** A page of a directory listing, in name order; {@code eof} when no entry follows the last. */
public record DirPage(List<DirEntry> entries, boolean eof) {}
