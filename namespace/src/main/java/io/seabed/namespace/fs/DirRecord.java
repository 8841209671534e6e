package io.seabed.namespace.fs;

import io.seabed.namespace.schema.ValueReader;
import io.seabed.namespace.schema.ValueWriter;

/**
 * A directory's attributes {@code A} (its entries' count and change time are blind counters beside it).
 *
 * @param parent the parent directory (the root's is itself)
 * @param name its name in the parent (empty for the root), for walking up and for S3 listings
 */
record DirRecord(long parent, String name, int mode, int uid, int gid, long atime, long mtime, long ctime) {
    private static final int FORMAT = 1;

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
                .toByteArray();
    }

    static DirRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("directory record format=" + format);
        return new DirRecord(
                r.fixedLong(),
                r.string(),
                (int) r.varLong(),
                (int) r.varLong(),
                (int) r.varLong(),
                r.fixedLong(),
                r.fixedLong(),
                r.fixedLong());
    }

    DirRecord withParent(long newParent, String newName, long now) {
        return new DirRecord(newParent, newName, mode, uid, gid, atime, mtime, now);
    }
}
