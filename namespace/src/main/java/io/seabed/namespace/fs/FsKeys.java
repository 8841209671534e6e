package io.seabed.namespace.fs;

import io.seabed.namespace.schema.Keys;
import java.nio.ByteBuffer;

/**
 * Keys of hierarchical buckets (DESIGN §3.2). A directory's records sit together: its attributes {@code A}, its
 * entries {@code D} in name order (for lookups and S3 listings), system records after 0xFE (counters the
 * creates in it update blindly) and its entries again in cookie order after 0xFF (for READDIR, whose cookies
 * are a hash of the name). A file's or symlink's inode {@code I} is keyed by a spread of its id, with its size,
 * modification time and chunk map after it.
 *
 * <pre>
 * 0x20 bucket dir                       A: DirRecord
 * 0x20 bucket dir name 00               D: entry (ino, type)
 * 0x20 bucket dir FE 'n'                subdirectory count (blind add)
 * 0x20 bucket dir FE 'm'                newest change of the entries (blind max, nanoseconds)
 * 0x20 bucket dir FF hash(8) name       H: entry (ino, type), in cookie order
 * 0x30 bucket spread(ino)               I: InodeRecord
 * 0x30 bucket spread(ino) 's'           size (blind max; truncate puts)
 * 0x30 bucket spread(ino) 'm'           newest data write (blind max, nanoseconds)
 * 0x30 bucket spread(ino) 'S'           the S3 view's head (ETag, content type, user metadata) of the bytes an S3
 *                                       PUT wrote; deleted by any later write, so a missing one means "other bytes"
 * 0x30 bucket spread(ino) 'c' index(4)  the chain of data chunk {@code index}
 * 0x01 'i' bucket                       inode id allocator (blind add, leased in blocks)
 * </pre>
 *
 * Inode ids carry their kind in bit 0: directories are odd, files and symlinks even; the root is 1.
 */
final class FsKeys {
    static final byte DIR = 0x20;
    static final byte INODE = 0x30;
    static final byte SYSTEM = (byte) 0xFE;
    static final byte HASHED = (byte) 0xFF;

    private FsKeys() {}

    static boolean isDirectory(long ino) {
        return (ino & 1) == 1;
    }

    static byte[] allocator(long bucket) {
        return ByteBuffer.allocate(10)
                .put(Keys.ALLOCATOR)
                .put((byte) 'i')
                .putLong(bucket)
                .array();
    }

    static byte[] dir(long bucket, long dir) {
        return ByteBuffer.allocate(17).put(DIR).putLong(bucket).putLong(dir).array();
    }

    /** Every key of directory {@code dir}: [dir, dirEnd). */
    static byte[] dirEnd(long bucket, long dir) {
        return Keys.successor(dir(bucket, dir));
    }

    static byte[] entry(long bucket, long dir, byte[] name) {
        return ByteBuffer.allocate(18 + name.length)
                .put(DIR)
                .putLong(bucket)
                .putLong(dir)
                .put(name)
                .put((byte) 0)
                .array();
    }

    /** The entries of {@code dir} in name order lie in [entriesFrom, entriesTo). */
    static byte[] entriesFrom(long bucket, long dir) {
        return ByteBuffer.allocate(18)
                .put(DIR)
                .putLong(bucket)
                .putLong(dir)
                .put((byte) 1)
                .array();
    }

    static byte[] entriesTo(long bucket, long dir) {
        return ByteBuffer.allocate(18)
                .put(DIR)
                .putLong(bucket)
                .putLong(dir)
                .put(SYSTEM)
                .array();
    }

    static byte[] subdirs(long bucket, long dir) {
        return system(bucket, dir, 'n');
    }

    static byte[] dirModified(long bucket, long dir) {
        return system(bucket, dir, 'm');
    }

    private static byte[] system(long bucket, long dir, char what) {
        return ByteBuffer.allocate(19)
                .put(DIR)
                .putLong(bucket)
                .putLong(dir)
                .put(SYSTEM)
                .put((byte) what)
                .array();
    }

