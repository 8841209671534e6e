package io.seabed.namespace.fs;

import java.nio.ByteBuffer;

/**
 * One hierarchical bucket as a file system (DESIGN §3.2–3.4): the operations the NFS front needs, on inode ids.
 * Names are one path component in UTF-8: not empty, not "." or "..", without '/' or NUL, at most
 * {@link #NAME_BYTES_MAX} bytes. Every method blocks (metadata and storage I/O); call it from a worker thread.
 * Errors: {@link FsException}. Times are nanoseconds since the epoch.
 *
 * <p>Thread safety: any thread, concurrently; each operation is atomic (one meta-kv transaction for its
 * metadata), so a RENAME is seen whole or not at all by LOOKUP and READDIR.
 */
public interface FileSystem {
    int NAME_BYTES_MAX = 255;

    /** Largest file size and write end: 4 TiB. */
    long FILE_BYTES_MAX = 1L << 42;

    /** Longest symlink target, in bytes. */
    int SYMLINK_BYTES_MAX = 4096;

    /** The bucket's id. */
    long bucketId();

    /** The bucket's name. */
    String bucketName();

    /** The root directory's inode id. */
    long rootIno();

    /** STALE when {@code ino} does not exist (any more). */
    Attr getattr(long ino);

    /**
     * Changes attributes; a size truncates or extends (with zeros) a file. {@code guardCtimeNanos} (null: none):
     * NOT_SYNC unless the inode's ctime equals it. ISDIR for a size on a directory.
     */
    Attr setattr(long ino, SetAttr change, Long guardCtimeNanos);

    /** The attributes of {@code name} in directory {@code dir}; "." and ".." are answered too. */
    Attr lookup(long dir, String name);

    /** How CREATE treats an existing name. */
    enum CreateMode {
        /** An existing file is kept (its size set to 0 when the caller passes a size 0 change). */
        UNCHECKED,
        /** EXIST if the name exists. */
        GUARDED,
        /** EXIST unless the name exists with the same verifier (a retried exclusive create). */
        EXCLUSIVE
    }

    /**
     * Creates a regular file. {@code verifier} (8 bytes) is kept for EXCLUSIVE. An existing non-file under
     * UNCHECKED is EXIST (ISDIR for a directory).
     */
    Attr create(long dir, String name, CreateMode how, int mode, int uid, int gid, byte[] verifier);

    Attr mkdir(long dir, String name, int mode, int uid, int gid);

    Attr symlink(long dir, String name, String target, int mode, int uid, int gid);

    /** INVAL when {@code ino} is not a symlink. */
    String readlink(long ino);

    /** Unlinks a non-directory; ISDIR for a directory. Data goes when the last link does. */
    void remove(long dir, String name);

    /** Removes an empty directory: NOTDIR, NOTEMPTY. */
    void rmdir(long dir, String name);

    /**
     * Atomically moves {@code fromName} in {@code fromDir} to {@code toName} in {@code toDir}, replacing a
     * target of a compatible kind (a file by a file, an empty directory by a directory); INVAL when a directory
     * would move into its own subtree; renaming a name onto a link of the same inode does nothing.
     */
    void rename(long fromDir, String fromName, long toDir, String toName);

    /** A hard link to file {@code ino} as {@code name} in {@code dir}; ISDIR for a directory. */
    Attr link(long ino, long dir, String name);

    /**
     * Up to {@code maxEntries} entries of {@code dir} after {@code cookie} (0: from the start), in name order,
     * "." and ".." first; attributes too when {@code withAttrs}. A cookie stays valid while the directory
     * changes: the listing resumes after the name it came from.
     */
    DirPage readdir(long dir, long cookie, int maxEntries, boolean withAttrs);

    /** The cookie verifier of {@code dir}: constant for the directory's life. */
    long cookieVerifier(long dir);

    /**
     * Reads from {@code offset} into {@code into} (up to its remaining bytes, stopping at the end of the file;
     * holes read as zeros); returns the bytes read. ISDIR, INVAL (not a file).
     */
    int read(long ino, long offset, ByteBuffer into);

    /**
     * Writes {@code data} at {@code offset} durably (extending the file, leaving a hole before it if the offset
     * is past the end), and raises mtime/ctime; returns the attributes after. FBIG past
     * {@link #FILE_BYTES_MAX}.
     */
    Attr write(long ino, long offset, ByteBuffer data);

    FsStat statfs();
}
