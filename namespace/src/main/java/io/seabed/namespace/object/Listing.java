package io.seabed.namespace.object;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.ListPage;
import io.seabed.namespace.ListRequest;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.ObjectHead;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ListObjects over a flat bucket's heads in key order. With a delimiter, each common prefix is
 * emitted once and the scan seeks past all its keys, so a page costs O(maxKeys) seeks whatever the
 * number of keys below each prefix.
 */
public final class Listing {
    public static final int MAX_KEYS_MAX = 1000;
    /** Entries fetched per metadata scan while building a page. */
    static final int SCAN_BATCH = 256;

    private final MetaKv kv;

    Listing(MetaKv kv) {
        this.kv = kv;
    }

    public ListPage list(Bucket bucket, ListRequest request) {
        int maxKeys = request.maxKeys();
        if (maxKeys < 0 || maxKeys > MAX_KEYS_MAX)
            throw new NamespaceException(Reason.INVALID_ARGUMENT, "maxKeys=" + maxKeys + " outside [0, 1000]");
        String prefix = request.prefix() == null ? "" : request.prefix();
        String delimiter = request.delimiter() == null || request.delimiter().isEmpty() ? null : request.delimiter();
        byte[] rangeStart = Keys.objectHeadPrefix(bucket.id(), prefix);
        byte[] rangeEnd =
                prefix.isEmpty() ? Keys.idRangeEnd(Keys.OBJECT_HEAD, bucket.id()) : Keys.successor(rangeStart);
        byte[] from = rangeStart;
        if (request.after() != null) {
            byte[] afterKey = afterKey(bucket.id(), request.after(), delimiter, prefix);
            if (Arrays.compareUnsigned(afterKey, from) > 0) from = afterKey;
        }
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String last = null;
        if (maxKeys == 0) return new ListPage(objects, prefixes, false, null);
        while (Arrays.compareUnsigned(from, rangeEnd) < 0) {
            List<KeyValue> batch = kv.scan(from, rangeEnd, SCAN_BATCH, false);
            boolean seeked = false;
            for (KeyValue e : batch) {
                String name = Keys.objectName(e.key());
                if (objects.size() + prefixes.size() == maxKeys) return new ListPage(objects, prefixes, true, last);
                String common = commonPrefix(name, prefix, delimiter);
                if (common != null) {
                    prefixes.add(common);
                    last = common;
                    from = Keys.successor(Keys.objectHeadPrefix(bucket.id(), common));
                    seeked = true;
                    break;
                }
                objects.add(ObjectReads.info(name, ObjectHead.decode(e.value())));
                last = name;
                from = successorKey(e.key());
            }
            if (!seeked && batch.size() < SCAN_BATCH) break;
        }
        return new ListPage(objects, prefixes, false, last);
    }

    /** The key just after {@code key} in byte order. */
    private static byte[] successorKey(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private static String commonPrefix(String name, String prefix, String delimiter) {
        if (delimiter == null) return null;
        int i = name.indexOf(delimiter, prefix.length());
        return i < 0 ? null : name.substring(0, i + delimiter.length());
    }

    /**
     * Where to resume after {@code after}: past the key itself, and when {@code after} is a common
     * prefix of this listing, past every key under it.
     */
    private static byte[] afterKey(long bucketId, String after, String delimiter, String prefix) {
        if (delimiter != null && after.endsWith(delimiter) && after.startsWith(prefix)) {
            String rest = after.substring(prefix.length(), after.length() - delimiter.length());
            if (!rest.contains(delimiter)) return Keys.successor(Keys.objectHeadPrefix(bucketId, after));
        }
        byte[] k = Keys.objectHead(bucketId, after);
        return Arrays.copyOf(k, k.length + 1);
    }
}
