package io.seabed.namespace.fs;

import io.seabed.namespace.schema.ValueReader;
import io.seabed.namespace.schema.ValueWriter;

/**
 * The inode {@code I} of a file or symlink (its size, data-write time and chunk map are separate keys beside it).
 *
 * @param target a symlink's target (empty for files)
 * @param verifier the verifier of the exclusive CREATE that made it (empty otherwise)
 */
record InodeRecord(
        FileType type,
        int mode,
        int uid,
        int gid,
        int nlink,
        long atime,
        long mtime,
        long ctime,
        String target,
        byte[] verifier) {
    private static final int FORMAT = 1;

    byte[] encode() {
        return new ValueWriter(64 + target.length())
                .u8(FORMAT)
                .u8(type.ordinal())
                .varLong(mode)
                .varLong(uid & 0xFFFFFFFFL)
                .varLong(gid & 0xFFFFFFFFL)
                .varLong(nlink)
                .fixedLong(atime)
                .fixedLong(mtime)
                .fixedLong(ctime)
                .string(target)
                .bytes(verifier)
                .toByteArray();
    }

    static InodeRecord decode(byte[] v) {
        ValueReader r = new ValueReader(v);
        int format = r.u8();
        if (format != FORMAT) throw new IllegalStateException("inode record format=" + format);
        return new InodeRecord(
                FileType.values()[r.u8()],
                (int) r.varLong(),
                (int) r.varLong(),
                (int) r.varLong(),
                (int) r.varLong(),
                r.fixedLong(),
                r.fixedLong(),
                r.fixedLong(),
                r.string(),
                r.bytes());
    }

    InodeRecord withLinks(int links, long now) {
        return new InodeRecord(type, mode, uid, gid, links, atime, mtime, now, target, verifier);
    }

    InodeRecord with(int newMode, int newUid, int newGid, long newAtime, long newMtime, long now) {
        return new InodeRecord(type, newMode, newUid, newGid, nlink, newAtime, newMtime, now, target, verifier);
    }
}
