package io.seabed.s3;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.PartInfo;
import io.seabed.namespace.PartPage;
import io.seabed.namespace.UploadInfo;
import io.seabed.namespace.UploadPage;
import io.seabed.namespace.UploadPart;
import io.seabed.namespace.User;
import io.seabed.namespace.object.ObjectReads.OpenObject;
import io.seabed.namespace.object.UploadListing;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.checksum.MultipartChecksum;
import io.seabed.s3.xml.XmlReader;
import io.seabed.s3.xml.XmlWriter;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** @param acl the completed object's ACL */
    void create(S3Request r, Bucket b, String key, Acl acl) {
        ChecksumAlgorithm algorithm = ObjectOps.declaredAlgorithm(r);
        ObjectChecksum.Type type = checksumType(algorithm, r.http.getHeader(ObjectOps.CHECKSUM_TYPE));
        // An anonymous upload (into a bucket granting AllUsers WRITE) is initiated in the owner's name.
        User initiator = r.user != null
                ? r.user
                : new User(
                        null,
                        null,
                        b.ownerTenantId(),
                        null,
                        null,
                        b.ownerUserId(),
                        b.acl().ownerDisplayName(),
                        null,
                        false);
        String uploadId = namespace.createUpload(
                b,
                key,
                ObjectOps.metadata(r, acl),
                initiator,
                algorithm == null ? null : algorithm.algorithmName(),
                type);
        MultiMap h = S3Server.headers().add("Content-Type", "application/xml");
        if (algorithm != null)
            h.add(ObjectOps.CHECKSUM_ALGORITHM, algorithm.algorithmName()).add(ObjectOps.CHECKSUM_TYPE, type.name());
        XmlWriter x = new XmlWriter()
                .openRoot("InitiateMultipartUploadResult")
                .element("Bucket", b.name())
                .element("Key", key)
                .element("UploadId", uploadId)
                .close("InitiateMultipartUploadResult");
        r.respond(200, h, x.toBytes());
    }

    /**
     * The type of an upload's checksum: x-amz-checksum-type, else S3's default for the algorithm
     * (FULL_OBJECT for CRC64NVME, which has no other, COMPOSITE for the rest); SHA digests cannot be
     * combined into a FULL_OBJECT checksum.
     */
    static ObjectChecksum.Type checksumType(ChecksumAlgorithm algorithm, String header) {
        if (algorithm == null) {
            if (header != null)
                throw new S3Exception(
                        S3ErrorCode.INVALID_REQUEST,
                        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
            return null;
        }
        if (header == null)
            return algorithm == ChecksumAlgorithm.CRC64NVME
                    ? ObjectChecksum.Type.FULL_OBJECT
                    : ObjectChecksum.Type.COMPOSITE;
        ObjectChecksum.Type type =
                switch (header.trim()) {
                    case "FULL_OBJECT" -> ObjectChecksum.Type.FULL_OBJECT;
                    case "COMPOSITE" -> ObjectChecksum.Type.COMPOSITE;
                    default ->
                        throw new S3Exception(
                                S3ErrorCode.INVALID_REQUEST, "Value for x-amz-checksum-type is invalid: " + header);
                };
        boolean supported =
                type == ObjectChecksum.Type.FULL_OBJECT ? algorithm.isCrc() : algorithm != ChecksumAlgorithm.CRC64NVME;
        if (!supported)
            throw new S3Exception(
                    S3ErrorCode.INVALID_REQUEST,
                    "The " + type + " checksum type cannot be used with the " + algorithm.algorithmName()
                            + " checksum algorithm.");
        return type;
    }

    void uploadPart(S3Request r, Bucket b, S3Op.UploadPart op) {
        int partNumber = partNumber(op.partNumber());
        long length = ObjectOps.bodyLength(r);
        ChecksumAlgorithm algorithm = uploadAlgorithm(b, op.key(), op.uploadId());
        PartInfo part =
                namespace.uploadPart(b, op.key(), op.uploadId(), partNumber, length, ObjectOps.body(r, algorithm));
        MultiMap h = S3Server.headers().add("ETag", ObjectOps.quote(part.etag()));
        if (part.checksum() != null)
            h.add(
                    ObjectOps.storedAlgorithm(part.checksum()).headerName(),
                    part.checksum().value());
        r.respond(200, h, null);
    }

    /** The checksum algorithm an upload declared, or null (NoSuchUpload when there is no such upload). */
    private ChecksumAlgorithm uploadAlgorithm(Bucket b, String key, String uploadId) {
        UploadInfo upload = namespace.upload(b, key, uploadId);
        if (upload.checksumAlgorithm() == null) return null;
        ChecksumAlgorithm a = ChecksumAlgorithm.fromAlgorithmName(upload.checksumAlgorithm());
        if (a == null) throw new IllegalStateException("upload checksum algorithm " + upload.checksumAlgorithm());
        return a;
    }

    /** UploadPartCopy: all of the input, or x-amz-copy-source-range "bytes=first-last" of it. */
    void uploadPartCopy(S3Request r, Bucket inputBucket, String inputKey, Bucket b, S3Op.UploadPartCopy op) {
        int partNumber = partNumber(op.partNumber());
        OpenObject input = objects.openCopySource(r, inputBucket, inputKey);
        long size = input.info().sizeBytes();
        long[] range = copyRange(r.http.getHeader("x-amz-copy-source-range"), size);
        ChecksumAlgorithm algorithm = uploadAlgorithm(b, op.key(), op.uploadId());
        PartInfo part = namespace.uploadPartCopy(
                input,
                range[0],
                range[1] - range[0] + 1,
                b,
                op.key(),
                op.uploadId(),
                partNumber,
                body -> algorithm == null ? body : new ChecksummingBody(body, algorithm));
        XmlWriter x = new XmlWriter()
                .openRoot("CopyPartResult")
                .element("LastModified", XmlWriter.isoTime(part.lastModifiedMillis()))
                .element("ETag", ObjectOps.quote(part.etag()));
        if (part.checksum() != null)
            x.element(
                    ObjectOps.storedAlgorithm(part.checksum()).elementName(),
                    part.checksum().value());
        BucketOps.xml(r, x.close("CopyPartResult"));
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
        byte[] body = BucketOps.xmlBodyWithoutChecksumHeaders(r, config.xmlBodyBytesMax());
        XmlReader.Element root = XmlReader.parse(body);
        if (!root.name().equals("CompleteMultipartUpload")) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        List<UploadPart> parts = new ArrayList<>();
        List<XmlReader.Element> partElements = root.all("Part");
        for (XmlReader.Element p : partElements) {
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
        ObjectInfo info = namespace.completeUpload(
                b,
                op.key(),
                op.uploadId(),
                parts,
                ObjectOps.writeCondition(r),
                (algorithm, type, stored, sizes) -> combine(r, partElements, algorithm, type, stored, sizes));
        XmlWriter x = new XmlWriter()
                .openRoot("CompleteMultipartUploadResult")
                .element("Location", r.objectUrl(b.name(), op.key()))
                .element("Bucket", b.name())
                .element("Key", op.key())
                .element("ETag", ObjectOps.quote(info.etag()));
        checksumElements(x, info.checksum());
        BucketOps.xml(r, x.close("CompleteMultipartUploadResult"));
    }

    /** ChecksumXXX and ChecksumType elements of {@code checksum}, when there is one. */
    static void checksumElements(XmlWriter x, ObjectChecksum checksum) {
        if (checksum == null) return;
        x.element(ObjectOps.storedAlgorithm(checksum).elementName(), checksum.value())
                .element("ChecksumType", checksum.type().name());
    }

    /**
     * The object's checksum at completion (inside the namespace's commit): every ChecksumXXX a Part
     * element gives must equal the stored part checksum (InvalidPart), and an x-amz-checksum-* header
     * must equal the result, with or without its "-N" (BadDigest).
     */
    private static ObjectChecksum combine(
            S3Request r,
            List<XmlReader.Element> partElements,
            String algorithmName,
            ObjectChecksum.Type type,
            List<String> stored,
            long[] sizes) {
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.fromAlgorithmName(algorithmName);
        if (algorithm == null) throw new IllegalStateException("upload checksum algorithm " + algorithmName);
        for (int i = 0; i < partElements.size(); i++) {
            for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                String given = partElements.get(i).childText(a.elementName());
                if (given != null && (a != algorithm || !given.trim().equals(stored.get(i))))
                    throw new S3Exception(
                            S3ErrorCode.INVALID_PART,
                            "The " + a.elementName() + " of part "
                                    + partElements.get(i).childText("PartNumber")
                                    + " does not match the part's stored " + algorithm.algorithmName()
                                    + " checksum.");
            }
        }
        String value =
                switch (type) {
                    case COMPOSITE -> MultipartChecksum.composite(algorithm, stored);
                    case FULL_OBJECT -> MultipartChecksum.fullObject(algorithm, stored, sizes);
                };
        String expected = r.http.getHeader(algorithm.headerName());
        if (expected != null) {
            String e = expected.trim();
            int dash = value.lastIndexOf('-');
            boolean matches = e.equals(value) || (dash > 0 && e.equals(value.substring(0, dash)));
            if (!matches)
                throw new S3Exception(
                        S3ErrorCode.BAD_DIGEST,
                        "The " + algorithm.headerName() + " you specified did not match the calculated checksum.");
        }
        return new ObjectChecksum(algorithm.algorithmName(), type, value);
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
        Map<String, String> names = new HashMap<>();
        for (UploadInfo u : page.uploads()) {
            x.open("Upload").element("Key", u.key()).element("UploadId", u.uploadId());
            // The initiator owns the object the upload becomes.
            person(x, "Initiator", r, u.initiatorUserId(), names);
            person(x, "Owner", r, u.initiatorUserId(), names);
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
        Map<String, String> names = new HashMap<>();
        person(x, "Initiator", r, page.upload().initiatorUserId(), names);
        person(x, "Owner", r, page.upload().initiatorUserId(), names);
        x.element("StorageClass", "STANDARD");
        UploadInfo upload = page.upload();
        if (upload.checksumAlgorithm() != null)
            x.element("ChecksumAlgorithm", upload.checksumAlgorithm())
                    .element("ChecksumType", upload.checksumType().name());
        x.element("PartNumberMarker", marker)
                .element("NextPartNumberMarker", page.nextPartNumberMarker())
                .element("MaxParts", max)
                .element("IsTruncated", page.truncated());
        for (PartInfo p : page.parts()) {
            x.open("Part")
                    .element("PartNumber", p.partNumber())
                    .element("LastModified", XmlWriter.isoTime(p.lastModifiedMillis()))
                    .element("ETag", ObjectOps.quote(p.etag()))
                    .element("Size", p.sizeBytes());
            if (p.checksum() != null)
                x.element(
                        ObjectOps.storedAlgorithm(p.checksum()).elementName(),
                        p.checksum().value());
            x.close("Part");
        }
        BucketOps.xml(r, x.close("ListPartsResult"));
    }

    /** An Initiator or Owner element; {@code names} caches display names looked up for this response. */
    private void person(XmlWriter x, String element, S3Request r, String userId, Map<String, String> names) {
        String name = r.user != null && userId.equals(r.user.userId())
                ? r.user.displayName()
                : names.computeIfAbsent(userId, id -> {
                    User u = namespace.tenants().userById(id);
                    return u == null ? id : u.displayName();
                });
        x.open(element).element("ID", userId).element("DisplayName", name).close(element);
    }

    /** A page size parameter: 1000 when absent, at most 1000 (S3 clamps larger values). */
    private static int pageSize(S3Request r, String name) {
        return pageSize(r.query.get(name), name);
    }

    /** A page size value: 1000 when null, at most 1000 (S3 clamps larger values). */
    static int pageSize(String value, String name) {
        return Math.min(intValue(value, name, UploadListing.PAGE_MAX), UploadListing.PAGE_MAX);
    }

    private static int intParam(S3Request r, String name, int absent) {
        return intValue(r.query.get(name), name, absent);
    }

    /** A non-negative integer parameter, {@code absent} when null (InvalidArgument when malformed). */
    static int intValue(String v, String name, int absent) {
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
