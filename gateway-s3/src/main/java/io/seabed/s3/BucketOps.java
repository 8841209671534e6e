package io.seabed.s3;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.ListPage;
import io.seabed.namespace.ListRequest;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.ObjectInfo;
import io.seabed.s3.auth.AuthLimits;
import io.seabed.s3.auth.AuthResult;
import io.seabed.s3.auth.AwsChunkedDecoder;
import io.seabed.s3.auth.PayloadMode;
import io.seabed.s3.auth.PayloadVerifier;
import io.seabed.s3.xml.XmlReader;
import io.seabed.s3.xml.XmlWriter;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Service and bucket operations: ListBuckets, Create/Head/Delete bucket, location, listings, DeleteObjects; and
 * the reading of XML request bodies, which every operation that takes one shares ({@link #xmlBody}).
 */
final class BucketOps {
    private final Namespace namespace;
    private final S3Config config;

    BucketOps(Namespace namespace, S3Config config) {
        this.namespace = namespace;
        this.config = config;
    }

    /** Largest max-buckets of one ListBuckets page. */
    static final int MAX_BUCKETS_MAX = 10_000;

    /** ListBuckets, paged by max-buckets and continuation-token (the last name of the page before). */
    void listBuckets(S3Request r) {
        int max = intParam(r, "max-buckets", MAX_BUCKETS_MAX, 1, MAX_BUCKETS_MAX);
        String after =
                r.query.get("continuation-token") == null ? null : decodeToken(r.query.get("continuation-token"));
        String prefix = r.query.getOrDefault("prefix", "");
        XmlWriter x = new XmlWriter()
                .openRoot("ListAllMyBucketsResult")
                .open("Owner")
                .element("ID", r.user.userId())
                .element("DisplayName", r.user.displayName())
                .close("Owner")
                .open("Buckets");
        int listed = 0;
        String last = null;
        boolean truncated = false;
        for (Bucket b : namespace.listBuckets(r.user)) {
            if (!b.name().startsWith(prefix) || (after != null && b.name().compareTo(after) <= 0)) continue;
            if (listed == max) {
                truncated = true;
                break;
            }
            x.open("Bucket")
                    .element("Name", b.name())
                    .element("CreationDate", XmlWriter.isoTime(b.createdMillis()))
                    .close("Bucket");
            listed++;
            last = b.name();
        }
        x.close("Buckets");
        if (truncated) x.element("ContinuationToken", encodeToken(last));
        if (!prefix.isEmpty()) x.element("Prefix", prefix);
        xml(r, x.close("ListAllMyBucketsResult"));
    }

    static int intParam(S3Request r, String name, int absent, int min, int max) {
        String v = r.query.get(name);
        if (v == null) return absent;
        int n = v.matches("[0-9]{1,9}") ? Integer.parseInt(v) : -1;
        if (n < min || n > max)
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT, name + " must be an integer in [" + min + ", " + max + "]");
        return n;
    }

    static String encodeToken(String last) {
        return Base64.getUrlEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The continuation token provided is incorrect");
        }
    }

    void create(S3Request r, String name, Acl acl) {
        byte[] body = xmlBody(r, config.xmlBodyBytesMax());
        if (body.length > 0) {
            XmlReader.Element root = XmlReader.parse(body);
            if (!root.name().equals("CreateBucketConfiguration")) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        }
        if (name == null) throw new S3Exception(S3ErrorCode.INVALID_BUCKET_NAME);
        String modeHeader = r.http.getHeader(S3Config.BUCKET_MODE_HEADER);
        Bucket.Mode mode = config.bucketModeDefault();
        if (modeHeader != null) {
            mode = switch (modeHeader.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "flat" -> Bucket.Mode.FLAT;
                case "hierarchical" -> Bucket.Mode.HIERARCHICAL;
                default ->
                    throw new S3Exception(
                            S3ErrorCode.INVALID_ARGUMENT,
                            S3Config.BUCKET_MODE_HEADER + " must be flat or hierarchical, not " + modeHeader);
            };
        }
        try {
            namespace.createBucket(r.user, name, acl, mode);
        } catch (NamespaceException e) {
            // us-east-1 answers a re-create by the owner with 200 and changes nothing; other regions 409.
            if (e.reason() != NamespaceException.Reason.BUCKET_OWNED_BY_YOU
                    || !config.region().equals("us-east-1")) throw e;
        }
        r.respond(200, S3Server.headers().add("Location", "/" + name), null);
    }

    void head(S3Request r, Bucket b) {
        r.respond(200, S3Server.headers().add("x-amz-bucket-region", config.region()), null);
    }

    void delete(S3Request r, Bucket b) {
        namespace.deleteBucket(b);
        r.respond(204, S3Server.headers(), null);
    }

    void location(S3Request r, Bucket b) {
        String region = config.region().equals("us-east-1") ? "" : config.region();
        xml(r, new XmlWriter().openRoot("LocationConstraint").text(region).close("LocationConstraint"));
    }

    /** GetBucketVersioning: an empty configuration, S3's answer for a bucket never versioned. */
    void versioning(S3Request r, Bucket b) {
        xml(r, new XmlWriter().openRoot("VersioningConfiguration").close("VersioningConfiguration"));
    }

    void listObjects(S3Request r, Bucket b, boolean v2) {
        ListArgs a = ListArgs.parse(r, v2);
        ListPage page = namespace.listObjects(b, new ListRequest(a.prefix, a.delimiter, a.after, a.maxKeys));
        XmlWriter x = new XmlWriter().openRoot("ListBucketResult").element("Name", b.name());
        // ListObjects v1 returns its top-level Prefix as given (botocore does not decode it); v2 encodes it.
        String prefixText = a.prefix == null ? "" : a.prefix;
        x.element("Prefix", v2 ? a.encode(prefixText) : prefixText);
        if (v2) {
            x.optional("StartAfter", a.startAfter == null ? null : a.encode(a.startAfter));
            x.optional("ContinuationToken", a.token);
            x.element("KeyCount", page.objects().size() + page.commonPrefixes().size());
        } else {
            x.element("Marker", a.encode(a.after == null ? "" : a.after));
        }
        x.element("MaxKeys", a.maxKeys);
        x.optional("Delimiter", a.delimiter == null ? null : a.encode(a.delimiter));
        x.optional("EncodingType", a.urlEncode ? "url" : null);
        x.element("IsTruncated", page.truncated());
        if (page.truncated() && v2)
            x.element(
                    "NextContinuationToken",
                    Base64.getUrlEncoder().encodeToString(page.last().getBytes(StandardCharsets.UTF_8)));
        if (page.truncated() && !v2 && a.delimiter != null) x.element("NextMarker", a.encode(page.last()));
        boolean owner = !v2 || "true".equals(r.query.get("fetch-owner"));
        for (ObjectInfo o : page.objects()) {
            x.open("Contents")
                    .element("Key", a.encode(o.key()))
                    .element("LastModified", XmlWriter.isoTime(o.lastModifiedMillis()))
                    .element("ETag", "\"" + o.etag() + "\"")
                    .element("Size", o.sizeBytes())
                    .element("StorageClass", "STANDARD");
            if (owner) owner(x, r, b);
            x.close("Contents");
        }
        for (String p : page.commonPrefixes())
            x.open("CommonPrefixes").element("Prefix", a.encode(p)).close("CommonPrefixes");
        xml(r, x.close("ListBucketResult"));
    }

    /** ListObjectVersions of an unversioned bucket: each object once, with version id "null". */
    void listVersions(S3Request r, Bucket b) {
        ListArgs a = ListArgs.parse(r, false);
        String after = r.query.get("key-marker");
        ListPage page = namespace.listObjects(b, new ListRequest(a.prefix, a.delimiter, after, a.maxKeys));
        XmlWriter x = new XmlWriter().openRoot("ListVersionsResult").element("Name", b.name());
        x.element("Prefix", a.encode(a.prefix == null ? "" : a.prefix));
        x.element("KeyMarker", a.encode(after == null ? "" : after));
        x.element("VersionIdMarker", r.query.getOrDefault("version-id-marker", ""));
        x.element("MaxKeys", a.maxKeys);
        x.optional("Delimiter", a.delimiter == null ? null : a.encode(a.delimiter));
        x.optional("EncodingType", a.urlEncode ? "url" : null);
        x.element("IsTruncated", page.truncated());
        if (page.truncated()) x.element("NextKeyMarker", a.encode(page.last())).element("NextVersionIdMarker", "null");
        for (ObjectInfo o : page.objects()) {
            x.open("Version")
                    .element("Key", a.encode(o.key()))
                    .element("VersionId", "null")
                    .element("IsLatest", true)
                    .element("LastModified", XmlWriter.isoTime(o.lastModifiedMillis()))
                    .element("ETag", "\"" + o.etag() + "\"")
                    .element("Size", o.sizeBytes())
                    .element("StorageClass", "STANDARD");
            owner(x, r, b);
            x.close("Version");
        }
        for (String p : page.commonPrefixes())
            x.open("CommonPrefixes").element("Prefix", a.encode(p)).close("CommonPrefixes");
        xml(r, x.close("ListVersionsResult"));
    }

    /**
     * DeleteObjects: up to {@link #DELETE_KEYS_MAX} keys, each deleted in its own transaction (a
     * delete is idempotent, so a retry after a partial failure is safe); per-key failures become
     * Error entries; Quiet mode reports only those.
     */
    void deleteObjects(S3Request r, Bucket b) {
        XmlReader.Element root = XmlReader.parse(xmlBody(r, config.xmlBodyBytesMax()));
        if (!root.name().equals("Delete")) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        List<XmlReader.Element> objects = root.all("Object");
        if (objects.isEmpty() || objects.size() > DELETE_KEYS_MAX)
            throw new S3Exception(
                    S3ErrorCode.MALFORMED_XML,
                    "The request names " + objects.size() + " keys; it must name 1 to " + DELETE_KEYS_MAX + ".");
        boolean quiet = "true".equalsIgnoreCase(root.childText("Quiet"));
        XmlWriter x = new XmlWriter().openRoot("DeleteResult");
        for (XmlReader.Element o : objects) {
            XmlReader.Element keyElement = o.child("Key");
            if (keyElement == null) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            String key = keyElement.rawText();
            String versionId = o.childText("VersionId");
            S3ErrorCode code = null;
            String message = null;
            if (versionId != null && !versionId.equals("null")) {
                code = S3ErrorCode.INVALID_ARGUMENT;
                message = "Invalid version id specified";
            } else {
                try {
                    namespace.deleteObject(b, key);
                } catch (NamespaceException e) {
                    S3Exception s3 = S3Errors.toS3(e, r.requestId);
                    code = s3.code();
                    message = s3.getMessage();
                }
            }
            if (code != null) {
                x.open("Error").element("Key", key).optional("VersionId", versionId);
                x.element("Code", code.code()).element("Message", message).close("Error");
            } else if (!quiet) {
                x.open("Deleted")
                        .element("Key", key)
                        .optional("VersionId", versionId)
                        .close("Deleted");
            }
        }
        xml(r, x.close("DeleteResult"));
    }

    /** S3's limit on keys in one DeleteObjects request. */
    static final int DELETE_KEYS_MAX = 1000;

    private static void owner(XmlWriter x, S3Request r, Bucket b) {
        boolean mine = r.user != null && b.ownerUserId().equals(r.user.userId());
        x.open("Owner")
                .element("ID", b.ownerUserId())
                .element(
                        "DisplayName",
                        mine
                                ? r.user.displayName()
                                : b.acl().ownerDisplayName() != null ? b.acl().ownerDisplayName() : b.ownerUserId())
                .close("Owner");
    }

    /** Listing parameters, validated with S3's errors. */
    private record ListArgs(
            String prefix,
            String delimiter,
            String after,
            String startAfter,
            String token,
            int maxKeys,
            boolean urlEncode) {
        static ListArgs parse(S3Request r, boolean v2) {
            String prefix = r.query.get("prefix");
            String delimiter = r.query.get("delimiter");
            if (delimiter != null && delimiter.isEmpty()) delimiter = null;
            String encoding = r.query.get("encoding-type");
            if (encoding != null && !encoding.equals("url"))
                throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid Encoding Method specified in Request");
            int maxKeys = 1000;
            String mk = r.query.get("max-keys");
            if (mk != null) {
                try {
                    maxKeys = Integer.parseInt(mk);
                } catch (NumberFormatException e) {
                    throw new S3Exception(
                            S3ErrorCode.INVALID_ARGUMENT, "Provided max-keys not an integer or within integer range");
                }
                if (maxKeys < 0) throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "max-keys must be >= 0");
                maxKeys = Math.min(maxKeys, 1000);
            }
            String token = v2 ? r.query.get("continuation-token") : null;
            String startAfter = v2 ? r.query.get("start-after") : null;
            String after = v2 ? startAfter : r.query.get("marker");
            if (token != null) {
                try {
                    after = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The continuation token provided is incorrect");
                }
            }
            return new ListArgs(prefix, delimiter, after, startAfter, token, maxKeys, encoding != null);
        }

        String encode(String s) {
            // S3's url encoding keeps '/' (as Python's quote does).
            return urlEncode
                    ? URLEncoder.encode(s, StandardCharsets.UTF_8)
                            .replace("+", "%20")
                            .replace("%2F", "/")
                    : s;
        }
    }

    /**
     * An XML request body, read whole and checked as an object body is (signed payload hash, Content-MD5,
     * x-amz-checksum-*, aws-chunked framing) before anything acts on it. More than {@code limitBytes} is
     * MaxMessageLengthExceeded: before reading when the declared length says so, else as soon as it arrives.
     * Without Content-Length (no body, or HTTP chunked) the body is what arrives.
     */
    static byte[] xmlBody(S3Request r, int limitBytes) {
        checkDeclaredLength(r, limitBytes);
        return readVerified(ObjectOps.body(r, null), limitBytes);
    }

    /**
     * As {@link #xmlBody}, for a request whose x-amz-checksum-* headers describe something else than its body
     * (the object a CompleteMultipartUpload makes): only the signed payload hash, Content-MD5 and the aws-chunked
     * framing and trailer are checked.
     */
    static byte[] xmlBodyWithoutChecksumHeaders(S3Request r, int limitBytes) {
        checkDeclaredLength(r, limitBytes);
        AuthResult.Authenticated payload = ObjectOps.payload(r);
        AwsChunkedDecoder decoder = payload.payloadMode().streaming()
                ? AwsChunkedDecoder.forRequest(payload, r, AuthLimits.DEFAULTS)
                : null;
        PayloadVerifier hash =
                payload.payloadMode() == PayloadMode.SIGNED ? new PayloadVerifier(payload.contentSha256Hex()) : null;
        if ("100-continue".equalsIgnoreCase(r.http.getHeader("Expect")))
            r.context.runOnContext(v -> r.http.response().writeContinue());
        return readVerified(new S3Body(r.body, decoder, hash, contentMd5(r), null, null, null), limitBytes);
    }

    /** The decoded Content-MD5, or null without one (InvalidDigest when it is not base64 of 16 bytes). */
    private static byte[] contentMd5(S3Request r) {
        String header = r.http.getHeader("Content-MD5");
        if (header == null) return null;
        byte[] md5;
        try {
            md5 = Base64.getDecoder().decode(header.trim());
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.INVALID_DIGEST);
        }
        if (md5.length != 16) throw new S3Exception(S3ErrorCode.INVALID_DIGEST);
        return md5;
    }

    /** MaxMessageLengthExceeded, before reading, when Content-Length (or the decoded length) is over the limit. */
    private static void checkDeclaredLength(S3Request r, int limitBytes) {
        if (r.http.getHeader("Content-Length") == null
                && !ObjectOps.payload(r).payloadMode().streaming()) return;
        long lengthBytes = ObjectOps.bodyLength(r);
        if (lengthBytes > limitBytes) throw tooBig("the body of " + lengthBytes + " bytes", limitBytes);
    }

    /** Reads {@code body} whole (at most {@code limitBytes}), then verifies it. */
    private static byte[] readVerified(S3Body body, int limitBytes) {
        ByteBuffer out = ByteBuffer.allocate(Math.min(limitBytes + 1, XML_READ_BYTES));
        while (body.read(out) >= 0) {
            if (out.hasRemaining()) continue;
            if (out.capacity() > limitBytes) throw tooBig("the body", limitBytes);
            out = ByteBuffer.allocate(Math.min(out.capacity() * 2, limitBytes + 1))
                    .put(out.flip());
        }
        byte[] bytes = Arrays.copyOf(out.array(), out.position());
        try {
            body.verify(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides MD5", e);
        }
        return bytes;
    }

    /** The first buffer of an XML body; it doubles up to the limit. */
    private static final int XML_READ_BYTES = 64 * 1024;

    private static S3Exception tooBig(String what, int limitBytes) {
        return new S3Exception(
                S3ErrorCode.MAX_MESSAGE_LENGTH_EXCEEDED,
                "Your request was too big: " + what + " exceeds the " + limitBytes + " bytes allowed.");
    }

    static void xml(S3Request r, XmlWriter x) {
        r.respond(200, S3Server.headers().add("Content-Type", "application/xml"), x.toBytes());
    }
}
