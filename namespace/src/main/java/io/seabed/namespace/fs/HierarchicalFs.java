package io.seabed.namespace.fs;

import io.seabed.basestore.ChunkId;
import io.seabed.basestore.StorageException;
import io.seabed.basestore.chain.ChainClient;
import io.seabed.basestore.chain.ChainMessages.UpdateKind;
import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.Txn;
import io.seabed.namespace.fs.FsException.Status;
import io.seabed.namespace.schema.GarbageRecord;
import io.seabed.namespace.schema.Keys;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * A hierarchical bucket on meta-kv and the storage base (DESIGN §3.2–3.3): the {@link FileSystem} of one bucket.
 * Every metadata operation is one meta-kv transaction; creates and removes touch their directory's records and
 * the new or removed inode, updating the directory's counters blindly, so creates in one directory do not
 * conflict with each other. Rename is one transaction whatever it moves, with the loop check in it.
 *
 * <p>File data lives in mutable chunks of {@link #CHUNK_BYTES} on chains, written in place (WRITE_AT, TRUNCATE);
 * each chunk's chain is recorded in the chunk map before its first byte is written, so a crash leaves at worst a
 * map entry whose chunk does not exist (read as a hole), never data without metadata. An unlinked inode's chunk
 * map stays until the garbage collector has removed its chunks (a garbage record names the inode).
 *
 * <p>Thread safety: any thread.
 */
public final class HierarchicalFs implements FileSystem {
    /** Bytes of one data chunk of a file. */
    public static final int CHUNK_BYTES = 8 << 20;

    public static final long ROOT = 1;

    /** Inode ids one lease of the allocator takes. */
    static final int IDS_PER_LEASE = 1024;

    /** Links one file may have. */
    static final int LINKS_MAX = 65_000;

    /** Entries one READDIR reads at most, whatever it asks. */
    static final int READDIR_MAX = 4096;

    private static final long CHUNK_ID_TAG = 0x46L << 56;

    private final MetaKv kv;
    private final ChainClient chunks;
    private final long bucket;
    private final String bucketName;
    private final InstantSource clock;
    private final Supplier<FsStat> space;
    private final long garbageDelayMillis;
    private long nextId;
    private long leaseEnd;

    public HierarchicalFs(
            MetaKv kv,
            ChainClient chunks,
            long bucketId,
            String bucketName,
            InstantSource clock,
            Supplier<FsStat> space) {
        this(kv, chunks, bucketId, bucketName, clock, space, 0);
    }

    /**
     * @param garbageDelayMillis how long the data of an inode whose last link went stays readable (for S3 GETs in
     *     flight that opened it before)
     */
    public HierarchicalFs(
            MetaKv kv,
            ChainClient chunks,
            long bucketId,
            String bucketName,
            InstantSource clock,
            Supplier<FsStat> space,
            long garbageDelayMillis) {
        this.garbageDelayMillis = garbageDelayMillis;
        this.kv = kv;
        this.chunks = chunks;
        this.bucket = bucketId;
        this.bucketName = bucketName;
        this.clock = clock;
        this.space = space;
    }

    /** Puts the root directory of a new hierarchical bucket (in the bucket's creating transaction). */
    public static void createRoot(Txn txn, long bucketId, int uid, int gid, long nowNanos) {
        txn.put(
                FsKeys.dir(bucketId, ROOT),
                new DirRecord(ROOT, "", 0755, uid, gid, nowNanos, nowNanos, nowNanos).encode());
    }

    /** Whether the bucket's root directory has no entries (DeleteBucket's check, in its transaction). */
    public static boolean isEmpty(Txn txn, long bucketId) {
        return txn.scan(FsKeys.entriesFrom(bucketId, ROOT), FsKeys.entriesTo(bucketId, ROOT), 1, false)
                .isEmpty();
    }

    /** Deletes the empty root directory's records and the inode allocator (DeleteBucket, in its transaction). */
    public static void deleteRoot(Txn txn, long bucketId) {
        txn.deleteRange(FsKeys.dir(bucketId, ROOT), FsKeys.dirEnd(bucketId, ROOT));
        txn.delete(FsKeys.allocator(bucketId));
    }

    @Override
    public long bucketId() {
        return bucket;
    }

    @Override
    public String bucketName() {
        return bucketName;
    }

    @Override
    public long rootIno() {
        return ROOT;
    }

    // ---- attributes ----

    @Override
    public Attr getattr(long ino) {
        return run(txn -> attrOf(txn, ino));
    }

    /** The attributes of {@code ino}; STALE when it does not exist. */
    Attr attrOf(Txn txn, long ino) {
        if (FsKeys.isDirectory(ino)) {
            List<byte[]> v = txn.multiGet(
                    List.of(FsKeys.dir(bucket, ino), FsKeys.subdirs(bucket, ino), FsKeys.dirModified(bucket, ino)));
            if (v.get(0) == null) throw new FsException(Status.STALE, "no directory " + ino);
            return dirAttr(ino, DirRecord.decode(v.get(0)), Keys.longOf(v.get(1)), Keys.longOf(v.get(2)));
        }
        List<byte[]> v = txn.multiGet(
                List.of(FsKeys.inode(bucket, ino), FsKeys.size(bucket, ino), FsKeys.modified(bucket, ino)));
        if (v.get(0) == null) throw new FsException(Status.STALE, "no inode " + ino);
        return inodeAttr(ino, InodeRecord.decode(v.get(0)), Keys.longOf(v.get(1)), Keys.longOf(v.get(2)));
    }

    private static Attr dirAttr(long ino, DirRecord d, long subdirs, long modified) {
        return new Attr(
                ino,
                1,
                FileType.DIRECTORY,
                d.mode(),
                d.uid(),
                d.gid(),
                4096,
                4096,
                (int) Math.min(Integer.MAX_VALUE, 2 + subdirs),
                d.atime(),
                Math.max(d.mtime(), modified),
                Math.max(d.ctime(), modified));
    }

    private static Attr inodeAttr(long ino, InodeRecord i, long size, long modified) {
        long length = i.type() == FileType.SYMLINK ? i.target().getBytes(StandardCharsets.UTF_8).length : size;
        return new Attr(
                ino,
                1,
                i.type(),
                i.mode(),
                i.uid(),
                i.gid(),
                length,
                ((length + 4095) / 4096) * 4096,
                i.nlink(),
                i.atime(),
                Math.max(i.mtime(), modified),
                Math.max(i.ctime(), modified));
    }

    @Override
    public Attr setattr(long ino, SetAttr change, Long guardCtimeNanos) {
        long now = nowNanos();
        if (change.size() != null) {
            if (FsKeys.isDirectory(ino)) throw new FsException(Status.ISDIR, "size of directory " + ino);
            if (change.size() < 0 || change.size() > FILE_BYTES_MAX)
                throw new FsException(Status.FBIG, "size " + change.size() + " beyond " + FILE_BYTES_MAX);
            Attr before = getattr(ino);
            if (before.type() != FileType.FILE) throw new FsException(Status.INVAL, "size of a " + before.type());
            checkGuard(before, guardCtimeNanos);
            // Data first: a crash before the size is set leaves the old size with zeros past the new end, never
            // old bytes that a later extension would bring back.
            if (change.size() < before.size()) cutData(ino, change.size(), before.size());
        }
        return run(txn -> {
            Attr before = attrOf(txn, ino);
            checkGuard(before, guardCtimeNanos);
            int mode = change.mode() != null ? change.mode() & 07777 : before.mode();
            int uid = change.uid() != null ? change.uid() : before.uid();
            int gid = change.gid() != null ? change.gid() : before.gid();
            long atime = timeOf(change.atimeNanos(), before.atimeNanos(), now);
            long mtime = timeOf(change.mtimeNanos(), before.mtimeNanos(), now);
            if (change.size() != null && change.mtimeNanos() == null) mtime = now;
            if (FsKeys.isDirectory(ino)) {
                DirRecord d = DirRecord.decode(txn.get(FsKeys.dir(bucket, ino)));
                txn.put(
                        FsKeys.dir(bucket, ino),
                        new DirRecord(d.parent(), d.name(), mode, uid, gid, atime, mtime, now, d.implicit()).encode());
                // The blind change time would otherwise keep mtime from going back (touch -d in the past).
                if (change.mtimeNanos() != null) txn.put(FsKeys.dirModified(bucket, ino), Keys.longValue(0));
            } else {
                InodeRecord i = InodeRecord.decode(txn.get(FsKeys.inode(bucket, ino)));
                txn.put(
                        FsKeys.inode(bucket, ino),
                        i.with(mode, uid, gid, atime, mtime, now).encode());
                txn.put(FsKeys.modified(bucket, ino), Keys.longValue(0));
                if (change.size() != null) {
                    txn.put(FsKeys.size(bucket, ino), Keys.longValue(change.size()));
                    txn.delete(FsKeys.s3Head(bucket, ino)); // the S3 ETag was of other bytes
                }
            }
            return attrOf(txn, ino);
        });
    }

    private static void checkGuard(Attr attr, Long guardCtimeNanos) {
        if (guardCtimeNanos != null && guardCtimeNanos != attr.ctimeNanos())
            throw new FsException(Status.NOT_SYNC, "ctime " + attr.ctimeNanos() + " != guard " + guardCtimeNanos);
    }

    private static long timeOf(Long asked, long before, long now) {
        if (asked == null) return before;
        return asked == SetAttr.SERVER_TIME ? now : asked;
    }

    // ---- names ----

    @Override
    public Attr lookup(long dir, String name) {
        return run(txn -> {
            if (".".equals(name)) return attrOf(txn, requireDir(txn, dir) == null ? dir : dir);
            if ("..".equals(name)) return attrOf(txn, requireDir(txn, dir).parent());
            byte[] n = nameBytes(name);
            requireDir(txn, dir);
            byte[] entry = txn.get(FsKeys.entry(bucket, dir, n));
            if (entry == null) throw new FsException(Status.NOENT, name);
            return attrOf(txn, FsKeys.inoOfEntry(entry));
        });
    }

    /** The record of directory {@code dir}: NOTDIR for a file, STALE when gone. */
    DirRecord requireDir(Txn txn, long dir) {
        if (!FsKeys.isDirectory(dir)) {
            if (txn.get(FsKeys.inode(bucket, dir)) == null) throw new FsException(Status.STALE, "no inode " + dir);
            throw new FsException(Status.NOTDIR, "inode " + dir + " is not a directory");
        }
        byte[] v = txn.get(FsKeys.dir(bucket, dir));
        if (v == null) throw new FsException(Status.STALE, "no directory " + dir);
        return DirRecord.decode(v);
    }

    @Override
    public Attr create(long dir, String name, CreateMode how, int mode, int uid, int gid, byte[] verifier) {
        byte[] n = nameBytes(name);
        byte[] verf = how == CreateMode.EXCLUSIVE ? verifier.clone() : new byte[0];
        long ino = nextIno(false);
        long now = nowNanos();
        return run(txn -> {
            requireDir(txn, dir);
            byte[] existing = txn.get(FsKeys.entry(bucket, dir, n));
            if (existing != null) {
                long other = FsKeys.inoOfEntry(existing);
                FileType type = FsKeys.typeOfEntry(existing);
                if (how == CreateMode.GUARDED) throw new FsException(Status.EXIST, name);
                if (type == FileType.DIRECTORY) throw new FsException(Status.ISDIR, name);
                if (type != FileType.FILE) throw new FsException(Status.EXIST, name);
                if (how == CreateMode.EXCLUSIVE) {
                    InodeRecord i = InodeRecord.decode(txn.get(FsKeys.inode(bucket, other)));
                    if (!Arrays.equals(i.verifier(), verf)) throw new FsException(Status.EXIST, name);
                }
                return attrOf(txn, other);
            }
            InodeRecord record = new InodeRecord(FileType.FILE, mode & 07777, uid, gid, 1, now, now, now, "", verf);
            txn.put(FsKeys.inode(bucket, ino), record.encode());
            link(txn, dir, n, ino, FileType.FILE, now);
            return inodeAttr(ino, record, 0, 0);
        });
    }

    @Override
    public Attr mkdir(long dir, String name, int mode, int uid, int gid) {
        byte[] n = nameBytes(name);
        long ino = nextIno(true);
        long now = nowNanos();
        return run(txn -> {
            requireDir(txn, dir);
            if (txn.get(FsKeys.entry(bucket, dir, n)) != null) throw new FsException(Status.EXIST, name);
            DirRecord record = new DirRecord(dir, name, mode & 07777, uid, gid, now, now, now);
            txn.put(FsKeys.dir(bucket, ino), record.encode());
            link(txn, dir, n, ino, FileType.DIRECTORY, now);
            txn.add(FsKeys.subdirs(bucket, dir), 1);
            return dirAttr(ino, record, 0, 0);
        });
    }

    @Override
    public Attr symlink(long dir, String name, String target, int mode, int uid, int gid) {
        byte[] n = nameBytes(name);
        if (target.isEmpty() || target.getBytes(StandardCharsets.UTF_8).length > SYMLINK_BYTES_MAX)
            throw new FsException(Status.INVAL, "symlink target of " + target.length() + " chars");
        if (target.indexOf('\0') >= 0) throw new FsException(Status.INVAL, "symlink target with NUL");
        long ino = nextIno(false);
        long now = nowNanos();
        return run(txn -> {
            requireDir(txn, dir);
            if (txn.get(FsKeys.entry(bucket, dir, n)) != null) throw new FsException(Status.EXIST, name);
            InodeRecord record =
                    new InodeRecord(FileType.SYMLINK, mode & 07777, uid, gid, 1, now, now, now, target, new byte[0]);
            txn.put(FsKeys.inode(bucket, ino), record.encode());
            link(txn, dir, n, ino, FileType.SYMLINK, now);
            return inodeAttr(ino, record, 0, 0);
        });
    }

    @Override
    public String readlink(long ino) {
        if (FsKeys.isDirectory(ino)) throw new FsException(Status.INVAL, "inode " + ino + " is a directory");
        byte[] v = kvGet(FsKeys.inode(bucket, ino));
        if (v == null) throw new FsException(Status.STALE, "no inode " + ino);
        InodeRecord i = InodeRecord.decode(v);
        if (i.type() != FileType.SYMLINK) throw new FsException(Status.INVAL, "inode " + ino + " is not a symlink");
        return i.target();
    }

    /** Adds the name-order and cookie-order entries of {@code name} in {@code dir} and marks the change. */
    void link(Txn txn, long dir, byte[] name, long ino, FileType type, long now) {
        byte[] value = FsKeys.entryValue(ino, type);
        txn.put(FsKeys.entry(bucket, dir, name), value);
        txn.put(FsKeys.hashed(bucket, dir, FsKeys.cookieOf(name), name), value);
        txn.max(FsKeys.dirModified(bucket, dir), now);
    }

    void unlinkEntry(Txn txn, long dir, byte[] name, long now) {
        txn.delete(FsKeys.entry(bucket, dir, name));
        txn.delete(FsKeys.hashed(bucket, dir, FsKeys.cookieOf(name), name));
        txn.max(FsKeys.dirModified(bucket, dir), now);
    }

    @Override
    public void remove(long dir, String name) {
        byte[] n = nameBytes(name);
        long now = nowNanos();
        run(txn -> {
            requireDir(txn, dir);
            byte[] entry = txn.get(FsKeys.entry(bucket, dir, n));
            if (entry == null) throw new FsException(Status.NOENT, name);
            if (FsKeys.typeOfEntry(entry) == FileType.DIRECTORY) throw new FsException(Status.ISDIR, name);
            unlinkEntry(txn, dir, n, now);
            dropLink(txn, FsKeys.inoOfEntry(entry), now);
            return null;
        });
    }

    /** One link of file or symlink {@code ino} is gone: the inode goes with its last (its data later, by GC). */
    void dropLink(Txn txn, long ino, long now) {
        byte[] v = txn.get(FsKeys.inode(bucket, ino));
        if (v == null) return;
        InodeRecord i = InodeRecord.decode(v);
        if (i.nlink() > 1) {
            txn.put(FsKeys.inode(bucket, ino), i.withLinks(i.nlink() - 1, now).encode());
            return;
        }
        txn.delete(FsKeys.inode(bucket, ino));
        txn.delete(FsKeys.size(bucket, ino));
        txn.delete(FsKeys.modified(bucket, ino));
        txn.delete(FsKeys.s3Head(bucket, ino));
        if (i.type() == FileType.FILE) {
            // The chunk map stays for the collector, which removes the chunks and then the map.
            txn.put(
                    Keys.garbage(clock.millis() + garbageDelayMillis, CHUNK_ID_TAG | bucket, ino),
                    GarbageRecord.ofInode(bucket, ino).encode());
        }
    }

    @Override
    public void rmdir(long dir, String name) {
        byte[] n = nameBytes(name);
        if (".".equals(name)) throw new FsException(Status.INVAL, "rmdir of .");
        long now = nowNanos();
        run(txn -> {
            requireDir(txn, dir);
            byte[] entry = txn.get(FsKeys.entry(bucket, dir, n));
            if (entry == null) throw new FsException(Status.NOENT, name);
            if (FsKeys.typeOfEntry(entry) != FileType.DIRECTORY) throw new FsException(Status.NOTDIR, name);
            long child = FsKeys.inoOfEntry(entry);
            requireEmpty(txn, child);
            unlinkEntry(txn, dir, n, now);
            txn.deleteRange(FsKeys.dir(bucket, child), FsKeys.dirEnd(bucket, child));
            txn.add(FsKeys.subdirs(bucket, dir), -1);
            return null;
        });
    }

    void requireEmpty(Txn txn, long dir) {
        if (!txn.scan(FsKeys.entriesFrom(bucket, dir), FsKeys.entriesTo(bucket, dir), 1, false)
                .isEmpty()) throw new FsException(Status.NOTEMPTY, "directory " + dir + " is not empty");
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName) {
        byte[] from = nameBytes(fromName);
        byte[] to = nameBytes(toName);
        long now = nowNanos();
        run(txn -> {
            requireDir(txn, fromDir);
            requireDir(txn, toDir);
            byte[] source = txn.get(FsKeys.entry(bucket, fromDir, from));
            if (source == null) throw new FsException(Status.NOENT, fromName);
            if (fromDir == toDir && Arrays.equals(from, to)) return null;
            long ino = FsKeys.inoOfEntry(source);
            FileType type = FsKeys.typeOfEntry(source);
            byte[] target = txn.get(FsKeys.entry(bucket, toDir, to));
            if (target != null) {
                long other = FsKeys.inoOfEntry(target);
                if (other == ino) return null; // two links of one inode: POSIX does nothing
                FileType otherType = FsKeys.typeOfEntry(target);
                if (type == FileType.DIRECTORY && otherType != FileType.DIRECTORY)
                    throw new FsException(Status.NOTDIR, toName + " is not a directory");
                if (type != FileType.DIRECTORY && otherType == FileType.DIRECTORY)
                    throw new FsException(Status.ISDIR, toName + " is a directory");
            }
            if (type == FileType.DIRECTORY && fromDir != toDir) {
                // The loop check: the target directory must not be the moved one or below it.
                for (long at = toDir; ; ) {
                    if (at == ino) throw new FsException(Status.INVAL, "a directory cannot move into itself");
                    if (at == ROOT) break;
                    at = requireDir(txn, at).parent();
                }
            }
            if (target != null) {
                long other = FsKeys.inoOfEntry(target);
                unlinkEntry(txn, toDir, to, now);
                if (FsKeys.typeOfEntry(target) == FileType.DIRECTORY) {
                    requireEmpty(txn, other);
                    txn.deleteRange(FsKeys.dir(bucket, other), FsKeys.dirEnd(bucket, other));
                    txn.add(FsKeys.subdirs(bucket, toDir), -1);
                } else {
                    dropLink(txn, other, now);
                }
            }
            unlinkEntry(txn, fromDir, from, now);
            link(txn, toDir, to, ino, type, now);
            if (type == FileType.DIRECTORY) {
                DirRecord d = requireDir(txn, ino);
                txn.put(
                        FsKeys.dir(bucket, ino),
                        d.withParent(toDir, toName, now).encode());
                if (fromDir != toDir) {
                    txn.add(FsKeys.subdirs(bucket, fromDir), -1);
                    txn.add(FsKeys.subdirs(bucket, toDir), 1);
                }
            }
            return null;
        });
    }

    @Override
    public Attr link(long ino, long dir, String name) {
        byte[] n = nameBytes(name);
        if (FsKeys.isDirectory(ino)) throw new FsException(Status.ISDIR, "hard link to directory " + ino);
        long now = nowNanos();
        return run(txn -> {
            byte[] v = txn.get(FsKeys.inode(bucket, ino));
            if (v == null) throw new FsException(Status.STALE, "no inode " + ino);
            requireDir(txn, dir);
            if (txn.get(FsKeys.entry(bucket, dir, n)) != null) throw new FsException(Status.EXIST, name);
            InodeRecord i = InodeRecord.decode(v);
            if (i.nlink() >= LINKS_MAX) throw new FsException(Status.MLINK, i.nlink() + " links");
            txn.put(FsKeys.inode(bucket, ino), i.withLinks(i.nlink() + 1, now).encode());
            link(txn, dir, n, ino, i.type(), now);
            return attrOf(txn, ino);
        });
    }

    // ---- listing ----

    @Override
    public DirPage readdir(long dir, long cookie, int maxEntries, boolean withAttrs) {
        if (maxEntries < 1) throw new FsException(Status.INVAL, "maxEntries=" + maxEntries);
        int max = Math.min(maxEntries, READDIR_MAX);
        return run(txn -> {
            DirRecord d = requireDir(txn, dir);
            List<DirEntry> out = new ArrayList<>(Math.min(max, 64));
            if (cookie == 0) out.add(entry(txn, ".", dir, FileType.DIRECTORY, 1, withAttrs));
            if (cookie <= 1 && out.size() < max)
                out.add(entry(txn, "..", d.parent(), FileType.DIRECTORY, 2, withAttrs));
            if (out.size() == max && cookie <= 1) return new DirPage(out, false);
            long fromHash = cookie <= 2 ? 0 : cookie + 1;
            if (cookie < 0) return new DirPage(out, true); // past every hash (they are below 2^63)
            int room = max - out.size();
            // One more than room, and more while hashes repeat: a page never ends inside a run of one hash, since
            // the cookie of its last entry resumes after that hash.
            List<KeyValue> found =
                    txn.scan(FsKeys.hashedFrom(bucket, dir, fromHash), FsKeys.dirEnd(bucket, dir), room + 16, false);
            int take = Math.min(room, found.size());
            while (take < found.size()
                    && take > 0
                    && FsKeys.hashOf(found.get(take).key())
                            == FsKeys.hashOf(found.get(take - 1).key())) take++;
            for (int i = 0; i < take; i++) {
                KeyValue e = found.get(i);
                String name = new String(FsKeys.nameOfHashed(e.key()), StandardCharsets.UTF_8);
                out.add(entry(
                        txn,
                        name,
                        FsKeys.inoOfEntry(e.value()),
                        FsKeys.typeOfEntry(e.value()),
                        FsKeys.hashOf(e.key()),
                        withAttrs));
            }
            boolean eof = take == found.size() && found.size() < room + 16;
            return new DirPage(out, eof);
        });
    }

    private DirEntry entry(Txn txn, String name, long ino, FileType type, long cookie, boolean withAttrs) {
        Attr attr = null;
        if (withAttrs) {
            try {
                attr = attrOf(txn, ino);
            } catch (FsException e) {
                if (e.status() != Status.STALE) throw e;
            }
        }
        return new DirEntry(name, ino, type, cookie, attr);
    }

    @Override
    public long cookieVerifier(long dir) {
        run(txn -> requireDir(txn, dir));
        return dir;
    }

    // ---- data ----

    private ChunkId chunkId(long ino, int index) {
        return new ChunkId(CHUNK_ID_TAG | bucket, (ino << 20) | index);
    }

    @Override
    public int read(long ino, long offset, ByteBuffer into) {
        if (offset < 0) throw new FsException(Status.INVAL, "offset " + offset);
        Attr attr = getattr(ino);
        if (attr.type() == FileType.DIRECTORY) throw new FsException(Status.ISDIR, "read of directory " + ino);
        if (attr.type() != FileType.FILE) throw new FsException(Status.INVAL, "read of a " + attr.type());
        if (offset >= attr.size() || !into.hasRemaining()) return 0;
        int n = (int) Math.min(into.remaining(), attr.size() - offset);
        int firstIndex = (int) (offset / CHUNK_BYTES);
        int lastIndex = (int) ((offset + n - 1) / CHUNK_BYTES);
        List<KeyValue> map =
                scanRetrying(FsKeys.chunksFrom(bucket, ino, firstIndex), FsKeys.chunksFrom(bucket, ino, lastIndex + 1));
        int start = into.position();
        for (int index = firstIndex; index <= lastIndex; index++) {
            long chunkStart = (long) index * CHUNK_BYTES;
            int from = (int) Math.max(0, offset - chunkStart);
            int to = (int) Math.min(CHUNK_BYTES, offset + n - chunkStart);
            ByteBuffer piece = into.slice(into.position(), to - from);
            Integer chain = chainIn(map, index);
            if (chain != null) {
                try {
                    chunks.read(chain, chunkId(ino, index), from, piece);
                } catch (StorageException e) {
                    if (e.reason() != StorageException.Reason.NO_SUCH_CHUNK) throw storage(e);
                }
            }
            // A hole, a chunk shorter than the file or one never written: zeros.
            while (piece.hasRemaining()) piece.put((byte) 0);
            into.position(into.position() + (to - from));
        }
        return into.position() - start;
    }

    private static Integer chainIn(List<KeyValue> map, int index) {
        for (KeyValue e : map) if (FsKeys.chunkIndexOf(e.key()) == index) return (int) Keys.longOf(e.value());
        return null;
    }

    @Override
    public Attr write(long ino, long offset, ByteBuffer data) {
        if (offset < 0) throw new FsException(Status.INVAL, "offset " + offset);
        long end = offset + data.remaining();
        if (end > FILE_BYTES_MAX) throw new FsException(Status.FBIG, "write to " + end + " beyond " + FILE_BYTES_MAX);
        Attr attr = getattr(ino);
        if (attr.type() == FileType.DIRECTORY) throw new FsException(Status.ISDIR, "write to directory " + ino);
        if (attr.type() != FileType.FILE) throw new FsException(Status.INVAL, "write to a " + attr.type());
        writeChunks(ino, offset, data);
        long now = nowNanos();
        // Blind updates only, so that concurrent writes to one file never conflict; the attributes are read after.
        run(txn -> {
            txn.max(FsKeys.size(bucket, ino), end);
            txn.max(FsKeys.modified(bucket, ino), now);
            txn.delete(FsKeys.s3Head(bucket, ino)); // the S3 ETag was of other bytes
            return null;
        });
        return getattr(ino);
    }

    /**
     * Writes {@code data} into the chunks of {@code ino} from {@code offset}; the metadata is the caller's. A write
     * spanning several chunks updates them at once (each on its own chain), and returns when all are written; the
     * first failure is thrown.
     */
    void writeChunks(long ino, long offset, ByteBuffer data) {
        List<Runnable> updates = new ArrayList<>();
        ByteBuffer rest = data.duplicate();
        while (rest.hasRemaining()) {
            long at = offset + (rest.position() - data.position());
            int index = (int) (at / CHUNK_BYTES);
            int within = (int) (at % CHUNK_BYTES);
            int length = Math.min(rest.remaining(), CHUNK_BYTES - within);
            ByteBuffer piece = rest.slice(rest.position(), length);
            updates.add(() -> {
                int chain = chainOf(ino, index);
                try {
                    chunks.update(chain, chunkId(ino, index), UpdateKind.WRITE_AT, within, piece);
                } catch (StorageException e) {
                    throw storage(e);
                }
            });
            rest.position(rest.position() + length);
        }
        if (updates.size() == 1) {
            updates.getFirst().run();
            return;
        }
        List<Thread> threads = new ArrayList<>();
        RuntimeException[] failure = new RuntimeException[1];
        for (Runnable update : updates)
            threads.add(Thread.ofVirtual().name("fs-write-chunk").start(() -> {
                try {
                    update.run();
                } catch (RuntimeException e) {
                    synchronized (failure) {
                        if (failure[0] == null) failure[0] = e;
                    }
                }
            }));
        try {
            for (Thread t : threads) t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FsException(Status.IO, "interrupted while writing chunks of inode " + ino);
        }
        if (failure[0] != null) throw failure[0];
    }

    /** The chain of chunk {@code index} of {@code ino}, recorded in the chunk map before the chunk is written. */
    private int chainOf(long ino, int index) {
        byte[] key = FsKeys.chunk(bucket, ino, index);
        byte[] v = kvGet(key);
        if (v != null) return (int) Keys.longOf(v);
        int chain = chunks.chainFor(chunkId(ino, index));
        try {
            if (kv.putIfAbsent(key, Keys.longValue(chain))) return chain;
            return (int) Keys.longOf(kv.get(key));
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
    }

    /** Cuts the data of {@code ino} from {@code oldSize} down to {@code newSize}: chunks past it go. */
    private void cutData(long ino, long newSize, long oldSize) {
        int keepIndex = (int) (newSize / CHUNK_BYTES);
        int lastIndex = (int) ((oldSize - 1) / CHUNK_BYTES);
        List<KeyValue> map =
                scanRetrying(FsKeys.chunksFrom(bucket, ino, keepIndex), FsKeys.chunksFrom(bucket, ino, lastIndex + 1));
        for (KeyValue e : map) {
            int index = FsKeys.chunkIndexOf(e.key());
            int chain = (int) Keys.longOf(e.value());
            int within = (int) (newSize - (long) index * CHUNK_BYTES);
            try {
                if (within > 0) {
                    chunks.update(chain, chunkId(ino, index), UpdateKind.TRUNCATE, within, null);
                } else {
                    chunks.update(chain, chunkId(ino, index), UpdateKind.REMOVE, 0, null);
                    kv.transact(txn -> {
                        txn.delete(e.key());
                        return null;
                    });
                }
            } catch (StorageException ex) {
                if (ex.reason() != StorageException.Reason.NO_SUCH_CHUNK) throw storage(ex);
            } catch (MetaKvException ex) {
                throw unavailable(ex);
            }
        }
    }

    /**
     * Removes the chunks of an unlinked inode and then its chunk map, a page at a time (the garbage collector's
     * part of an unlink); returns the chunks removed.
     */
    public static int releaseInode(MetaKv kv, io.seabed.basestore.BaseStoreClient store, long bucket, long ino) {
        int removed = 0;
        byte[] from = FsKeys.chunksFrom(bucket, ino, 0);
        byte[] to = FsKeys.chunksEnd(bucket, ino);
        while (true) {
            List<KeyValue> page = kv.scan(from, to, 256, false);
            if (page.isEmpty()) return removed;
            for (KeyValue e : page) {
                int index = FsKeys.chunkIndexOf(e.key());
                try {
                    store.deleteChunk(io.seabed.basestore.ChunkRef.onChain(
                            new ChunkId(CHUNK_ID_TAG | bucket, (ino << 20) | index), 0, (int) Keys.longOf(e.value())));
                } catch (StorageException ex) {
                    if (ex.reason() != StorageException.Reason.NO_SUCH_CHUNK) throw ex;
                }
                removed++;
            }
            byte[] last = page.getLast().key();
            kv.transact(txn -> {
                txn.deleteRange(FsKeys.chunksFrom(bucket, ino, 0), Keys.successor(last));
                return null;
            });
        }
    }

    @Override
    public FsStat statfs() {
        return space.get();
    }

    // ---- for the S3 view ----

    long bucket() {
        return bucket;
    }

    MetaKv kv() {
        return kv;
    }

    InstantSource clock() {
        return clock;
    }

    ChainClient chunks() {
        return chunks;
    }

    static long chunkIdTag() {
        return CHUNK_ID_TAG;
    }

    // ---- plumbing ----

    /** The next inode id of the kind asked, from this instance's leased block. */
    synchronized long nextIno(boolean directory) {
        if (nextId >= leaseEnd) {
            long end;
            try {
                end = kv.add(FsKeys.allocator(bucket), IDS_PER_LEASE);
            } catch (MetaKvException e) {
                throw unavailable(e);
            }
            // Counter values start at 1, so id 0 (and with it the root's 1) is never leased.
            nextId = end - IDS_PER_LEASE + 1;
            leaseEnd = end + 1;
        }
        long n = nextId++;
        return (n << 1) | (directory ? 1 : 0);
    }

    long nowNanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The UTF-8 bytes of a name, checked. */
    static byte[] nameBytes(String name) {
        if (name == null || name.isEmpty()) throw new FsException(Status.INVAL, "empty name");
        if (".".equals(name) || "..".equals(name)) throw new FsException(Status.INVAL, "name " + name);
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0)
            throw new FsException(Status.INVAL, "name with '/' or NUL");
        byte[] bytes;
        try {
            bytes = StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(name))
                    .array();
        } catch (CharacterCodingException e) {
            throw new FsException(Status.INVAL, "name is not valid Unicode");
        }
        int length = StandardCharsets.UTF_8.encode(name).remaining();
        if (length > NAME_BYTES_MAX) throw new FsException(Status.NAMETOOLONG, length + " bytes");
        return Arrays.copyOf(bytes, length);
    }

    <T> T run(io.seabed.metakv.TxnFunction<T> fn) {
        try {
            return kv.transact(fn);
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
    }

    private byte[] kvGet(byte[] key) {
        try {
            return kv.get(key);
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
    }

    private List<KeyValue> scanRetrying(byte[] from, byte[] to) {
        try {
            return kv.scan(from, to, READDIR_MAX, false);
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
    }

    private static FsException unavailable(MetaKvException e) {
        return e.reason() == MetaKvException.Reason.INVALID_ARGUMENT
                ? new FsException(Status.INVAL, e.getMessage(), e)
                : new FsException(Status.JUKEBOX, "metadata: " + e.getMessage(), e);
    }

    static FsException storage(StorageException e) {
        return switch (e.reason()) {
            case NOT_ENOUGH_TARGETS, TARGET_OFFLINE -> new FsException(Status.JUKEBOX, e.getMessage(), e);
            default -> new FsException(Status.IO, e.getMessage(), e);
        };
    }
}
