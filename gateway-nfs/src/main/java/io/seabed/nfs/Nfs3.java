package io.seabed.nfs;

import io.seabed.namespace.fs.FsException;

/** Numbers of NFSv3 (RFC 1813) and MOUNT v3: programs, procedures, statuses. */
final class Nfs3 {
    private Nfs3() {}

    static final int PROGRAM = 100003;
    static final int VERSION = 3;
    static final int MOUNT_PROGRAM = 100005;
    static final int MOUNT_VERSION = 3;

    // Procedures, in RFC 1813 order; the numbers are the protocol's.
    static final int NULL = 0;
    static final int GETATTR = 1;
    static final int SETATTR = 2;
    static final int LOOKUP = 3;
    static final int ACCESS = 4;
    static final int READLINK = 5;
    static final int READ = 6;
    static final int WRITE = 7;
    static final int CREATE = 8;
    static final int MKDIR = 9;
    static final int SYMLINK = 10;
    static final int MKNOD = 11;
    static final int REMOVE = 12;
    static final int RMDIR = 13;
    static final int RENAME = 14;
    static final int LINK = 15;
    static final int READDIR = 16;
    static final int READDIRPLUS = 17;
    static final int FSSTAT = 18;
    static final int FSINFO = 19;
    static final int PATHCONF = 20;
    static final int COMMIT = 21;

    static final int OK = 0;
    static final int ERR_PERM = 1;
    static final int ERR_NOENT = 2;
    static final int ERR_IO = 5;
    static final int ERR_ACCES = 13;
    static final int ERR_EXIST = 17;
    static final int ERR_NOTDIR = 20;
    static final int ERR_ISDIR = 21;
    static final int ERR_INVAL = 22;
    static final int ERR_FBIG = 27;
    static final int ERR_NOSPC = 28;
    static final int ERR_ROFS = 30;
    static final int ERR_MLINK = 31;
    static final int ERR_NAMETOOLONG = 63;
    static final int ERR_NOTEMPTY = 66;
    static final int ERR_STALE = 70;
    static final int ERR_BADHANDLE = 10001;
    static final int ERR_NOT_SYNC = 10002;
    static final int ERR_BAD_COOKIE = 10003;
    static final int ERR_NOTSUPP = 10004;
    static final int ERR_TOOSMALL = 10005;
    static final int ERR_SERVERFAULT = 10006;
    static final int ERR_JUKEBOX = 10008;

    // File types (ftype3).
    static final int REG = 1;
    static final int DIR = 2;
    static final int LNK = 5;

    // ACCESS bits.
    static final int ACCESS_READ = 0x01;
    static final int ACCESS_LOOKUP = 0x02;
    static final int ACCESS_MODIFY = 0x04;
    static final int ACCESS_EXTEND = 0x08;
    static final int ACCESS_DELETE = 0x10;
    static final int ACCESS_EXECUTE = 0x20;

    // WRITE stability.
    static final int UNSTABLE = 0;
    static final int FILE_SYNC = 2;

    // MOUNT statuses.
    static final int MNT_OK = 0;
    static final int MNT_NOENT = 2;
    static final int MNT_ACCES = 13;
    static final int MNT_NOTDIR = 20;
    static final int MNT_SERVERFAULT = 10006;

    static int status(FsException.Status s) {
        return switch (s) {
            case NOENT -> ERR_NOENT;
            case EXIST -> ERR_EXIST;
            case NOTDIR -> ERR_NOTDIR;
            case ISDIR -> ERR_ISDIR;
            case NOTEMPTY -> ERR_NOTEMPTY;
            case STALE -> ERR_STALE;
            case INVAL -> ERR_INVAL;
            case NAMETOOLONG -> ERR_NAMETOOLONG;
            case FBIG -> ERR_FBIG;
            case ACCES -> ERR_ACCES;
            case ROFS -> ERR_ROFS;
            case NOT_SYNC -> ERR_NOT_SYNC;
            case NOTSUPP -> ERR_NOTSUPP;
            case MLINK -> ERR_MLINK;
            case JUKEBOX -> ERR_JUKEBOX;
            case IO -> ERR_IO;
        };
    }
}
