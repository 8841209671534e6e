package io.seabed.s3;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Acl.Permission;
import io.seabed.namespace.BodySource;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.ObjectMetadata;
import io.seabed.namespace.User;
import io.seabed.namespace.WriteCondition;
import io.seabed.s3.auth.PostPolicySignature;
import io.seabed.s3.auth.SecretLookup;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.checksum.PayloadChecksum;
import io.seabed.s3.http.FormDataReader;
import io.seabed.s3.xml.XmlWriter;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * PostObject: a browser form upload (multipart/form-data POSTed to the bucket). The fields before the file are
 * read into memory (bounded); a signed policy in them names the uploader and limits the form, else the upload is
 * anonymous; then the file streams to storage like a PUT of unknown length. Fields after the file are ignored.
 */
final class PostObjectOps {
    /** Fields before the file, and their bytes in all (S3's own limit on a form is 20 KB). */
    static final int FIELDS_MAX = 100;

    static final int FIELD_BYTES_MAX = 64 * 1024;
    /** Bytes after the file (the closing boundary, ignored fields) read before the form is refused. */
    static final long EPILOGUE_BYTES_MAX = 64 * 1024;

    private final Namespace namespace;
    private final S3Metrics metrics;
    private final SecretLookup secrets;

    PostObjectOps(Namespace namespace, S3Metrics metrics) {
        this.namespace = namespace;
        this.metrics = metrics;
        this.secrets = accessKey -> {
            User u = namespace.user(accessKey);
            return u == null ? null : u.secretKey();
        };
    }

    void post(S3Request r, String bucketName) {
        String boundary = FormDataReader.boundary(r.http.getHeader("Content-Type"));
        if (boundary == null)
            throw new S3Exception(
                    S3ErrorCode.MALFORMED_POST_REQUEST,
                    "A bucket POST must be of the enclosure-type multipart/form-data.");
        if ("100-continue".equalsIgnoreCase(r.http.getHeader("Expect")))
            r.context.runOnContext(v -> r.http.response().writeContinue());
        FormDataReader form = new FormDataReader(r.body::read, boundary);
        Map<String, String> fields = new LinkedHashMap<>();
        FormDataReader.Part file = null;
        int fieldBytes = 0;
        for (FormDataReader.Part p = form.next(); p != null; p = form.next()) {
            String name = p.name().toLowerCase(Locale.ROOT);
            if (name.equals("file")) {
                file = p;
                break;
            }
            if (fields.size() == FIELDS_MAX)
                throw new S3Exception(S3ErrorCode.MALFORMED_POST_REQUEST, "More than " + FIELDS_MAX + " form fields.");
            String value = form.readValue(FIELD_BYTES_MAX - fieldBytes, p.name());
            fieldBytes += value.length();
            fields.putIfAbsent(name, value);
        }
        if (file == null)
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "POST requires exactly one file upload per request.");
        Bucket b = namespace.bucket(bucketName);
        String key = fields.get("key");
        if (key == null || key.isEmpty())
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Bucket POST must contain a field named 'key'.");
        // ${filename} is the file's name; the policy sees the key with it in place.
        key = key.replace("${filename}", file.filename() == null ? "" : file.filename());
        fields.put("key", key);

        User user = null;
        PostPolicy policy = null;
        String policyText = fields.get("policy");
        if (policyText != null) {
            user = signer(fields, policyText);
            policy = PostPolicy.parse(policyText);
            policy.check(r.clock.instant(), fields, bucketName);
        }
        r.user = user;
        String callerId = user == null ? null : user.userId();
        if (!Access.allows(b.acl(), callerId, Permission.WRITE)) throw new S3Exception(S3ErrorCode.ACCESS_DENIED);

