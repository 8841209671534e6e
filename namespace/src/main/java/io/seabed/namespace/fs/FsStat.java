package io.seabed.namespace.fs;

/** Space and inode counts of a hierarchical bucket, for FSSTAT. */
public record FsStat(long totalBytes, long freeBytes, long totalFiles, long freeFiles) {}
