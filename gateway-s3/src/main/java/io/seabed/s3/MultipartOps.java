package io.seabed.s3;

import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.PartInfo;
import io.seabed.namespace.PartPage;
import io.seabed.namespace.UploadInfo;
import io.seabed.namespace.UploadPage;
import io.seabed.namespace.UploadPart;
import io.seabed.namespace.object.ObjectReads.OpenObject;
import io.seabed.namespace.object.UploadListing;
import io.seabed.s3.xml.XmlReader;
import io.seabed.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload,
 * ListMultipartUploads, ListParts.
 */
final class MultipartOps {
    private final Namespace namespace;
    private final S3Config config;
    private final ObjectOps objects;

    MultipartOps(Namespace namespace, S3Config config, ObjectOps objects) {
        this.namespace = namespace;
        this.config = config;
        this.objects = objects;
    }

    void create(S3Request r, Bucket b, String key) {
        String uploadId = namespace.createUpload(b, key, ObjectOps.metadata(r), r.user);
        BucketOps.xml(
                r,
                new XmlWriter()
                        .openRoot("InitiateMultipartUploadResult")
                        .element("Bucket", b.name())
                        .element("Key", key)
                        .element("UploadId", uploadId)
                        .close("InitiateMultipartUploadResult"));
    }

    void uploadPart(S3Request r, Bucket b, S3Op.UploadPart op) {
        int partNumber = partNumber(op.partNumber());
        long length = ObjectOps.bodyLength(r);
        PartInfo part = namespace.uploadPart(b, op.key(), op.uploadId(), partNumber, length, ObjectOps.body(r));
        r.respond(200, S3Server.headers().add("ETag", ObjectOps.quote(part.etag())), null);
    }

    /** UploadPartCopy: all of the input, or x-amz-copy-source-range "bytes=first-last" of it. */
    void uploadPartCopy(S3Request r, Bucket inputBucket, String inputKey, Bucket b, S3Op.UploadPartCopy op) {
        int partNumber = partNumber(op.partNumber());
        OpenObject input = objects.openCopySource(r, inputBucket, inputKey);
        long size = input.info().sizeBytes();
        long[] range = copyRange(r.http.getHeader("x-amz-copy-source-range"), size);
        PartInfo part = namespace.uploadPartCopy(
                input, range[0], range[1] - range[0] + 1, b, op.key(), op.uploadId(), partNumber);
        BucketOps.xml(
                r,
                new XmlWriter()
                        .openRoot("CopyPartResult")
                        .element("LastModified", XmlWriter.isoTime(part.lastModifiedMillis()))
                        .element("ETag", ObjectOps.quote(part.etag()))
                        .close("CopyPartResult"));
    }

