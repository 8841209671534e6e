package io.seabed.namespace.object;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.metakv.MetaKvException;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.ListPage;
import io.seabed.namespace.ListRequest;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.DirEntry;
import io.seabed.namespace.fs.DirPage;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FileType;
import io.seabed.namespace.fs.FsException;
import io.seabed.namespace.fs.FsException.Status;
import io.seabed.namespace.fs.FsStat;
import io.seabed.namespace.fs.SetAttr;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.ObjectHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A flat bucket as a read-only file system (for the NFS front): directories are synthesized from the keys'
 * '/'-separated prefixes, files are the objects. An inode id is a hash of the path (directories odd, files even);
 * the generation is a second hash of it, so a handle whose id collides with another path's answers STALE rather
 * than another file. Ids met in LOOKUP and READDIR are recorded (table {@link Keys#FLAT_INODE}) so that a handle
 * can be resolved back to its path on any gateway. Every change answers ROFS.
 *
 * <p>Where a key is both an object and a prefix ({@code a} and {@code a/x}), the directory wins; keys with empty,
 * "." or ".." components, or components over 255 bytes, are not shown.
 */
public final class FlatFs implements FileSystem {
    static final long ROOT = 1;

    private final MetaKv kv;
    private final Bucket bucket;
    private final ObjectReads reads;
    private final Listing listing;
    private final Supplier<FsStat> space;

    public FlatFs(MetaKv kv, Bucket bucket, ObjectStore objects, Supplier<FsStat> space) {
        this.kv = kv;
        this.bucket = bucket;
        this.reads = objects.reads();
        this.listing = objects.listing();
        this.space = space;
    }

    @Override
    public long bucketId() {
        return bucket.id();
    }

    @Override
    public String bucketName() {
        return bucket.name();
    }

    @Override
    public long rootIno() {
        return ROOT;
    }

    // ---- ids and paths ----

    /** {ino, generation} of a path ("a/b/" for a directory, "a/b" for a file). */
    static long[] idOf(String path) {
        if (path.isEmpty()) return new long[] {ROOT, 1};
        byte[] h = md5(path.getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = ByteBuffer.wrap(h);
        long ino = (b.getLong() & ~1L) | (path.endsWith("/") ? 1 : 0);
        if (Long.compareUnsigned(ino, 4) < 0) ino += 4; // 0 and 1 are taken, cookies 1 and 2 too
        return new long[] {ino, b.getLong()};
    }

    private static boolean isDirectory(long ino) {
        return (ino & 1) == 1;
    }

    /** The path of a recorded id; STALE when it was never met. */
    private String pathOf(long ino) {
        if (ino == ROOT) return "";
        byte[] v = get(Keys.flatInode(bucket.id(), ino));
        if (v == null) throw new FsException(Status.STALE, "no path for inode " + ino);
        return new String(v, StandardCharsets.UTF_8);
    }

    /** Records the ids of {@code paths} not recorded yet (one transaction for all). */
    private void record(List<String> paths) {
        List<byte[]> keys = new ArrayList<>(paths.size());
        for (String p : paths) keys.add(Keys.flatInode(bucket.id(), idOf(p)[0]));
        List<byte[]> values;
        try {
            values = kv.multiGet(keys);
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) if (values.get(i) == null) missing.add(i);
        if (missing.isEmpty()) return;
        try {
            kv.transact(txn -> {
                for (int i : missing) txn.putIfAbsent(keys.get(i), paths.get(i).getBytes(StandardCharsets.UTF_8));
                return null;
            });
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
    }

    // ---- attributes ----

    @Override
    public Attr getattr(long ino) {
        return attrOf(pathOf(ino));
    }

    /** The attributes of {@code path}; STALE when nothing is there any more. */
    private Attr attrOf(String path) {
        long[] id = idOf(path);
        long created = bucket.createdMillis() * 1_000_000;
        if (path.isEmpty() || path.endsWith("/")) {
            if (!path.isEmpty() && !hasKeysUnder(path)) throw new FsException(Status.STALE, "no keys under " + path);
            return new Attr(id[0], id[1], FileType.DIRECTORY, 0555, 0, 0, 4096, 4096, 2, created, created, created);
        }
        byte[] v = get(Keys.objectHead(bucket.id(), path));
        if (v == null) throw new FsException(Status.STALE, "no key " + path);
        ObjectHead head = ObjectHead.decode(v);
        long t = head.lastModifiedMillis() * 1_000_000;
        long used = (head.sizeBytes() + 4095) / 4096 * 4096;
        return new Attr(id[0], id[1], FileType.FILE, 0444, 0, 0, head.sizeBytes(), used, 1, t, t, t);
    }

    private boolean hasKeysUnder(String prefix) {
        byte[] from = Keys.objectHeadPrefix(bucket.id(), prefix);
        try {
            return !kv.scan(from, Keys.successor(from), 1, false).isEmpty();
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Attr lookup(long dir, String name) {
        String dirPath = directoryPath(dir);
        if (name.equals(".")) return attrOf(dirPath);
        if (name.equals("..")) return attrOf(parentOf(dirPath));
        if (!shown(name)) throw new FsException(Status.NOENT, name);
        String asDir = dirPath + name + "/";
        String path = hasKeysUnder(asDir) ? asDir : dirPath + name;
        Attr attr;
        try {
            attr = attrOf(path);
        } catch (FsException e) {
            throw new FsException(Status.NOENT, name);
        }
        record(List.of(path));
        return attr;
    }

    private String directoryPath(long dir) {
        if (!isDirectory(dir)) {
            pathOf(dir);
            throw new FsException(Status.NOTDIR, "inode " + dir + " is a file");
        }
        return pathOf(dir);
    }

    private static String parentOf(String dirPath) {
        if (dirPath.isEmpty()) return "";
        int slash = dirPath.lastIndexOf('/', dirPath.length() - 2);
        return slash < 0 ? "" : dirPath.substring(0, slash + 1);
    }

    /** Whether a path component is shown as a name. */
    private static boolean shown(String name) {
        return !name.isEmpty()
                && !name.equals(".")
                && !name.equals("..")
                && name.indexOf('/') < 0
                && name.getBytes(StandardCharsets.UTF_8).length <= NAME_BYTES_MAX;
    }

    // ---- listing ----

    @Override
    public DirPage readdir(long dir, long cookie, int maxEntries, boolean withAttrs) {
        if (maxEntries < 1) throw new FsException(Status.INVAL, "maxEntries=" + maxEntries);
        String dirPath = directoryPath(dir);
        List<DirEntry> out = new ArrayList<>();
        if (cookie == 0) out.add(entry(".", dirPath, 1, withAttrs));
        // Cookies are entries' inode ids, any 64 bits: compared unsigned.
        boolean beforeNames = Long.compareUnsigned(cookie, 2) <= 0;
        if (Long.compareUnsigned(cookie, 1) <= 0 && out.size() < maxEntries)
            out.add(entry("..", parentOf(dirPath), 2, withAttrs));
        if (out.size() == maxEntries && Long.compareUnsigned(cookie, 1) <= 0) return new DirPage(out, false);
        String after = beforeNames ? null : pathOf(cookie);
        int want = Math.min(maxEntries - out.size(), Listing.MAX_KEYS_MAX);
        // A page whose every name is hidden gives no cookie to resume from: list on until one shows or none is left
        // (bounded by the keys under the directory).
        while (true) {
            ListPage page = list(dirPath, after, want);
            List<String> paths = shownPaths(dirPath, page);
            record(paths);
            for (String path : paths) out.add(entry(nameIn(dirPath, path), path, idOf(path)[0], withAttrs));
            if (!page.truncated()) return new DirPage(out, true);
            if (!out.isEmpty()) return new DirPage(out, false);
            after = page.last();
        }
    }

    private ListPage list(String dirPath, String after, int want) {
        try {
            return listing.list(bucket, new ListRequest(dirPath, "/", after, want));
        } catch (NamespaceException e) {
            throw new FsException(Status.JUKEBOX, e.getMessage(), e);
        }
    }

    private static String nameIn(String dirPath, String path) {
        return path.endsWith("/")
                ? path.substring(dirPath.length(), path.length() - 1)
                : path.substring(dirPath.length());
    }

    /** The page's keys and prefixes that show as names, in order (a directory hides a file of its name). */
    private List<String> shownPaths(String dirPath, ListPage page) {
        Set<String> directories = new HashSet<>();
        for (String prefix : page.commonPrefixes()) directories.add(nameIn(dirPath, prefix));
        List<String> ordered = new ArrayList<>();
        for (ObjectInfo o : page.objects()) ordered.add(o.key());
        ordered.addAll(page.commonPrefixes());
        ordered.sort((a, b) -> java.util.Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        List<String> paths = new ArrayList<>();
        for (String path : ordered) {
            if (path.equals(dirPath)) continue; // the directory's own marker key
            boolean isDir = path.endsWith("/");
            String name = nameIn(dirPath, path);
            if (!shown(name) || (!isDir && directories.contains(name))) continue;
            // The directory of the same name sorts after the file ("x" < "x-1" < "x/"): on a later page, perhaps.
            if (!isDir && page.truncated() && laterPageMayHold(path + "/", page.last()) && hasKeysUnder(path + "/"))
                continue;
            paths.add(path);
        }
        return paths;
    }

    private static boolean laterPageMayHold(String path, String last) {
        return java.util.Arrays.compareUnsigned(
                        path.getBytes(StandardCharsets.UTF_8), last.getBytes(StandardCharsets.UTF_8))
                > 0;
    }

    private DirEntry entry(String name, String path, long cookie, boolean withAttrs) {
        long ino = idOf(path)[0];
        FileType type = path.isEmpty() || path.endsWith("/") ? FileType.DIRECTORY : FileType.FILE;
        Attr attr = null;
        if (withAttrs) {
            try {
                attr = attrOf(path);
            } catch (FsException e) {
                if (e.status() != Status.STALE) throw e;
            }
        }
        return new DirEntry(name, ino, type, cookie, attr);
    }

    @Override
    public long cookieVerifier(long dir) {
        directoryPath(dir);
        return bucket.id();
    }

    // ---- data ----

    @Override
    public int read(long ino, long offset, ByteBuffer into) {
        if (offset < 0) throw new FsException(Status.INVAL, "offset " + offset);
        if (isDirectory(ino)) throw new FsException(Status.ISDIR, "read of directory " + ino);
        String path = pathOf(ino);
        ObjectReads.OpenObject object;
        try {
            object = reads.open(bucket, path, true);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.NO_SUCH_KEY) throw new FsException(Status.STALE, path);
            throw new FsException(Status.JUKEBOX, e.getMessage(), e);
        }
        long size = object.info().sizeBytes();
        if (offset >= size || !into.hasRemaining()) return 0;
        int n = (int) Math.min(into.remaining(), size - offset);
        int start = into.position();
        try {
            reads.read(object, offset, n, data -> into.put(data));
        } catch (NamespaceException e) {
            throw new FsException(Status.JUKEBOX, e.getMessage(), e);
        }
        return into.position() - start;
    }

    @Override
    public FsStat statfs() {
        return space.get();
    }

    // ---- read-only ----

    private FsException readOnly() {
        return new FsException(Status.ROFS, "flat bucket " + bucket.name() + " is read-only over NFS");
    }

    @Override
    public Attr setattr(long ino, SetAttr change, Long guardCtimeNanos) {
        throw readOnly();
    }

    @Override
    public Attr create(long dir, String name, CreateMode how, int mode, int uid, int gid, byte[] verifier) {
        throw readOnly();
    }

    @Override
    public Attr mkdir(long dir, String name, int mode, int uid, int gid) {
        throw readOnly();
    }

    @Override
    public Attr symlink(long dir, String name, String target, int mode, int uid, int gid) {
        throw readOnly();
    }

    @Override
    public String readlink(long ino) {
        throw new FsException(Status.INVAL, "a flat bucket has no symlinks");
    }

    @Override
    public void remove(long dir, String name) {
        throw readOnly();
    }

    @Override
    public void rmdir(long dir, String name) {
        throw readOnly();
    }

    @Override
    public void rename(long fromDir, String fromName, long toDir, String toName) {
        throw readOnly();
    }

    @Override
    public Attr link(long ino, long dir, String name) {
        throw readOnly();
    }

    @Override
    public Attr write(long ino, long offset, ByteBuffer data) {
        throw readOnly();
    }

    // ---- plumbing ----

    private byte[] get(byte[] key) {
        try {
            return kv.get(key);
        } catch (MetaKvException e) {
            throw unavailable(e);
        }
    }

    private static FsException unavailable(MetaKvException e) {
        return new FsException(Status.JUKEBOX, "metadata: " + e.getMessage(), e);
    }

    private static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every recorded id of a bucket (DeleteBucket drops them): [from, to). */
    public static byte[][] recordedRange(long bucketId) {
        byte[] from = Keys.flatInode(bucketId, 0);
        return new byte[][] {from, Keys.successor(java.util.Arrays.copyOf(from, 9))};
    }

    /** For tests: the recorded paths, in id order. */
    List<String> recorded(int max) {
        byte[][] range = recordedRange(bucket.id());
        List<String> out = new ArrayList<>();
        for (KeyValue e : kv.scan(range[0], range[1], max, false))
            out.add(new String(e.value(), StandardCharsets.UTF_8));
        return out;
    }
}
