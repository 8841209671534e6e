package io.seabed.namespace.object;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.PartInfo;
import io.seabed.namespace.PartPage;
import io.seabed.namespace.UploadInfo;
import io.seabed.namespace.UploadPage;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.PartRecord;
import io.seabed.namespace.schema.UploadRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * ListMultipartUploads and ListParts.
 *
 * <p>Uploads are keyed by (bucket id, upload id) in table 0x40, not by object key, so listing them
 * in key order reads every upload of the bucket and sorts them: O(uploads) per page, bounded by
 * {@link #UPLOADS_SCANNED_MAX}. Acceptable while buckets hold few uploads in progress; an index by
 * key would make pages O(maxUploads). Within a key, uploads are ordered by upload id (S3 orders
 * them by initiation time), so that upload-id-marker pages stably.
 */
public final class UploadListing {
    /** Uploads of one bucket a listing reads at most; beyond, it refuses (TOO_MANY_UPLOADS). */
    public static final int UPLOADS_SCANNED_MAX = 100_000;
    /** Largest page of uploads or parts (S3's). */
    public static final int PAGE_MAX = 1000;
    /** Entries per metadata scan. */
    static final int SCAN_BATCH = 256;

    private static final int UPLOAD_KEY_BYTES = 9 + Multipart.UPLOAD_ID_BYTES;
    private static final Comparator<String> UTF8_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    private static final Comparator<UploadInfo> ORDER =
            Comparator.comparing(UploadInfo::key, UTF8_ORDER).thenComparing(UploadInfo::uploadId);

    private final MetaKv kv;

    UploadListing(MetaKv kv) {
        this.kv = kv;
    }

    /**
     * @param keyMarker list uploads of keys after this one (null: from the start)
     * @param uploadIdMarker with keyMarker: also uploads of keyMarker itself after this upload id
     * @param maxUploads 0..1000
     */
    public UploadPage listUploads(
            Bucket bucket, String prefix, String delimiter, String keyMarker, String uploadIdMarker, int maxUploads) {
        if (maxUploads < 0 || maxUploads > PAGE_MAX)
            throw new NamespaceException(Reason.INVALID_ARGUMENT, "maxUploads=" + maxUploads + " outside [0, 1000]");
        String p = prefix == null ? "" : prefix;
        String d = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        List<UploadInfo> all = new ArrayList<>();
        for (UploadInfo u : readAll(bucket))
            if (u.key().startsWith(p) && after(u, keyMarker, uploadIdMarker)) all.add(u);
        all.sort(ORDER);
        List<UploadInfo> uploads = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String nextKey = null;
        String nextUploadId = null;
        for (UploadInfo u : all) {
            String common = d == null ? null : commonPrefix(u.key(), p, d);
            if (common != null
                    && (common.equals(nextKey) || (keyMarker != null && UTF8_ORDER.compare(common, keyMarker) <= 0)))
                continue;
            if (uploads.size() + prefixes.size() == maxUploads)
                return new UploadPage(uploads, prefixes, maxUploads > 0, nextKey, nextUploadId);
            if (common != null) {
                prefixes.add(common);
                nextKey = common;
                nextUploadId = null;
            } else {
                uploads.add(u);
                nextKey = u.key();
                nextUploadId = u.uploadId();
            }
        }
        return new UploadPage(uploads, prefixes, false, nextKey, nextUploadId);
    }

    /** Every upload of the bucket, skipping their parts (one seek past each upload's parts). */
    private List<UploadInfo> readAll(Bucket bucket) {
        byte[] from = Keys.idRangeStart(Keys.UPLOAD, bucket.id());
        byte[] end = Keys.idRangeEnd(Keys.UPLOAD, bucket.id());
        List<UploadInfo> out = new ArrayList<>();
        while (Arrays.compareUnsigned(from, end) < 0) {
            List<KeyValue> batch = kv.scan(from, end, SCAN_BATCH, false);
            boolean seeked = false;
            for (KeyValue e : batch) {
                if (e.key().length != UPLOAD_KEY_BYTES) {
                    from = Keys.successor(Arrays.copyOf(e.key(), UPLOAD_KEY_BYTES));
                    seeked = true;
                    break;
                }
                if (out.size() == UPLOADS_SCANNED_MAX)
                    throw new NamespaceException(
                            Reason.TOO_MANY_UPLOADS,
                            "bucket " + bucket.name() + " has more than " + UPLOADS_SCANNED_MAX
                                    + " uploads in progress to list; complete or abort some");
                UploadRecord r = UploadRecord.decode(e.value());
                String id = HexFormat.of().formatHex(e.key(), 9, UPLOAD_KEY_BYTES);
                out.add(info(r, id));
                from = Arrays.copyOf(e.key(), UPLOAD_KEY_BYTES + 1);
            }
            if (!seeked && batch.size() < SCAN_BATCH) break;
        }
        return out;
    }

    private static boolean after(UploadInfo u, String keyMarker, String uploadIdMarker) {
        if (keyMarker == null) return true;
        int c = UTF8_ORDER.compare(u.key(), keyMarker);
        if (c != 0) return c > 0;
        return uploadIdMarker != null && u.uploadId().compareTo(uploadIdMarker) > 0;
    }

    private static String commonPrefix(String key, String prefix, String delimiter) {
        int i = key.indexOf(delimiter, prefix.length());
        return i < 0 ? null : key.substring(0, i + delimiter.length());
    }

    /**
     * @param partNumberMarker list parts after this number (0: from the first)
     * @param maxParts 0..1000
     */
    public PartPage listParts(Bucket bucket, String key, String uploadId, int partNumberMarker, int maxParts) {
        byte[] id = Multipart.parseUploadId(uploadId);
        if (maxParts < 0 || maxParts > PAGE_MAX)
            throw new NamespaceException(Reason.INVALID_ARGUMENT, "maxParts=" + maxParts + " outside [0, 1000]");
        if (partNumberMarker < 0)
            throw new NamespaceException(Reason.INVALID_ARGUMENT, "partNumberMarker=" + partNumberMarker + " < 0");
        byte[] uploadKey = Keys.upload(bucket.id(), id);
        UploadRecord upload = Multipart.requireUpload(kv.get(uploadKey), key, uploadId);
        UploadInfo info = info(upload, uploadId);
        List<PartInfo> parts = new ArrayList<>();
        if (maxParts == 0 || partNumberMarker == Integer.MAX_VALUE) return new PartPage(info, parts, false, 0);
        byte[] from = Keys.part(bucket.id(), id, partNumberMarker + 1);
        List<KeyValue> rows = kv.scan(from, Keys.successor(uploadKey), maxParts + 1, false);
        for (int i = 0; i < rows.size() && i < maxParts; i++) {
            PartRecord p = PartRecord.decode(rows.get(i).value());
            parts.add(new PartInfo(
                    p.partNumber(),
                    p.sizeBytes(),
                    HexFormat.of().formatHex(p.md5()),
                    p.lastModifiedMillis(),
                    p.checksum()));
        }
        int next = parts.isEmpty() ? 0 : parts.getLast().partNumber();
        return new PartPage(info, parts, rows.size() > maxParts, next);
    }

    /** One upload in progress (NO_SUCH_UPLOAD when absent or for another key). */
    public UploadInfo upload(Bucket bucket, String key, String uploadId) {
        byte[] id = Multipart.parseUploadId(uploadId);
        return info(Multipart.requireUpload(kv.get(Keys.upload(bucket.id(), id)), key, uploadId), uploadId);
    }

    private static UploadInfo info(UploadRecord r, String uploadId) {
        return new UploadInfo(
                r.key(), uploadId, r.initiatorUserId(), r.initiatedMillis(), r.checksumAlgorithm(), r.checksumType());
    }
}