    /** The inclusive [first, last] of a copy range; the whole input when absent. */
    static long[] copyRange(String header, long size) {
        if (header == null) return new long[] {0, size - 1};
        String h = header.trim();
        int dash = h.indexOf('-');
        long first = -1;
        long last = -1;
        if (h.startsWith("bytes=") && dash > 6) {
            try {
                first = Long.parseLong(h.substring(6, dash));
                last = Long.parseLong(h.substring(dash + 1));
            } catch (NumberFormatException e) {
                first = -1;
            }
        }
        if (first < 0 || last < first)
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT, "Range specified is not valid for source object of size: " + size);
        if (last >= size)
            throw new S3Exception(
                    S3ErrorCode.INVALID_RANGE, "Range specified is not valid for source object of size: " + size);
        return new long[] {first, last};
    }

    void complete(S3Request r, Bucket b, S3Op.CompleteMultipartUpload op) {
        byte[] body = r.body.readAll(config.xmlBodyBytesMax(), S3ErrorCode.MALFORMED_XML);
        XmlReader.Element root = XmlReader.parse(body);
        if (!root.name().equals("CompleteMultipartUpload")) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        List<UploadPart> parts = new ArrayList<>();
        for (XmlReader.Element p : root.all("Part")) {
            String number = p.childText("PartNumber");
            String etag = p.childText("ETag");
            if (number == null || etag == null) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            int n;
            try {
                n = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            }
            parts.add(new UploadPart(n, unquote(etag)));
        }
        if (parts.isEmpty()) throw new S3Exception(S3ErrorCode.MALFORMED_XML, "You must specify at least one part.");
        ObjectInfo info = namespace.completeUpload(b, op.key(), op.uploadId(), parts, ObjectOps.writeCondition(r));
        BucketOps.xml(
                r,
                new XmlWriter()
                        .openRoot("CompleteMultipartUploadResult")
                        .element("Location", "/" + b.name() + "/" + op.key())
                        .element("Bucket", b.name())
                        .element("Key", op.key())
                        .element("ETag", ObjectOps.quote(info.etag()))
                        .close("CompleteMultipartUploadResult"));
    }

    /** ListMultipartUploads: prefix, delimiter, key-marker, upload-id-marker, max-uploads (at most 1000). */
    void listUploads(S3Request r, Bucket b) {
        String prefix = r.query.get("prefix");
        String delimiter = r.query.get("delimiter");
        String keyMarker = emptyToNull(r.query.get("key-marker"));
        String uploadIdMarker = keyMarker == null ? null : emptyToNull(r.query.get("upload-id-marker"));
        int max = pageSize(r, "max-uploads");
        UploadPage page = namespace.listUploads(b, prefix, delimiter, keyMarker, uploadIdMarker, max);
        XmlWriter x = new XmlWriter().openRoot("ListMultipartUploadsResult").element("Bucket", b.name());
        x.element("KeyMarker", keyMarker == null ? "" : keyMarker)
                .element("UploadIdMarker", uploadIdMarker == null ? "" : uploadIdMarker);
        if (page.truncated()) {
            x.element("NextKeyMarker", page.nextKeyMarker());
            x.element("NextUploadIdMarker", page.nextUploadIdMarker() == null ? "" : page.nextUploadIdMarker());
        }
        x.element("Prefix", prefix == null ? "" : prefix).optional("Delimiter", emptyToNull(delimiter));
        x.element("MaxUploads", max).element("IsTruncated", page.truncated());
        for (UploadInfo u : page.uploads()) {
            x.open("Upload").element("Key", u.key()).element("UploadId", u.uploadId());
            person(x, "Initiator", r, u.initiatorUserId());
            person(x, "Owner", r, b.ownerUserId());
            x.element("StorageClass", "STANDARD")
                    .element("Initiated", XmlWriter.isoTime(u.initiatedMillis()))
                    .close("Upload");
        }
        for (String p : page.commonPrefixes())
            x.open("CommonPrefixes").element("Prefix", p).close("CommonPrefixes");
        BucketOps.xml(r, x.close("ListMultipartUploadsResult"));
    }

    /** ListParts: part-number-marker, max-parts (at most 1000). */
    void listParts(S3Request r, Bucket b, S3Op.ListParts op) {
        int marker = intParam(r, "part-number-marker", 0);
        int max = pageSize(r, "max-parts");
        PartPage page = namespace.listParts(b, op.key(), op.uploadId(), marker, max);
        XmlWriter x = new XmlWriter()
                .openRoot("ListPartsResult")
                .element("Bucket", b.name())
                .element("Key", op.key())
                .element("UploadId", op.uploadId());
        person(x, "Initiator", r, page.upload().initiatorUserId());
        person(x, "Owner", r, b.ownerUserId());
        x.element("StorageClass", "STANDARD")
                .element("PartNumberMarker", marker)
                .element("NextPartNumberMarker", page.nextPartNumberMarker())
                .element("MaxParts", max)
                .element("IsTruncated", page.truncated());
        for (PartInfo p : page.parts())
            x.open("Part")
                    .element("PartNumber", p.partNumber())
                    .element("LastModified", XmlWriter.isoTime(p.lastModifiedMillis()))
                    .element("ETag", ObjectOps.quote(p.etag()))
                    .element("Size", p.sizeBytes())
                    .close("Part");
        BucketOps.xml(r, x.close("ListPartsResult"));
    }

    private static void person(XmlWriter x, String element, S3Request r, String userId) {
        String name = userId.equals(r.user.userId()) ? r.user.displayName() : userId;
        x.open(element).element("ID", userId).element("DisplayName", name).close(element);
    }

    /** A page size parameter: 1000 when absent, at most 1000 (S3 clamps larger values). */
    private static int pageSize(S3Request r, String name) {
        return Math.min(intParam(r, name, UploadListing.PAGE_MAX), UploadListing.PAGE_MAX);
    }

    private static int intParam(S3Request r, String name, int absent) {
        String v = r.query.get(name);
        if (v == null) return absent;
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0)
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT, "Provided " + name + " not an integer or within integer range");
        return n;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    void abort(S3Request r, Bucket b, S3Op.AbortMultipartUpload op) {
        namespace.abortUpload(b, op.key(), op.uploadId());
        r.respond(204, S3Server.headers(), null);
    }

    static int partNumber(String text) {
        int n = text != null && text.matches("[0-9]{1,5}") ? Integer.parseInt(text) : -1;
        if (n < 1 || n > 10_000)
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive");
        return n;
    }

    private static String unquote(String etag) {
        String t = etag.trim();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) t = t.substring(1, t.length() - 1);
        return t;
    }
}