    static byte[] hashed(long bucket, long dir, long hash, byte[] name) {
        return ByteBuffer.allocate(26 + name.length)
                .put(DIR)
                .putLong(bucket)
                .putLong(dir)
                .put(HASHED)
                .putLong(hash)
                .put(name)
                .array();
    }

    /** The first cookie-order key at or after {@code hash}. */
    static byte[] hashedFrom(long bucket, long dir, long hash) {
        return ByteBuffer.allocate(26)
                .put(DIR)
                .putLong(bucket)
                .putLong(dir)
                .put(HASHED)
                .putLong(hash)
                .array();
    }

    /** The hash of a cookie-order key. */
    static long hashOf(byte[] hashedKey) {
        return ByteBuffer.wrap(hashedKey).getLong(18);
    }

    static byte[] nameOfHashed(byte[] hashedKey) {
        return java.util.Arrays.copyOfRange(hashedKey, 26, hashedKey.length);
    }

    /** The name of a name-order entry key. */
    static byte[] nameOfEntry(byte[] entryKey) {
        return java.util.Arrays.copyOfRange(entryKey, 17, entryKey.length - 1);
    }

    static byte[] inode(long bucket, long ino) {
        return ByteBuffer.allocate(17)
                .put(INODE)
                .putLong(bucket)
                .putLong(spread(ino))
                .array();
    }

    static byte[] size(long bucket, long ino) {
        return suffixed(bucket, ino, 's');
    }

    static byte[] modified(long bucket, long ino) {
        return suffixed(bucket, ino, 'm');
    }

    static byte[] s3Head(long bucket, long ino) {
        return suffixed(bucket, ino, 'S');
    }

    private static byte[] suffixed(long bucket, long ino, char what) {
        return ByteBuffer.allocate(18)
                .put(INODE)
                .putLong(bucket)
                .putLong(spread(ino))
                .put((byte) what)
                .array();
    }

    static byte[] chunk(long bucket, long ino, int index) {
        return ByteBuffer.allocate(22)
                .put(INODE)
                .putLong(bucket)
                .putLong(spread(ino))
                .put((byte) 'c')
                .putInt(index)
                .array();
    }

    /** The chunk map of {@code ino} from chunk {@code index} on: [chunksFrom(index), chunksEnd). */
    static byte[] chunksFrom(long bucket, long ino, int index) {
        return chunk(bucket, ino, index);
    }

    static byte[] chunksEnd(long bucket, long ino) {
        return suffixed(bucket, ino, 'd');
    }

    static int chunkIndexOf(byte[] chunkKey) {
        return ByteBuffer.wrap(chunkKey).getInt(18);
    }

    /** Every key of inode {@code ino}. */
    static byte[] inodeEnd(long bucket, long ino) {
        return Keys.successor(inode(bucket, ino));
    }

    /**
     * A bijection of inode ids, so consecutive ids (one directory's new files) land far apart in key order and
     * spread over shards once there are several (DESIGN §3.1).
     */
    static long spread(long ino) {
        return ino * 0x9E3779B97F4A7C15L;
    }

    /** The READDIR cookie of {@code name}: a 64-bit hash, at least {@link #FIRST_COOKIE} (0–2 are reserved). */
    static long cookieOf(byte[] name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h &= Long.MAX_VALUE;
        return Math.max(h, FIRST_COOKIE);
    }

    /** Cookies 1 and 2 stand for "." and ".."; names hash to 3 and above (below 2^63). */
    static final long FIRST_COOKIE = 3;

    /** An entry value: the child's inode id (its kind is in the id; symlinks are marked). */
    static byte[] entryValue(long ino, FileType type) {
        return ByteBuffer.allocate(9).putLong(ino).put((byte) type.ordinal()).array();
    }

    static long inoOfEntry(byte[] value) {
        return ByteBuffer.wrap(value).getLong(0);
    }

    static FileType typeOfEntry(byte[] value) {
        return FileType.values()[value[8]];
    }
}
