package io.seabed.namespace.fs;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.ListPage;
import io.seabed.namespace.ListRequest;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.schema.Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * ListObjects over a hierarchical bucket in exact S3 order: the byte order of full keys, where a file {@code n}
 * sorts at {@code n} and a directory {@code n} at {@code n/} (its explicit marker first, then its subtree). A
 * directory's entries are stored in name order, so names between {@code n} and {@code n/} (those continuing
 * {@code n} with a byte below '/', such as {@code n-1} or {@code n.txt}) come out before {@code n}'s subtree: each
 * level keeps the directories whose turn has not come yet until the scan passes them. A page costs the entries it
 * returns plus one scan batch per directory it enters.
 *
 * <p>With delimiter "/" a directory is one common prefix (an implicit empty one, which has no key, none). Other
 * delimiters are INVALID_ARGUMENT. Resuming after a key descends its path, so a page never rescans what earlier
 * pages returned.
 */
final class S3Listing {
    static final int MAX_KEYS_MAX = 1000;

    /** Entries one metadata scan of a directory reads. */
    private static final int SCAN_BATCH = 256;

    private static final byte[] NONE = new byte[0];

    private final HierarchicalFs fs;
    private final MetaKv kv;
    private final long bucket;

    S3Listing(HierarchicalFs fs) {
        this.fs = fs;
        this.kv = fs.kv();
        this.bucket = fs.bucket();
    }

