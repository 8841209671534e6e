package io.seabed.server;

import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.nfs.ExportOptions;
import io.seabed.nfs.Exports;
import io.seabed.nfs.FileSystems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the NFS front serves: every bucket, exported with the options its owning tenant put in the bucket tag
 * {@value #EXPORT_TAG} (PutBucketTagging), else with the server's default options; the tag value {@code off} keeps a
 * bucket unexported, and a tag that does not parse does too (logged). A hierarchical bucket is its tree; a flat
 * bucket is exported read-only whatever its options say, with directories synthesized from its keys. Options, and
 * buckets by id, are cached for {@value #CACHE_MILLIS} ms: a tag change reaches a gateway within that time.
 */
final class BucketExports implements FileSystems, Exports {
    private static final Logger LOG = LoggerFactory.getLogger(BucketExports.class);

    static final String EXPORT_TAG = "seabed:nfs";

    static final long CACHE_MILLIS = 5_000;

    /** Buckets the export list (MOUNT EXPORT) looks at. */
    static final int BUCKETS_LISTED_MAX = 10_000;

    private static final int CACHE_ENTRIES_MAX = 4096;

    private final Namespace namespace;
    private final ExportOptions defaults;

    private record Cached(ExportOptions options, long atMillis) {}

    private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > CACHE_ENTRIES_MAX;
        }
    };

    private record CachedBucket(Bucket bucket, long atMillis) {}

    /** Buckets by id, as file handles name them: one metadata read per bucket and period, not per call. */
    private final Map<Long, CachedBucket> byId = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, CachedBucket> eldest) {
            return size() > CACHE_ENTRIES_MAX;
        }
    };

    BucketExports(Namespace namespace, ExportOptions defaults) {
        this.namespace = namespace;
        this.defaults = defaults;
    }

    @Override
    public FileSystem open(String bucketName) {
        Bucket b = bucketOrNull(bucketName);
        return b == null ? null : namespace.fileSystem(b);
    }

    @Override
    public FileSystem byId(long bucketId) {
        long now = System.currentTimeMillis();
        Bucket b;
        synchronized (byId) {
            CachedBucket c = byId.get(bucketId);
            b = c != null && now - c.atMillis() < CACHE_MILLIS ? c.bucket() : null;
        }
        if (b == null) {
            b = namespace.bucketById(bucketId);
            if (b == null) return null;
            synchronized (byId) {
                byId.put(bucketId, new CachedBucket(b, now));
            }
        }
        return namespace.fileSystem(b);
    }

    @Override
    public List<String> buckets() {
        List<String> out = new ArrayList<>();
        for (Bucket b : namespace.allBuckets(BUCKETS_LISTED_MAX)) if (optionsOf(b) != null) out.add(b.name());
        return out;
    }

    @Override
    public ExportOptions optionsFor(String bucketName) {
        long now = System.currentTimeMillis();
        synchronized (cache) {
            Cached c = cache.get(bucketName);
            if (c != null && now - c.atMillis() < CACHE_MILLIS) return c.options();
        }
        Bucket b = bucketOrNull(bucketName);
        ExportOptions options = b == null ? null : optionsOf(b);
        synchronized (cache) {
            cache.put(bucketName, new Cached(options, now));
        }
        return options;
    }

    private ExportOptions optionsOf(Bucket b) {
        String spec = b.tags().get(EXPORT_TAG);
        if (spec == null) return forMode(b, defaults);
        if (spec.trim().equals("off")) return null;
        try {
            return forMode(b, ExportOptions.parse(spec));
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "bucket {}: tag {}={} does not parse ({}): not exported",
                    b.name(),
                    EXPORT_TAG,
                    spec,
                    e.getMessage());
            return null;
        }
    }

    /** A flat bucket's export is read-only. */
    private static ExportOptions forMode(Bucket b, ExportOptions options) {
        if (b.hierarchical() || options.readOnly()) return options;
        return new ExportOptions(
                true,
                options.squash(),
                options.anonUid(),
                options.anonGid(),
                options.clients(),
                options.allowAuthNone());
    }

    private Bucket bucketOrNull(String name) {
        try {
            return namespace.bucket(name);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.NO_SUCH_BUCKET
                    || e.reason() == NamespaceException.Reason.INVALID_BUCKET_NAME) return null;
            throw e;
        }
    }
}
