package io.seabed.namespace.fs;

/**
 * The POSIX attributes of one inode of a hierarchical bucket.
 *
 * @param ino the inode id, unique in its bucket and never reused
 * @param generation changes when an inode id would be reused (never today: it is 1), part of file handles
 * @param mode permission bits (07777), without the type
 * @param size bytes of a file, of a symlink's target, or (directories) a nominal size
 * @param nlink links: names of a file; 2 + subdirectories of a directory
 * @param atimeNanos access time, nanoseconds since the epoch (as are mtime and ctime)
 * @param used bytes of storage the data uses (sparse files use less than their size)
 */
public record Attr(
        long ino,
        long generation,
        FileType type,
        int mode,
        int uid,
        int gid,
        long size,
        long used,
        int nlink,
        long atimeNanos,
        long mtimeNanos,
        long ctimeNanos) {}
