package io.seabed.s3;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.ObjectMetadata;
import io.seabed.namespace.WriteCondition;
import io.seabed.namespace.object.ObjectReads.OpenObject;
import io.seabed.s3.auth.AuthLimits;
import io.seabed.s3.auth.AuthResult;
import io.seabed.s3.auth.AwsChunkedDecoder;
import io.seabed.s3.auth.PayloadMode;
import io.seabed.s3.auth.PayloadVerifier;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.http.ResponseBody;
import io.seabed.s3.xml.XmlWriter;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** PutObject, GetObject, HeadObject (conditional, by range or part number), DeleteObject, CopyObject. */
final class ObjectOps {
    /** Standard headers stored with an object and returned by GET/HEAD. */
    static final String[] STORED_HEADERS = {
        "content-type", "content-encoding", "content-disposition", "content-language", "cache-control", "expires"
    };

    static final String META_PREFIX = "x-amz-meta-";
    static final String DEFAULT_CONTENT_TYPE = "binary/octet-stream";
    static final String CHECKSUM_MODE = "x-amz-checksum-mode";
    static final String CHECKSUM_TYPE = "x-amz-checksum-type";
    static final String CHECKSUM_ALGORITHM = "x-amz-checksum-algorithm";
    static final String SDK_CHECKSUM_ALGORITHM = "x-amz-sdk-checksum-algorithm";

    private final Namespace namespace;
    private final S3Config config;
    private final S3Metrics metrics;

    ObjectOps(Namespace namespace, S3Config config, S3Metrics metrics) {
        this.namespace = namespace;
        this.config = config;
        this.metrics = metrics;
    }

    /** PutObject; a body of known length answers once its commit is applied, without holding the thread. */
    void put(S3Request r, Bucket b, String key, Acl acl) {
        if (lengthComesAtEnd(r)) {
            putAnswered(
                    r,
                    namespace.putObjectToEnd(
                            b, key, Long.MAX_VALUE, metadata(r, acl), body(r, null), writeCondition(r)));
        } else {
            long length = bodyLength(r);
            r.answerWhen(
                    namespace.putObjectAsync(b, key, length, metadata(r, acl), body(r, null), writeCondition(r)),
                    info -> putAnswered(r, info));
        }
    }

    private void putAnswered(S3Request r, ObjectInfo info) {
        metrics.bytesIn(info.sizeBytes());
        MultiMap h = S3Server.headers().add("ETag", quote(info.etag()));
        checksumHeaders(h, info.checksum());
        r.respond(200, h, null);
    }

    /** x-amz-checksum-<algorithm> and x-amz-checksum-type of {@code checksum}, when there is one. */
    static void checksumHeaders(MultiMap h, ObjectChecksum checksum) {
        if (checksum == null) return;
        h.add(storedAlgorithm(checksum).headerName(), checksum.value())
                .add(CHECKSUM_TYPE, checksum.type().name());
    }

    /** The algorithm of a stored checksum; the gateway stored only names it knows. */
    static ChecksumAlgorithm storedAlgorithm(ObjectChecksum checksum) {
        ChecksumAlgorithm a = ChecksumAlgorithm.fromAlgorithmName(checksum.algorithm());
        if (a == null) throw new IllegalStateException("stored checksum algorithm " + checksum.algorithm());
        return a;
    }