        ObjectMetadata metadata = metadata(fields, b, user);
        long max = policy == null ? Long.MAX_VALUE : policy.maxBytes();
        long min = policy == null ? 0 : policy.minBytes();
        FileBody body = new FileBody(form, checksumField(fields), min, max);
        ObjectInfo info = namespace.putObjectToEnd(b, key, max, metadata, body, WriteCondition.NONE);
        metrics.bytesIn(info.sizeBytes());
        form.drain(EPILOGUE_BYTES_MAX);
        respond(r, fields, bucketName, key, info);
    }

    /** The user whose key signed the policy (SigV4 fields when present, else SigV2's). */
    private User signer(Map<String, String> fields, String policyText) {
        String accessKey;
        if (fields.containsKey("x-amz-signature") || fields.containsKey("x-amz-algorithm")) {
            accessKey = PostPolicySignature.verifyV4(
                    secrets,
                    required(fields, "x-amz-algorithm"),
                    required(fields, "x-amz-credential"),
                    policyText,
                    required(fields, "x-amz-signature"));
        } else {
            accessKey = PostPolicySignature.verifyV2(
                    secrets, required(fields, "awsaccesskeyid"), policyText, required(fields, "signature"));
        }
        User user = namespace.user(accessKey);
        if (user == null) throw new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        return user;
    }

    private static String required(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null || v.isEmpty())
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT,
                    "Bucket POST must contain a field named '" + name
                            + "'. If it is specified, please check the order of the fields.");
        return v;
    }

    /** Standard headers, x-amz-meta-*, the canned ACL and the tagging document the form's fields carry. */
    private static ObjectMetadata metadata(Map<String, String> fields, Bucket b, User user) {
        Map<String, String> system = new LinkedHashMap<>();
        for (String name : ObjectOps.STORED_HEADERS) {
            String v = fields.get(name);
            if (v != null) system.put(name, v);
        }
        Map<String, String> userMetadata = new LinkedHashMap<>();
        fields.forEach((name, v) -> {
            if (name.startsWith(ObjectOps.META_PREFIX) && name.length() > ObjectOps.META_PREFIX.length())
                userMetadata.put(name.substring(ObjectOps.META_PREFIX.length()), v);
        });
        String ownerId = user != null ? user.userId() : b.ownerUserId();
        String ownerName = user != null ? user.displayName() : b.acl().ownerDisplayName();
        String canned = fields.get("acl");
        Acl acl = canned == null
                ? Acl.ownerOnly(ownerId, ownerName)
                : Acls.canned(canned.trim(), ownerId, ownerName, b.acl());
        String tagging = fields.get("tagging");
        Map<String, String> tags = tagging == null
                ? Map.of()
                : Tagging.document(tagging.getBytes(StandardCharsets.UTF_8), Tagging.OBJECT_TAGS_MAX, false);
        return new ObjectMetadata(system, userMetadata, acl, tags);
    }

    /** The one x-amz-checksum-<algorithm> field, or null. */
    private static Map.Entry<ChecksumAlgorithm, String> checksumField(Map<String, String> fields) {
        Map.Entry<ChecksumAlgorithm, String> found = null;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = fields.get(a.headerName().toLowerCase(Locale.ROOT));
            if (v == null) continue;
            if (found != null)
                throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "Expecting a single x-amz-checksum- field.");
            found = Map.entry(a, v.trim());
        }
        return found;
    }

    /** 303 to success_action_redirect, else success_action_status 200 or 201 (with a PostResponse), else 204. */
    private static void respond(S3Request r, Map<String, String> fields, String bucket, String key, ObjectInfo info) {
        String etag = ObjectOps.quote(info.etag());
        String location = r.objectUrl(bucket, key);
        MultiMap h = S3Server.headers().add("ETag", etag).add("Location", location);
        String redirect = fields.getOrDefault("success_action_redirect", fields.get("redirect"));
        if (redirect != null && isHttpUrl(redirect)) {
            String target = redirect + (redirect.contains("?") ? "&" : "?") + "bucket=" + encode(bucket) + "&key="
                    + encode(key) + "&etag=" + encode(etag);
            h.set("Location", target);
            r.respond(303, h, null);
            return;
        }
        String status = fields.getOrDefault("success_action_status", "");
        switch (status) {
            case "200" -> r.respond(200, h, null);
            case "201" -> {
                // S3's PostResponse has no namespace (clients look up its elements by bare name).
                byte[] xml = new XmlWriter()
                        .open("PostResponse")
                        .element("Location", location)
                        .element("Bucket", bucket)
                        .element("Key", key)
                        .element("ETag", etag)
                        .close("PostResponse")
                        .toBytes();
                h.add("Content-Type", "application/xml");
                r.respond(201, h, xml);
            }
            default -> r.respond(204, h, null);
        }
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = new URI(s);
            return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null;
        } catch (Exception e) {
            return false;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The form's file: its content up to the next boundary, held to the policy's size range and checksum. */
    private static final class FileBody implements BodySource {
        private final FormDataReader form;
        private final ChecksumAlgorithm algorithm;
        private final String expected;
        private final PayloadChecksum checksum;
        private final long minBytes;
        private final long maxBytes;
        private long size;
        private String actual;

        FileBody(
                FormDataReader form, Map.Entry<ChecksumAlgorithm, String> checksumField, long minBytes, long maxBytes) {
            this.form = form;
            this.algorithm = checksumField == null ? null : checksumField.getKey();
            this.expected = checksumField == null ? null : checksumField.getValue();
            this.checksum = algorithm == null ? null : algorithm.newChecksum();
            this.minBytes = minBytes;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read(ByteBuffer output) {
            int start = output.position();
            int n = form.readContent(output);
            if (n <= 0) return n;
            size += n;
            if (size > maxBytes)
                throw new S3Exception(
                        S3ErrorCode.ENTITY_TOO_LARGE, "Your proposed upload exceeds the maximum allowed size.");
            if (checksum != null)
                checksum.update(output.duplicate().position(start).limit(start + n));
            return n;
        }

        @Override
        public void verify(byte[] md5) {
            if (size < minBytes)
                throw new S3Exception(
                        S3ErrorCode.ENTITY_TOO_SMALL, "Your proposed upload is smaller than the minimum allowed size.");
            if (checksum != null) {
                actual = checksum.finishBase64();
                if (!actual.equals(expected))
                    throw new S3Exception(
                            S3ErrorCode.BAD_DIGEST,
                            "The " + algorithm.headerName() + " you specified did not match the calculated checksum.");
            }
        }

        @Override
        public ObjectChecksum checksum() {
            return actual == null
                    ? null
                    : new ObjectChecksum(algorithm.algorithmName(), ObjectChecksum.Type.FULL_OBJECT, actual);
        }
    }
}
