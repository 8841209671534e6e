package io.seabed.namespace.fs;

/** An error of a file-system operation; each maps to one NFS3ERR_* status (and S3 error, where one applies). */
public final class FsException extends RuntimeException {
    public enum Status {
        /** No such entry or inode. */
        NOENT,
        /** The name exists. */
        EXIST,
        /** A path component or the operation's target is not a directory. */
        NOTDIR,
        /** A directory where a file was needed. */
        ISDIR,
        /** A directory that is not empty. */
        NOTEMPTY,
        /** The inode no longer exists (a handle outlived it). */
        STALE,
        /** An invalid argument: a bad name (".", "..", "/", NUL, not UTF-8), a rename into its own subtree. */
        INVAL,
        /** A name over {@link FileSystem#NAME_BYTES_MAX} bytes. */
        NAMETOOLONG,
        /** A size or offset beyond {@link FileSystem#FILE_BYTES_MAX}. */
        FBIG,
        /** Permission denied. */
        ACCES,
        /** The export or bucket is read-only. */
        ROFS,
        /** A guarded SETATTR whose ctime did not match. */
        NOT_SYNC,
        /** Not supported (device nodes, sockets). */
        NOTSUPP,
        /** Too many links to one inode. */
        MLINK,
        /** Storage or metadata cannot serve now; the client may retry. */
        JUKEBOX,
        /** An I/O error. */
        IO
    }

    private final Status status;

    public FsException(Status status, String detail) {
        super(status + ": " + detail);
        this.status = status;
    }

    public FsException(Status status, String detail, Throwable cause) {
        super(status + ": " + detail, cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