    void get(S3Request r, Bucket b, String key, boolean withBody) {
        OpenObject o = namespace.openObject(b, key, withBody);
        ObjectInfo info = o.info();
        MultiMap h = S3Server.headers();
        h.add("ETag", quote(info.etag()))
                .add("Last-Modified", S3Request.HTTP_DATE.format(Instant.ofEpochMilli(info.lastModifiedMillis())));
        switch (Preconditions.evaluate(r, Preconditions.Headers.PLAIN, info)) {
            case FAILED -> throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED);
            case NOT_MODIFIED -> {
                r.respond(304, h, null);
                return;
            }
            case PROCEED -> h.add("Accept-Ranges", "bytes");
        }
        for (String name : STORED_HEADERS) {
            String v = info.systemMetadata().get(name);
            if (v != null) h.add(name, v);
        }
        if (!h.contains("content-type")) h.add("Content-Type", DEFAULT_CONTENT_TYPE);
        info.userMetadata().forEach((k, v) -> h.add(META_PREFIX + k, v));
        // As S3: the parts count answers a partNumber read only.
        if (info.partsCount() > 0 && r.query.containsKey("partNumber"))
            h.add("x-amz-mp-parts-count", Integer.toString(info.partsCount()));
        if (!info.tags().isEmpty())
            h.add(Tagging.COUNT_HEADER, Integer.toString(info.tags().size()));
        overrides(r, h);
        if ("ENABLED".equals(r.http.getHeader(CHECKSUM_MODE))) checksumHeaders(h, readChecksum(r, o));
        long[] span = span(r, o, h);
        long offset = span[0];
        long length = span[1];
        int status = (int) span[2];
        if (!withBody) {
            r.respond(status, h, null, length);
            return;
        }
        if (o.inlineBody() != null) {
            byte[] slice = java.util.Arrays.copyOfRange(o.inlineBody(), (int) offset, (int) (offset + length));
            r.respond(status, h, slice);
            metrics.bytesOut(length);
            return;
        }
        r.startResponse(status, h, length);
        ResponseBody sink = new ResponseBody(r.http.response(), r.context, config.bodyIdleMillis());
        namespace.readObject(o, offset, length, sink);
        r.endStreaming();
        metrics.bytesOut(length);
    }

    /** The attributes GetObjectAttributes may name in x-amz-object-attributes. */
    private static final Set<String> OBJECT_ATTRIBUTES =
            Set.of("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize");

    /**
     * GetObjectAttributes: the attributes x-amz-object-attributes names; ObjectParts (multipart objects
     * only) pages with x-amz-max-parts and x-amz-part-number-marker.
     */
    void attributes(S3Request r, Bucket b, String key) {
        Set<String> wanted = new HashSet<>();
        // The SDKs send the list as one comma-separated header or as one header per attribute.
        for (String header : r.http.headers().getAll("x-amz-object-attributes"))
            for (String a : header.split(",")) {
                String name = a.trim();
                if (name.isEmpty()) continue;
                if (!OBJECT_ATTRIBUTES.contains(name))
                    throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid attribute name specified: " + name);
                wanted.add(name);
            }
        if (wanted.isEmpty())
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT,
                    "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty");
        int maxParts = MultipartOps.pageSize(headerOrQuery(r, "x-amz-max-parts", "max-parts"), "max-parts");
        int marker = MultipartOps.intValue(
                headerOrQuery(r, "x-amz-part-number-marker", "part-number-marker"), "part-number-marker", 0);
        OpenObject o = namespace.openObject(b, key, false);
        ObjectInfo info = o.info();
        XmlWriter x = new XmlWriter().openRoot("GetObjectAttributesResponse");
        if (wanted.contains("ETag")) x.element("ETag", info.etag());
        if (wanted.contains("Checksum") && info.checksum() != null) {
            x.open("Checksum");
            MultipartOps.checksumElements(x, info.checksum());
            x.close("Checksum");
        }
        if (wanted.contains("ObjectParts") && info.partsCount() > 0) objectParts(x, o, marker, maxParts);
        if (wanted.contains("StorageClass")) x.element("StorageClass", "STANDARD");
        if (wanted.contains("ObjectSize")) x.element("ObjectSize", info.sizeBytes());
        MultiMap h = S3Server.headers()
                .add("Content-Type", "application/xml")
                .add("Last-Modified", S3Request.HTTP_DATE.format(Instant.ofEpochMilli(info.lastModifiedMillis())));
        r.respond(200, h, x.close("GetObjectAttributesResponse").toBytes());
    }

    private static String headerOrQuery(S3Request r, String header, String query) {
        String v = r.http.getHeader(header);
        return v != null ? v : r.query.get(query);
    }

    /** The ObjectParts element: parts after {@code marker}, at most {@code maxParts}. */
    private static void objectParts(XmlWriter x, OpenObject o, int marker, int maxParts) {
        int count = o.info().partsCount();
        int first = Math.max(marker, 0) + 1;
        int last = (int) Math.min((long) first + maxParts - 1, count);
        boolean truncated = last < count;
        x.open("ObjectParts")
                .element("PartsCount", count)
                .element("PartNumberMarker", marker)
                .element("NextPartNumberMarker", last >= first ? last : marker)
                .element("MaxParts", maxParts)
                .element("IsTruncated", truncated);
        for (int n = first; n <= last; n++) {
            x.open("Part").element("PartNumber", n).element("Size", o.partRange(n)[1]);
            ObjectChecksum c = o.partChecksum(n);
            if (c != null) x.element(storedAlgorithm(c).elementName(), c.value());
            x.close("Part");
        }
        x.close("ObjectParts");
    }

    /**
     * The checksum a GET or HEAD with x-amz-checksum-mode: ENABLED returns: the object's for a
     * whole-object read, the part's for a partNumber read, none for a Range (it covers no stored value).
     */
    private static ObjectChecksum readChecksum(S3Request r, OpenObject o) {
        if (r.http.getHeader("Range") != null) return null;
        String partNumber = r.query.get("partNumber");
        if (partNumber == null) return o.info().checksum();
        return o.partChecksum(MultipartOps.partNumber(partNumber));
    }

    /**
     * What a GET sends: {offset, length, status} of the whole object, of its Range, or of its part
     * {@code partNumber} (a single-PUT object is its own part 1); Content-Range goes into {@code h}.
     */
    private static long[] span(S3Request r, OpenObject o, MultiMap h) {
        long size = o.info().sizeBytes();
        String rangeHeader = r.http.getHeader("Range");
        String partNumber = r.query.get("partNumber");
        long[] range;
        if (partNumber != null) {
            if (rangeHeader != null)
                throw new S3Exception(
                        S3ErrorCode.INVALID_REQUEST,
                        "Cannot specify both Range header and partNumber query parameter.");
            long[] part = o.partRange(MultipartOps.partNumber(partNumber));
            if (part == null)
                throw new S3Exception(
                        S3ErrorCode.INVALID_PART, "The requested part number is beyond the object's parts.");
            if (o.info().partsCount() == 0 || part[1] == 0) return new long[] {0, size, 200};
            range = new long[] {part[0], part[0] + part[1] - 1};
        } else {
            range = Ranges.parse(rangeHeader, size);
            if (range == Ranges.UNSATISFIABLE) {
                r.rangeObjectSize = size;
                throw new S3Exception(S3ErrorCode.INVALID_RANGE);
            }
            if (range == null) return new long[] {0, size, 200};
        }
        h.add("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
        return new long[] {range[0], range[1] - range[0] + 1, 206};
    }

    static final String COPY_TO_ITSELF = "This copy request is illegal because it is trying to copy an object to"
            + " itself without changing the object's metadata, storage class, website redirect location or"
            + " encryption attributes.";

    /**
     * CopyObject: the input (readable by the caller: the handler resolved its bucket in the caller's
     * tenant) must meet the x-amz-copy-source-if-* conditions; x-amz-metadata-directive chooses the
     * copy's metadata.
     */
    void copy(S3Request r, Bucket inputBucket, String inputKey, Bucket b, String key, Acl acl) {
        String directive = r.http.getHeader("x-amz-metadata-directive");
        boolean replace = directive != null && directive.equals("REPLACE");
        if (directive != null && !replace && !directive.equals("COPY"))
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Unknown metadata directive.");
        String tagDirective = r.http.getHeader(Tagging.DIRECTIVE_HEADER);
        boolean replaceTags = tagDirective != null && tagDirective.equals("REPLACE");
        if (tagDirective != null && !replaceTags && !tagDirective.equals("COPY"))
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Unknown tagging directive.");
        if (!replace && inputBucket.id() == b.id() && inputKey.equals(key))
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST, COPY_TO_ITSELF);
        OpenObject input = openCopySource(r, inputBucket, inputKey);
        // x-amz-checksum-algorithm computes a new checksum while copying; else a FULL_OBJECT one carries over.
        ChecksumAlgorithm algorithm = declaredAlgorithm(r);
        Map<String, String> tags =
                replaceTags ? Tagging.header(r) : input.info().tags();
        ObjectMetadata requested = replace ? metadata(r, acl) : null;
        ObjectInfo info = namespace.copyObject(
                input,
                b,
                key,
                replace
                        ? new ObjectMetadata(requested.systemMetadata(), requested.userMetadata(), acl, tags)
                        : new ObjectMetadata(
                                input.info().systemMetadata(), input.info().userMetadata(), acl, tags),
                writeCondition(r),
                body -> algorithm == null ? body : new ChecksummingBody(body, algorithm));
        metrics.bytesIn(info.sizeBytes());
        XmlWriter x = new XmlWriter()
                .openRoot("CopyObjectResult")
                .element("LastModified", XmlWriter.isoTime(info.lastModifiedMillis()))
                .element("ETag", quote(info.etag()));
        MultipartOps.checksumElements(x, info.checksum());
        BucketOps.xml(r, x.close("CopyObjectResult"));
    }

    /** Opens a copy's input with its body; 412 unless its x-amz-copy-source-if-* conditions hold. */
    OpenObject openCopySource(S3Request r, Bucket inputBucket, String inputKey) {
        OpenObject input = namespace.openObject(inputBucket, inputKey, true);
        if (Preconditions.evaluate(r, Preconditions.Headers.COPY_SOURCE, input.info()) != Preconditions.Outcome.PROCEED)
            throw new S3Exception(S3ErrorCode.PRECONDITION_FAILED);
        return input;
    }

    void delete(S3Request r, Bucket b, String key) {
        namespace.deleteObject(b, key);
        r.respond(204, S3Server.headers(), null);
    }

    /** If-None-Match and If-Match ("*" or an ETag) of a write, checked by the namespace in its commit. */
    static WriteCondition writeCondition(S3Request r) {
        String ifNoneMatch = r.http.getHeader("If-None-Match");
        String ifMatch = r.http.getHeader("If-Match");
        if (ifNoneMatch == null && ifMatch == null) return WriteCondition.NONE;
        return new WriteCondition(
                ifNoneMatch == null ? null : Preconditions.unquote(ifNoneMatch.trim()),
                ifMatch == null ? null : Preconditions.unquote(ifMatch.trim()));
    }

    /** response-* query parameters override headers of a GET (signed requests only, as in S3). */
    private static void overrides(S3Request r, MultiMap h) {
        String[][] pairs = {
            {"response-content-type", "Content-Type"},
            {"response-content-language", "Content-Language"},
            {"response-expires", "Expires"},
            {"response-cache-control", "Cache-Control"},
            {"response-content-disposition", "Content-Disposition"},
            {"response-content-encoding", "Content-Encoding"}
        };
        for (String[] p : pairs) {
            String v = r.query.get(p[0]);
            if (v != null) h.set(p[1], v);
        }
    }

    /**
     * How the request's body is framed and protected: as signed, or for an anonymous request (no
     * signature, no key) aws-chunked with an unsigned trailer when it says so, else plain.
     */
    static AuthResult.Authenticated payload(S3Request r) {
        if (r.auth != null) return r.auth;
        String declared = r.http.getHeader("x-amz-content-sha256");
        PayloadMode mode = PayloadMode.STREAMING_UNSIGNED_TRAILER.headerValue().equals(declared)
                ? PayloadMode.STREAMING_UNSIGNED_TRAILER
                : PayloadMode.UNSIGNED;
        return new AuthResult.Authenticated("", "", mode, null, null, false);
    }

    /**
     * Whether the body is HTTP chunked without a Content-Length (and not aws-chunked, which declares its
     * decoded length): its length is known only at its end.
     */
    static boolean lengthComesAtEnd(S3Request r) {
        return r.http.getHeader("Content-Length") == null
                && "chunked".equalsIgnoreCase(r.http.getHeader("Transfer-Encoding"))
                && !payload(r).payloadMode().streaming();
    }

    /** The object's length: Content-Length, or x-amz-decoded-content-length for aws-chunked bodies. */
    static long bodyLength(S3Request r) {
        String header = payload(r).payloadMode().streaming()
                ? r.http.getHeader(AwsChunkedDecoder.X_AMZ_DECODED_CONTENT_LENGTH)
                : r.http.getHeader("Content-Length");
        if (header == null) throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
        try {
            long n = Long.parseLong(header.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            if (payload(r).payloadMode().streaming()) throw new S3Exception(S3ErrorCode.MISSING_CONTENT_LENGTH);
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid content length.");
        }
    }

    /**
     * The body with every integrity check the request declared. Its additional checksum: the one an
     * x-amz-checksum-* header or the aws-chunked trailer carries, else one computed for the algorithm
     * x-amz-sdk-checksum-algorithm names; {@code uploadAlgorithm} (a part of an upload that declared
     * one) must be that algorithm and is computed when the request carries none.
     */
    static S3Body body(S3Request r, ChecksumAlgorithm uploadAlgorithm) {
        AuthResult.Authenticated payload = payload(r);
        AwsChunkedDecoder decoder = payload.payloadMode().streaming()
                ? AwsChunkedDecoder.forRequest(payload, r, AuthLimits.DEFAULTS)
                : null;
        PayloadVerifier hash =
                payload.payloadMode() == PayloadMode.SIGNED ? new PayloadVerifier(payload.contentSha256Hex()) : null;
        byte[] md5 = null;
        String md5Header = r.http.getHeader("Content-MD5");
        if (md5Header != null) {
            try {
                md5 = Base64.getDecoder().decode(md5Header.trim());
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3ErrorCode.INVALID_DIGEST);
            }
            if (md5.length != 16) throw new S3Exception(S3ErrorCode.INVALID_DIGEST);
        }
        ChecksumAlgorithm algorithm = null;
        String expected = null;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = r.http.getHeader(a.headerName());
            if (v != null) {
                if (algorithm != null)
                    throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Expecting a single x-amz-checksum- header.");
                algorithm = a;
                expected = v.trim();
                if (!a.isWellFormed(expected))
                    throw new S3Exception(
                            S3ErrorCode.INVALID_REQUEST, "Value for " + a.headerName() + " header is invalid.");
            }
        }
        ChecksumAlgorithm carried = algorithm != null ? algorithm : decoder == null ? null : decoder.trailerAlgorithm();
        ChecksumAlgorithm declared = declaredAlgorithm(r);
        if (declared != null && carried != null && declared != carried)
            throw new S3Exception(
                    S3ErrorCode.INVALID_REQUEST,
                    "The algorithm " + declared.algorithmName() + " does not match the checksum sent, "
                            + carried.algorithmName() + ".");
        ChecksumAlgorithm sent = carried != null ? carried : declared;
        if (uploadAlgorithm != null && sent != null && sent != uploadAlgorithm)
            throw new S3Exception(
                    S3ErrorCode.INVALID_REQUEST,
                    "Checksum Type mismatch occurred, expected checksum Type: " + uploadAlgorithm.algorithmName()
                            + ", actual checksum Type: " + sent.algorithmName());
        ChecksumAlgorithm compute = carried != null ? null : uploadAlgorithm != null ? uploadAlgorithm : declared;
        if ("100-continue".equalsIgnoreCase(r.http.getHeader("Expect")))
            r.context.runOnContext(v -> r.http.response().writeContinue());
        return new S3Body(r.body, decoder, hash, md5, algorithm, expected, compute);
    }

    /** The algorithm x-amz-sdk-checksum-algorithm (or x-amz-checksum-algorithm) names, or null. */
    static ChecksumAlgorithm declaredAlgorithm(S3Request r) {
        String name = r.http.getHeader(SDK_CHECKSUM_ALGORITHM);
        if (name == null) name = r.http.getHeader(CHECKSUM_ALGORITHM);
        if (name == null) return null;
        ChecksumAlgorithm a = ChecksumAlgorithm.fromAlgorithmName(name);
        if (a == null)
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Checksum algorithm provided is unsupported: " + name);
        return a;
    }

    /** Standard headers and x-amz-meta-* of a write request, with the new object's ACL. */
    static ObjectMetadata metadata(S3Request r, Acl acl) {
        Map<String, String> system = new LinkedHashMap<>();
        for (String name : STORED_HEADERS) {
            String v = r.http.getHeader(name);
            if (v == null) continue;
            if (name.equals("content-encoding")) {
                v = stripAwsChunked(v);
                if (v.isEmpty()) continue;
            }
            system.put(name, v);
        }
        Map<String, String> user = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : r.http.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(META_PREFIX) && name.length() > META_PREFIX.length())
                user.merge(name.substring(META_PREFIX.length()), e.getValue(), (a, c) -> a + "," + c);
        }
        return new ObjectMetadata(system, user, acl, Tagging.header(r));
    }

    private static String stripAwsChunked(String v) {
        StringBuilder sb = new StringBuilder();
        for (String part : v.split(",")) {
            String t = part.trim();
            if (t.isEmpty() || t.equalsIgnoreCase("aws-chunked")) continue;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(t);
        }
        return sb.toString();
    }

    static String quote(String etag) {
        return "\"" + etag + "\"";
    }
}
