package io.seabed.namespace.fs;

import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.Txn;
import io.seabed.namespace.BodySource;
import io.seabed.namespace.ListPage;
import io.seabed.namespace.ListRequest;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.ObjectMetadata;
import io.seabed.namespace.WriteCondition;
import io.seabed.namespace.object.ChunkBuffers;
import io.seabed.namespace.object.ObjectReads;
import io.seabed.namespace.object.ObjectWrites;
import io.seabed.namespace.schema.GarbageRecord;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.ObjectHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The S3 view of a hierarchical bucket (DESIGN §3.4): keys are paths. A PUT writes the body into a fresh inode
 * under an intent (so a crash leaves an orphan the collector takes, never a dangling entry), then in one
 * transaction makes the missing parents (implicit directories), replaces the file under the name and drops the
 * intent. {@code x/} with an empty body makes directory {@code x} explicit. A DELETE removes a file or an empty
 * directory and then the implicit parents it leaves empty; a non-empty {@code d/} stays. Keys with a leading
 * {@code /}, {@code //}, or {@code .}/{@code ..} components are refused, never normalized. Symlinks are not
 * S3 objects: listings skip them and a GET of one answers NoSuchKey.
 *
 * <p>A file's S3 head (ETag, content type, user metadata) is kept beside its inode and dropped by any later write
 * through the file system; such a file reports a synthesized ETag of the form {@code hex-1} (not an MD5 of the
 * bytes, so clients do not check it against one).
 */
public final class S3View {
    /** The ETag of empty bytes (directory markers). */
    static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

    /** Directories one PUT may create (its key's depth is bounded by the key length anyway). */
    private static final int NEW_DIRS_MAX = 512;

    private final HierarchicalFs fs;
    private final NamespaceConfig config;
    private final ChunkBuffers buffers;
    private final S3Listing listing;

    public S3View(HierarchicalFs fs, NamespaceConfig config, ChunkBuffers buffers) {
        this.fs = fs;
        this.config = config;
        this.buffers = buffers;
        this.listing = new S3Listing(fs);
    }

    /** An S3 key resolved to its file (or explicit directory marker) for a GET. */
    public record OpenFile(S3View view, long ino, ObjectInfo info) {}

    // ---- keys ----

    /** A key split into path components (UTF-8), and whether it names a directory (ends with '/'). */
    record Path(String key, List<byte[]> names, boolean directory) {
        static Path parse(String key, NamespaceConfig config) {
            ObjectWrites.checkKey(key, config);
            if (key.startsWith("/")) throw invalid(key, "starts with '/'");
            boolean directory = key.endsWith("/");
            String body = directory ? key.substring(0, key.length() - 1) : key;
            List<byte[]> names = new ArrayList<>();
            for (String part : body.split("/", -1)) {
                if (part.isEmpty()) throw invalid(key, "has an empty path component ('//')");
                if (part.equals(".") || part.equals("..")) throw invalid(key, "has a '" + part + "' path component");
                try {
                    names.add(HierarchicalFs.nameBytes(part));
                } catch (FsException e) {
                    if (e.status() == FsException.Status.NAMETOOLONG)
                        throw new NamespaceException(
                                Reason.KEY_TOO_LONG, "a path component of the key is over 255 bytes");
                    throw invalid(key, e.getMessage());
                }
            }
            return new Path(key, names, directory);
        }

        byte[] last() {
            return names.getLast();
        }

        private static NamespaceException invalid(String key, String why) {
            return new NamespaceException(
                    Reason.INVALID_ARGUMENT, "key " + key + " " + why + ": not a path in a hierarchical bucket");
        }
    }

    // ---- PUT ----

    /** PutObject of {@code lengthBytes} from {@code body}, if {@code condition} holds for the file it replaces. */
    public ObjectInfo put(
            String key, long lengthBytes, ObjectMetadata metadata, BodySource body, WriteCondition condition) {
        Path path = Path.parse(key, config);
        if (lengthBytes < 0) throw new NamespaceException(Reason.INVALID_ARGUMENT, "length=" + lengthBytes);
        if (path.directory()) {
            if (lengthBytes != 0)
                throw new NamespaceException(
                        Reason.INVALID_ARGUMENT, "key " + key + " ends with '/' and names a directory: no body");
            body.verify(md5().digest());
            return makeDirectory(path, condition);
        }
        long limit = Math.min(config.objectBytesMax(), FileSystem.FILE_BYTES_MAX);
        if (lengthBytes > limit)
            throw new NamespaceException(Reason.ENTITY_TOO_LARGE, "length=" + lengthBytes + " > " + limit);
        return writeFile(path, metadata, body, lengthBytes, false, condition, null, null);
    }

    /**
     * Writes the file {@code key} from {@code body} ({@code lengthBytes}, already checked) with {@code head} as its
     * S3 head (ETag, metadata), running {@code alsoInCommit} in the transaction that links it: the end of a
     * multipart upload whose parts are copied into the file.
     */
    public ObjectInfo putAssembled(
            String key,
            long lengthBytes,
            BodySource body,
            ObjectHead head,
            WriteCondition condition,
            java.util.function.Consumer<Txn> alsoInCommit) {
        Path path = Path.parse(key, config);
        if (path.directory())
            throw new NamespaceException(Reason.INVALID_ARGUMENT, "key " + key + " ends with '/': not a file");
        return writeFile(path, ObjectMetadata.EMPTY, body, lengthBytes, false, condition, head, alsoInCommit);
    }

    /** INVALID_ARGUMENT (or KEY_TOO_LONG) unless {@code key} is a path this bucket can hold. */
    public void checkKey(String key) {
        Path.parse(key, config);
    }

    /** As {@link #put}, for a body whose length is known at its end only (at most {@code maxBytes}). */
    public ObjectInfo putToEnd(
            String key, long maxBytes, ObjectMetadata metadata, BodySource body, WriteCondition condition) {
        Path path = Path.parse(key, config);
        if (path.directory())
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT, "key " + key + " ends with '/': send it with a Content-Length of 0");
        long limit = Math.min(Math.min(maxBytes, config.objectBytesMax()), FileSystem.FILE_BYTES_MAX);
        return writeFile(path, metadata, body, limit, true, condition, null, null);
    }

    private ObjectInfo writeFile(
            Path path,
            ObjectMetadata metadata,
            BodySource body,
            long bytes,
            boolean toEnd,
            WriteCondition condition,
            ObjectHead givenHead,
            java.util.function.Consumer<Txn> alsoInCommit) {
        long ino = fs.nextIno(false);
        byte[] intent = Keys.garbage(
                fs.clock().millis() + config.intentTtlMillis(), HierarchicalFs.chunkIdTag() | fs.bucket(), ino);
        run(txn -> {
            txn.put(intent, GarbageRecord.ofInode(fs.bucket(), ino).encode());
            return null;
        });
        try {
            // A given head (a completed multipart upload) carries its ETag, and its body is our own copy of parts
            // verified when they arrived: no digest to compute.
            MessageDigest md5 = givenHead == null ? md5() : null;
            long size = copyBody(ino, body, bytes, toEnd, md5);
            ObjectHead head = givenHead;
            if (head == null) {
                byte[] digest = md5.digest();
                body.verify(digest);
                head = head(size, HexFormat.of().formatHex(digest), metadata, body);
            }
            return commitFile(path, ino, head, intent, condition, alsoInCommit);
        } catch (RuntimeException e) {
            discard(ino, intent, e);
            throw e;
        }
    }

    /** Streams the body into the chunks of {@code ino} (and into {@code md5} unless null); returns its length. */
    private long copyBody(long ino, BodySource body, long bytes, boolean toEnd, MessageDigest md5) {
        ByteBuffer buffer = buffers.acquire();
        try {
            long written = 0;
            while (true) {
                buffer.clear();
                if (!toEnd && bytes - written < buffer.capacity()) buffer.limit((int) (bytes - written));
                boolean ended = fill(body, buffer);
                buffer.flip();
                if (toEnd && written + buffer.remaining() > bytes)
                    throw new NamespaceException(Reason.ENTITY_TOO_LARGE, "body over " + bytes + " bytes");
                if (!toEnd && ended && written + buffer.remaining() < bytes)
                    throw new NamespaceException(
                            Reason.INCOMPLETE_BODY, "body ended after " + (written + buffer.remaining()) + " bytes");
                if (md5 != null) md5.update(buffer.duplicate());
                if (buffer.hasRemaining()) fs.writeChunks(ino, written, buffer);
                written += buffer.remaining();
                if (ended || (!toEnd && written == bytes)) return written;
            }
        } catch (FsException e) {
            throw translate(e);
        } finally {
            buffers.release(buffer);
        }
    }

    /** Fills {@code buffer} to its limit; true when the body ended first. */
    private static boolean fill(BodySource body, ByteBuffer buffer) {
        while (buffer.hasRemaining()) if (body.read(buffer) < 0) return true;
        return false;
    }

    private ObjectHead head(long size, String etag, ObjectMetadata metadata, BodySource body) {
        return new ObjectHead(
                0,
                0,
                size,
                etag,
                fs.clock().millis(),
                metadata.systemMetadata(),
                metadata.userMetadata(),
                false,
                List.of(),
                new long[0],
                body.checksum(),
                List.of(),
                null,
                Map.of());
    }

    /** Links the written inode under its path: one transaction over the parents, the name and the intent. */
    private ObjectInfo commitFile(
            Path path,
            long ino,
            ObjectHead head,
            byte[] intent,
            WriteCondition condition,
            java.util.function.Consumer<Txn> alsoInCommit) {
        long[] newDirs = new long[0];
        while (true) {
            long[] dirs = newDirs;
            Integer missing = run(txn -> {
                Walk walk = walk(txn, path, dirs);
                if (walk.missing > dirs.length) return walk.missing;
                long now = fs.nowNanos();
                byte[] existing = txn.get(FsKeys.entry(fs.bucket(), walk.dir, path.last()));
                String currentEtag = null;
                if (existing != null) {
                    if (FsKeys.typeOfEntry(existing) != FileType.FILE)
                        throw conflict(path.key(), "a directory or symlink has this name");
                    currentEtag = etagOf(txn, FsKeys.inoOfEntry(existing));
                }
                condition.check(path.key(), currentEtag);
                ObjectWrites.takeIntent(txn, intent);
                if (alsoInCommit != null) alsoInCommit.accept(txn);
                walk.create(txn, now);
                if (existing != null) {
                    fs.unlinkEntry(txn, walk.dir, path.last(), now);
                    fs.dropLink(txn, FsKeys.inoOfEntry(existing), now);
                }
                InodeRecord record = new InodeRecord(
                        FileType.FILE, 0644, walk.root.uid(), walk.root.gid(), 1, now, now, now, "", new byte[0]);
                txn.put(FsKeys.inode(fs.bucket(), ino), record.encode());
                txn.put(FsKeys.size(fs.bucket(), ino), Keys.longValue(head.sizeBytes()));
                txn.put(FsKeys.s3Head(fs.bucket(), ino), head.encode());
                fs.link(txn, walk.dir, path.last(), ino, FileType.FILE, now);
                return null;
            });
            if (missing == null) return ObjectReads.info(path.key(), head);
            newDirs = newDirectories(missing);
        }
    }

    private void discard(long ino, byte[] intent, RuntimeException cause) {
        try {
            HierarchicalFs.releaseInode(fs.kv(), fs.chunks(), fs.bucket(), ino);
            run(txn -> {
                txn.delete(intent);
                return null;
            });
        } catch (RuntimeException e) {
            cause.addSuppressed(e); // the intent stays: the collector releases the data when it comes due
        }
    }

    /** PUT of "d/": makes the directory and its parents, or makes an implicit one explicit. */
    private ObjectInfo makeDirectory(Path path, WriteCondition condition) {
        long[] newDirs = new long[0];
        while (true) {
            long[] dirs = newDirs;
            Object result = run(txn -> {
                Path parent = new Path(
                        path.key(), path.names().subList(0, path.names().size() - 1), true);
                Walk walk = walk(txn, parent, dirs);
                if (walk.missing + 1 > dirs.length) return walk.missing + 1;
                long now = fs.nowNanos();
                byte[] existing = txn.get(FsKeys.entry(fs.bucket(), walk.dir, path.last()));
                if (existing != null && FsKeys.typeOfEntry(existing) != FileType.DIRECTORY)
                    throw conflict(path.key(), "a file or symlink has this name");
                DirRecord current = existing == null
                        ? null
                        : DirRecord.decode(txn.get(FsKeys.dir(fs.bucket(), FsKeys.inoOfEntry(existing))));
                condition.check(path.key(), current != null && !current.implicit() ? EMPTY_MD5 : null);
                walk.create(txn, now);
                if (existing == null) {
                    long ino = dirs[walk.missing];
                    String name = new String(path.last(), StandardCharsets.UTF_8);
                    txn.put(
                            FsKeys.dir(fs.bucket(), ino),
                            new DirRecord(walk.dir, name, 0755, walk.root.uid(), walk.root.gid(), now, now, now, false)
                                    .encode());
                    fs.link(txn, walk.dir, path.last(), ino, FileType.DIRECTORY, now);
                    txn.add(FsKeys.subdirs(fs.bucket(), walk.dir), 1);
                } else if (current.implicit()) {
                    txn.put(
                            FsKeys.dir(fs.bucket(), FsKeys.inoOfEntry(existing)),
                            current.explicit(now).encode());
                }
                return now;
            });
            if (result instanceof Long now)
                return new ObjectInfo(
                        path.key(), 0, EMPTY_MD5, now / 1_000_000, Map.of(), Map.of(), 0, null, null, Map.of());
            newDirs = newDirectories((Integer) result);
        }
    }

    private long[] newDirectories(int count) {
        if (count > NEW_DIRS_MAX) throw new NamespaceException(Reason.INVALID_ARGUMENT, "key is too deep");
        long[] out = new long[count];
        for (int i = 0; i < count; i++) out[i] = fs.nextIno(true);
        return out;
    }

    /**
     * The walk from the root to the directory that holds the last name of a path: the directories on the way that
     * exist, and those that do not (to be made implicit, with ids from {@code newDirs}).
     */
    private final class Walk {
        DirRecord root;
        long dir = HierarchicalFs.ROOT;
        int missing;
        private final List<byte[]> toMake = new ArrayList<>();
        private final List<Long> parents = new ArrayList<>();
        private final long[] newDirs;

        Walk(long[] newDirs) {
            this.newDirs = newDirs;
        }

        /** Puts the missing directories (each implicit) in the transaction. */
        void create(Txn txn, long now) {
            for (int i = 0; i < toMake.size(); i++) {
                long parent = parents.get(i);
                long ino = newDirs[i];
                String name = new String(toMake.get(i), StandardCharsets.UTF_8);
                txn.put(
                        FsKeys.dir(fs.bucket(), ino),
                        new DirRecord(parent, name, 0755, root.uid(), root.gid(), now, now, now, true).encode());
                fs.link(txn, parent, toMake.get(i), ino, FileType.DIRECTORY, now);
                txn.add(FsKeys.subdirs(fs.bucket(), parent), 1);
            }
        }
    }

    /** Walks to the parent of {@code path}'s last name; PathConflict when a file is on the way. */
    private Walk walk(Txn txn, Path path, long[] newDirs) {
        Walk walk = new Walk(newDirs);
        walk.root = fs.requireDir(txn, HierarchicalFs.ROOT);
        List<byte[]> names = path.names();
        int parents = path.directory() ? names.size() : names.size() - 1;
        for (int i = 0; i < parents; i++) {
            byte[] name = names.get(i);
            if (walk.missing == 0) {
                byte[] entry = txn.get(FsKeys.entry(fs.bucket(), walk.dir, name));
                if (entry != null) {
                    if (FsKeys.typeOfEntry(entry) != FileType.DIRECTORY)
                        throw conflict(path.key(), "a file is on its path");
                    walk.dir = FsKeys.inoOfEntry(entry);
                    continue;
                }
            }
            walk.missing++;
            if (walk.missing <= newDirs.length) {
                walk.toMake.add(name);
                walk.parents.add(walk.dir);
                walk.dir = newDirs[walk.missing - 1];
            }
        }
        return walk;
    }

    // ---- GET, HEAD ----

    /** Resolves {@code key} for a GET or HEAD: NO_SUCH_KEY unless it is a file or an explicit directory. */
    public OpenFile open(String key) {
        Path path = Path.parse(key, config);
        return run(txn -> {
            long dir = HierarchicalFs.ROOT;
            List<byte[]> names = path.names();
            long ino = 0;
            for (int i = 0; i < names.size(); i++) {
                byte[] entry = txn.get(FsKeys.entry(fs.bucket(), dir, names.get(i)));
                if (entry == null) throw noSuchKey(key);
                FileType type = FsKeys.typeOfEntry(entry);
                boolean last = i == names.size() - 1;
                if (type != FileType.DIRECTORY && !(last && !path.directory() && type == FileType.FILE))
                    throw noSuchKey(key);
                ino = FsKeys.inoOfEntry(entry);
                dir = ino;
            }
            if (path.directory()) {
                DirRecord d = DirRecord.decode(txn.get(FsKeys.dir(fs.bucket(), ino)));
                if (d.implicit()) throw noSuchKey(key);
                return new OpenFile(this, ino, markerInfo(key, d));
            }
            if (FsKeys.isDirectory(ino)) throw noSuchKey(key);
            return new OpenFile(this, ino, fileInfo(txn, key, ino));
        });
    }

    /**
     * Fills {@code into} (position to limit) with the bytes of an opened file from {@code position}; UNAVAILABLE
     * when the file ends before (it was cut or replaced since it was opened).
     */
    public void fill(OpenFile file, long position, ByteBuffer into) {
        while (into.hasRemaining()) position += readAt(file, position, into);
    }

    /**
     * Reads bytes of an opened file from {@code position} into {@code output} (up to its remaining bytes); returns
     * how many, at least one: UNAVAILABLE when the file ends before (it was cut or replaced since it was opened).
     */
    public int readAt(OpenFile file, long position, ByteBuffer output) {
        int n;
        try {
            n = fs.read(file.ino(), position, output);
        } catch (FsException e) {
            throw translate(e);
        }
        if (n == 0 && output.hasRemaining())
            throw new NamespaceException(
                    Reason.UNAVAILABLE, "file " + file.info().key() + " was cut or replaced during the read");
        return n;
    }

    static ObjectInfo markerInfo(String key, DirRecord d) {
        return new ObjectInfo(key, 0, EMPTY_MD5, d.mtime() / 1_000_000, Map.of(), Map.of(), 0, null, null, Map.of());
    }

    /** The S3 view of file {@code ino}: its S3 head when its bytes are still those of a PUT, else synthesized. */
    static ObjectInfo fileInfo(Txn txn, HierarchicalFs fs, String key, long ino) {
        List<byte[]> v = txn.multiGet(List.of(
                FsKeys.inode(fs.bucket(), ino),
                FsKeys.size(fs.bucket(), ino),
                FsKeys.modified(fs.bucket(), ino),
                FsKeys.s3Head(fs.bucket(), ino)));
        if (v.get(0) == null) throw noSuchKey(key);
        return fileInfo(key, ino, v);
    }

    /** As above, from the values of the inode, size, modified and S3 head keys (the inode present). */
    static ObjectInfo fileInfo(String key, long ino, List<byte[]> v) {
        InodeRecord i = InodeRecord.decode(v.get(0));
        long size = Keys.longOf(v.get(1));
        long mtime = Math.max(i.mtime(), Keys.longOf(v.get(2)));
        if (v.get(3) != null) {
            ObjectHead head = ObjectHead.decode(v.get(3));
            if (head.sizeBytes() == size) return ObjectReads.info(key, head);
        }
        return new ObjectInfo(
                key,
                size,
                synthesizedEtag(ino, size, mtime),
                mtime / 1_000_000,
                Map.of(),
                Map.of(),
                0,
                null,
                null,
                Map.of());
    }

    private ObjectInfo fileInfo(Txn txn, String key, long ino) {
        return fileInfo(txn, fs, key, ino);
    }

    private String etagOf(Txn txn, long ino) {
        return fileInfo(txn, "", ino).etag();
    }

    static String synthesizedEtag(long ino, long size, long mtime) {
        MessageDigest md5 = md5();
        md5.update((ino + ":" + size + ":" + mtime).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md5.digest()) + "-1";
    }

    // ---- DELETE ----

    /**
     * DeleteObject: removes a file, or an empty directory for a key ending in '/', then every implicit parent
     * left empty. A missing key, a directory named without '/', or a non-empty directory: nothing happens.
     */
    public void delete(String key) {
        Path path = Path.parse(key, config);
        run(txn -> {
            List<Long> dirs = new ArrayList<>();
            long dir = HierarchicalFs.ROOT;
            List<byte[]> names = path.names();
            for (int i = 0; i < names.size() - 1; i++) {
                byte[] entry = txn.get(FsKeys.entry(fs.bucket(), dir, names.get(i)));
                if (entry == null || FsKeys.typeOfEntry(entry) != FileType.DIRECTORY) return null;
                dirs.add(dir);
                dir = FsKeys.inoOfEntry(entry);
            }
            byte[] entry = txn.get(FsKeys.entry(fs.bucket(), dir, path.last()));
            if (entry == null) return null;
            long ino = FsKeys.inoOfEntry(entry);
            FileType type = FsKeys.typeOfEntry(entry);
            long now = fs.nowNanos();
            if (path.directory()) {
                if (type != FileType.DIRECTORY) return null;
                if (!empty(txn, ino)) return null;
                removeDirectory(txn, dir, path.last(), ino, now);
            } else {
                if (type != FileType.FILE) return null;
                fs.unlinkEntry(txn, dir, path.last(), now);
                fs.dropLink(txn, ino, now);
            }
            pruneImplicit(txn, dirs, dir, names, now);
            return null;
        });
    }

    /** Removes the implicit directories left empty, from {@code dir} up (not the root). */
    private void pruneImplicit(Txn txn, List<Long> parents, long dir, List<byte[]> names, long now) {
        for (int level = parents.size() - 1; level >= 0; level--) {
            DirRecord d = DirRecord.decode(txn.get(FsKeys.dir(fs.bucket(), dir)));
            if (!d.implicit() || !empty(txn, dir)) return;
            long parent = parents.get(level);
            removeDirectory(txn, parent, names.get(level), dir, now);
            dir = parent;
        }
    }

    private void removeDirectory(Txn txn, long parent, byte[] name, long dir, long now) {
        fs.unlinkEntry(txn, parent, name, now);
        txn.deleteRange(FsKeys.dir(fs.bucket(), dir), FsKeys.dirEnd(fs.bucket(), dir));
        txn.add(FsKeys.subdirs(fs.bucket(), parent), -1);
    }

    private boolean empty(Txn txn, long dir) {
        return txn.scan(FsKeys.entriesFrom(fs.bucket(), dir), FsKeys.entriesTo(fs.bucket(), dir), 1, false)
                .isEmpty();
    }

    // ---- LIST ----

    /** ListObjects in exact S3 order and paging; delimiters other than "/" are INVALID_ARGUMENT. */
    public ListPage list(ListRequest request) {
        try {
            return listing.list(request);
        } catch (FsException e) {
            throw translate(e);
        } catch (MetaKvException e) {
            throw new NamespaceException(Reason.UNAVAILABLE, "metadata: " + e.getMessage(), e);
        }
    }

    // ---- plumbing ----

    private <T> T run(io.seabed.metakv.TxnFunction<T> fn) {
        try {
            return fs.run(fn);
        } catch (FsException e) {
            throw translate(e);
        }
    }

    static NamespaceException translate(FsException e) {
        Reason reason =
                switch (e.status()) {
                    case NOENT, STALE -> Reason.NO_SUCH_KEY;
                    case EXIST, NOTDIR, ISDIR, NOTEMPTY -> Reason.PATH_CONFLICT;
                    case NAMETOOLONG -> Reason.KEY_TOO_LONG;
                    case FBIG -> Reason.ENTITY_TOO_LARGE;
                    case JUKEBOX, IO -> Reason.UNAVAILABLE;
                    case INVAL, ACCES, ROFS, NOT_SYNC, NOTSUPP, MLINK -> Reason.INVALID_ARGUMENT;
                };
        return new NamespaceException(reason, e.getMessage(), e);
    }

    private static NamespaceException conflict(String key, String why) {
        return new NamespaceException(Reason.PATH_CONFLICT, "key " + key + ": " + why);
    }

    static NamespaceException noSuchKey(String key) {
        return new NamespaceException(Reason.NO_SUCH_KEY, "no key " + key);
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