    ListPage list(ListRequest request) {
        int maxKeys = request.maxKeys();
        if (maxKeys < 0 || maxKeys > MAX_KEYS_MAX)
            throw new NamespaceException(Reason.INVALID_ARGUMENT, "maxKeys=" + maxKeys + " outside [0, 1000]");
        String delimiter = request.delimiter() == null || request.delimiter().isEmpty() ? null : request.delimiter();
        if (delimiter != null && !delimiter.equals("/"))
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT, "a hierarchical bucket lists with delimiter '/' or none");
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        if (maxKeys == 0) return new ListPage(objects, prefixes, false, null);
        byte[] prefix = utf8(request.prefix() == null ? "" : request.prefix());
        int slash = lastSlash(prefix);
        byte[] dirPath = Arrays.copyOf(prefix, slash + 1);
        byte[] namePrefix = Arrays.copyOfRange(prefix, slash + 1, prefix.length);
        long[] dir = resolve(dirPath);
        if (dir == null) return new ListPage(objects, prefixes, false, null);
        byte[] after = request.after() == null ? null : utf8(request.after());
        Cursor cursor = new Cursor(dir[0], dirPath, namePrefix, delimiter != null, after);
        List<Out> page = new ArrayList<>();
        Out next = null;
        while (page.size() <= maxKeys && (next = cursor.next()) != null) page.add(next);
        boolean truncated = page.size() > maxKeys;
        if (truncated) page = page.subList(0, maxKeys);
        fill(page, objects, prefixes);
        String last = page.isEmpty() ? null : str(page.getLast().key);
        return new ListPage(objects, prefixes, truncated, last);
    }

    /** Builds the page's entries, reading the files' attributes and S3 heads in one batch. */
    private void fill(List<Out> page, List<ObjectInfo> objects, List<String> prefixes) {
        List<byte[]> keys = new ArrayList<>();
        for (Out o : page)
            if (o.kind == Out.FILE)
                keys.addAll(List.of(
                        FsKeys.inode(bucket, o.ino),
                        FsKeys.size(bucket, o.ino),
                        FsKeys.modified(bucket, o.ino),
                        FsKeys.s3Head(bucket, o.ino)));
        List<byte[]> values = keys.isEmpty() ? List.of() : kv.multiGet(keys);
        int at = 0;
        for (Out o : page) {
            switch (o.kind) {
                case Out.FILE -> {
                    List<byte[]> v = values.subList(at, at + 4);
                    at += 4;
                    if (v.get(0) != null) objects.add(S3View.fileInfo(str(o.key), o.ino, v)); // else: just deleted
                }
                case Out.MARKER -> objects.add(S3View.markerInfo(str(o.key), o.dir));
                default -> prefixes.add(str(o.key));
            }
        }
    }

    /** The directory {@code path} ("a/b/") names, as {ino}; null when it is not a directory. */
    private long[] resolve(byte[] path) {
        long dir = HierarchicalFs.ROOT;
        int start = 0;
        for (int i = 0; i < path.length; i++) {
            if (path[i] != '/') continue;
            if (i == start) return null;
            byte[] entry = kv.get(FsKeys.entry(bucket, dir, Arrays.copyOfRange(path, start, i)));
            if (entry == null || FsKeys.typeOfEntry(entry) != FileType.DIRECTORY) return null;
            dir = FsKeys.inoOfEntry(entry);
            start = i + 1;
        }
        return new long[] {dir};
    }

    /** One item of a listing, in order. */
    private record Out(int kind, byte[] key, long ino, DirRecord dir) {
        static final int FILE = 0;
        static final int MARKER = 1;
        static final int PREFIX = 2;
    }

    /** An entry of a directory: {@code name} is without the directory's path. */
    private record Entry(byte[] name, long ino, FileType type) {}

    /** The items of a listing in S3 order: a depth-first walk (one level when rolling up to common prefixes). */
    private final class Cursor {
        private final Deque<Level> stack = new ArrayDeque<>();
        private final boolean rollUp;
        private Out pending;

        Cursor(long dir, byte[] path, byte[] namePrefix, boolean rollUp, byte[] after) {
            this.rollUp = rollUp;
            if (after != null && !startsWith(after, path)) {
                if (Arrays.compareUnsigned(after, path) > 0) return; // every key under path is before it
                after = null;
            }
            if (after == null) {
                stack.push(new Level(dir, path, namePrefix, NONE));
                if (path.length > 0 && namePrefix.length == 0) {
                    DirRecord d = dirRecord(dir);
                    if (d != null && !d.implicit()) pending = new Out(Out.MARKER, path, dir, d);
                }
                return;
            }
            byte[] rel = Arrays.copyOfRange(after, path.length, after.length);
            if (rollUp) resumeRolledUp(dir, path, namePrefix, rel);
            else resume(dir, path, namePrefix, rel);
        }

        /** Positions the walk just after {@code path + rel}, entering the directories on the way. */
        private void resume(long dir, byte[] path, byte[] namePrefix, byte[] rel) {
            int k = indexOfSlash(rel);
            if (k < 0) {
                stack.push(new Level(dir, path, namePrefix, rel));
                return;
            }
            byte[] child = Arrays.copyOf(rel, k);
            stack.push(new Level(dir, path, namePrefix, Arrays.copyOf(rel, k + 1)));
            if (!startsWith(child, namePrefix)) return;
            byte[] entry = kv.get(FsKeys.entry(bucket, dir, child));
            if (entry == null || FsKeys.typeOfEntry(entry) != FileType.DIRECTORY) return;
            resume(FsKeys.inoOfEntry(entry), concat(path, Arrays.copyOf(rel, k + 1)), NONE, tail(rel, k + 1));
        }

        /**
         * With a delimiter, after a key inside common prefix {@code c/}: the prefix comes again when keys under it
         * follow (as a flat listing would roll them up), and the walk goes on after it.
         */
        private void resumeRolledUp(long dir, byte[] path, byte[] namePrefix, byte[] rel) {
            int k = indexOfSlash(rel);
            if (k < 0) {
                stack.push(new Level(dir, path, namePrefix, rel));
                return;
            }
            stack.push(new Level(dir, path, namePrefix, Arrays.copyOf(rel, k + 1)));
            byte[] child = Arrays.copyOf(rel, k);
            if (k + 1 == rel.length || !startsWith(child, namePrefix)) return;
            byte[] entry = kv.get(FsKeys.entry(bucket, dir, child));
            if (entry == null || FsKeys.typeOfEntry(entry) != FileType.DIRECTORY) return;
            byte[] childPath = concat(path, Arrays.copyOf(rel, k + 1));
            Cursor inside = new Cursor(FsKeys.inoOfEntry(entry), childPath, NONE, false, concat(path, rel));
            if (inside.next() != null) pending = new Out(Out.PREFIX, childPath, 0, null);
        }

        Out next() {
            if (pending != null) {
                Out p = pending;
                pending = null;
                return p;
            }
            while (!stack.isEmpty()) {
                Level top = stack.peek();
                Entry e = top.next();
                if (e == null) {
                    stack.pop();
                    continue;
                }
                byte[] key = concat(top.path, e.name());
                if (e.type() == FileType.FILE) return new Out(Out.FILE, key, e.ino(), null);
                byte[] dirKey = concat(key, new byte[] {'/'});
                DirRecord d = dirRecord(e.ino());
                if (d == null) continue; // removed since the scan
                if (rollUp) {
                    if (!d.implicit() || !isEmpty(e.ino())) return new Out(Out.PREFIX, dirKey, 0, null);
                    continue;
                }
                stack.push(new Level(e.ino(), dirKey, NONE, NONE));
                if (!d.implicit()) return new Out(Out.MARKER, dirKey, e.ino(), d);
            }
            return null;
        }
    }

    /**
     * The entries of one directory whose S3 position (name, or name + "/" for a directory) is above
     * {@code bound}, and whose names start with {@code namePrefix}, in S3 order.
     */
    private final class Level {
        final long dir;
        final byte[] path;
        private final byte[] namePrefix;
        private final TreeMap<byte[], Entry> ready = new TreeMap<>(Arrays::compareUnsigned);
        private final byte[] scanTo;
        private byte[] scanFrom;
        /** Every entry whose name is at most this one has been scanned. */
        private byte[] frontier;

        private boolean scanDone;

        Level(long dir, byte[] path, byte[] namePrefix, byte[] bound) {
            this.dir = dir;
            this.path = path;
            this.namePrefix = namePrefix;
            byte[] prefixKey = concat(FsKeys.dir(bucket, dir), namePrefix);
            this.scanTo = namePrefix.length == 0 ? FsKeys.entriesTo(bucket, dir) : Keys.successor(prefixKey);
            byte[] boundKey = FsKeys.entry(bucket, dir, bound);
            byte[] afterBound = Arrays.copyOf(boundKey, boundKey.length + 1);
            this.scanFrom = Arrays.compareUnsigned(afterBound, prefixKey) > 0 ? afterBound : prefixKey;
            this.frontier = bound;
            this.scanDone = Arrays.compareUnsigned(scanFrom, scanTo) >= 0;
            addPrefixDirectories(bound);
        }

        /**
         * Directories named by the bound or by a prefix {@code d} of it where it goes on with a byte below '/': their
         * names are at most the bound but they sort at {@code d/}, after it.
         */
        private void addPrefixDirectories(byte[] bound) {
            List<byte[]> names = new ArrayList<>();
            for (int j = Math.max(1, namePrefix.length); j <= bound.length; j++)
                if ((j == bound.length || (bound[j] & 0xFF) < '/') && startsWith(bound, namePrefix))
                    names.add(Arrays.copyOf(bound, j));
            if (names.isEmpty()) return;
            List<byte[]> keys = new ArrayList<>();
            for (byte[] n : names) keys.add(FsKeys.entry(bucket, dir, n));
            List<byte[]> values = kv.multiGet(keys);
            for (int i = 0; i < names.size(); i++) {
                byte[] v = values.get(i);
                if (v != null && FsKeys.typeOfEntry(v) == FileType.DIRECTORY)
                    ready.put(
                            concat(names.get(i), new byte[] {'/'}),
                            new Entry(names.get(i), FsKeys.inoOfEntry(v), FileType.DIRECTORY));
            }
        }

        Entry next() {
            while (true) {
                if (!ready.isEmpty() && (scanDone || Arrays.compareUnsigned(ready.firstKey(), frontier) <= 0))
                    return ready.pollFirstEntry().getValue();
                if (scanDone) return null;
                List<KeyValue> batch = kv.scan(scanFrom, scanTo, SCAN_BATCH, false);
                for (KeyValue e : batch) {
                    byte[] name = FsKeys.nameOfEntry(e.key());
                    FileType type = FsKeys.typeOfEntry(e.value());
                    if (type == FileType.SYMLINK) continue; // not an S3 object
                    byte[] position = type == FileType.DIRECTORY ? concat(name, new byte[] {'/'}) : name;
                    ready.put(position, new Entry(name, FsKeys.inoOfEntry(e.value()), type));
                }
                if (!batch.isEmpty()) {
                    byte[] lastKey = batch.getLast().key();
                    frontier = FsKeys.nameOfEntry(lastKey);
                    scanFrom = Arrays.copyOf(lastKey, lastKey.length + 1);
                }
                if (batch.size() < SCAN_BATCH) scanDone = true;
            }
        }
    }

    private DirRecord dirRecord(long dir) {
        byte[] v = kv.get(FsKeys.dir(bucket, dir));
        return v == null ? null : DirRecord.decode(v);
    }

    private boolean isEmpty(long dir) {
        return kv.scan(FsKeys.entriesFrom(bucket, dir), FsKeys.entriesTo(bucket, dir), 1, false)
                .isEmpty();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int lastSlash(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) if (b[i] == '/') return i;
        return -1;
    }

    private static int indexOfSlash(byte[] b) {
        for (int i = 0; i < b.length; i++) if (b[i] == '/') return i;
        return -1;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] tail(byte[] b, int from) {
        return Arrays.copyOfRange(b, from, b.length);
    }
}
