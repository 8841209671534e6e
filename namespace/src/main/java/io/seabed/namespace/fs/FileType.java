package io.seabed.namespace.fs;

/** The kinds of inode a hierarchical bucket holds. */
public enum FileType {
    FILE,
    DIRECTORY,
    SYMLINK
}
