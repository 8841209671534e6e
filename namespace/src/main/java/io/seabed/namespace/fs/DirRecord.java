package io.seabed.namespace.fs;

import io.seabed.namespace.schema.ValueReader;
import io.seabed.namespace.schema.ValueWriter;

/**
 * A directory's attributes {@code A} (its entries' count and change time are blind counters beside it).
 *
 * @param parent the parent directory (the root's is itself)
 * @param name its name in the parent (empty for the root), for walking up and for S3 listings
 * @param implicit made by an S3 PUT below it rather than by MKDIR or a PUT of "name/": it has no S3 key of its
 *     own and goes when an S3 DELETE removes its last entry (DESIGN §3.4)
 */
record DirRecord(
        long parent, String name, int mode, int uid, int gid, long atime, long mtime, long ctime, boolean implicit) {
    /** Format 1 had no implicit flag (every directory was explicit); it is still read. */
    private static final int FORMAT_1 = 1;

    private static final int FORMAT = 2;

    DirRecord(long parent, String name, int mode, int uid, int gid, long atime, long mtime, long ctime) {
        this(parent, name, mode, uid, gid, atime, mtime, ctime, false);
    }

    byte[] encode() {
        return new ValueWriter(48)
                .u8(FORMAT)
                .fixedLong(parent)
                .string(name)
                .varLong(mode)
                .varLong(uid & 0xFFFFFFFFL)
                .varLong(gid & 0xFFFFFFFFL)
                .fixedLong(atime)
                .fixedLong(mtime)
                .fixedLong(ctime)
                .u8(implicit ? 1 : 0)
                .toByteArray();
    }

    static DirRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT && format != FORMAT_1)
            throw new IllegalStateException("directory record format=" + format);
        long parent = r.fixedLong();
        String name = r.string();
        int mode = (int) r.varLong();
        int uid = (int) r.varLong();
        int gid = (int) r.varLong();
        long atime = r.fixedLong();
        long mtime = r.fixedLong();
        long ctime = r.fixedLong();
        boolean implicit = format != FORMAT_1 && r.u8() == 1;
        return new DirRecord(parent, name, mode, uid, gid, atime, mtime, ctime, implicit);
    }

    DirRecord withParent(long newParent, String newName, long now) {
        return new DirRecord(newParent, newName, mode, uid, gid, atime, mtime, now, implicit);
    }

    /** The directory made explicit (an S3 PUT of "name/" or a MKDIR of it). */
    DirRecord explicit(long now) {
        return new DirRecord(parent, name, mode, uid, gid, atime, mtime, now, false);
    }
}
