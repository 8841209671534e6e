package io.seabed.s3;

import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.s3.xml.XmlReader;
import io.seabed.s3.xml.XmlWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Object and bucket tagging: the Tagging document (Put/Get/Delete ?tagging) and the x-amz-tagging
 * header of writes. Tags are kept in key order, as S3 returns them.
 */
final class Tagging {
    static final String HEADER = "x-amz-tagging";
    static final String DIRECTIVE_HEADER = "x-amz-tagging-directive";
    static final String COUNT_HEADER = "x-amz-tagging-count";
    static final int OBJECT_TAGS_MAX = 10;
    static final int BUCKET_TAGS_MAX = 50;
    static final int KEY_CHARS_MAX = 128;
    static final int VALUE_CHARS_MAX = 256;

    private final Namespace namespace;
    private final S3Config config;

    Tagging(Namespace namespace, S3Config config) {
        this.namespace = namespace;
        this.config = config;
    }

    /** PutObjectTagging: replaces the object's tags; its data stays. */
    void putObjectTagging(S3Request r, Bucket b, String key) {
        Map<String, String> tags = document(r, OBJECT_TAGS_MAX, false);
        namespace.setObjectTags(b, key, tags);
        r.respond(200, S3Server.headers(), null);
    }

    void getObjectTagging(S3Request r, Bucket b, String key) {
        render(r, namespace.openObject(b, key, false).info().tags());
    }

    void deleteObjectTagging(S3Request r, Bucket b, String key) {
        namespace.setObjectTags(b, key, Map.of());
        r.respond(204, S3Server.headers(), null);
    }

    void putBucketTagging(S3Request r, Bucket b) {
        namespace.setBucketTags(b, document(r, BUCKET_TAGS_MAX, true));
        r.respond(204, S3Server.headers(), null);
    }

    void getBucketTagging(S3Request r, Bucket b) {
        if (b.tags().isEmpty()) throw new S3Exception(S3ErrorCode.NO_SUCH_TAG_SET);
        render(r, b.tags());
    }

    void deleteBucketTagging(S3Request r, Bucket b) {
        namespace.setBucketTags(b, Map.of());
        r.respond(204, S3Server.headers(), null);
    }

    private static void render(S3Request r, Map<String, String> tags) {
        XmlWriter x = new XmlWriter().openRoot("Tagging").open("TagSet");
        tags.forEach(
                (k, v) -> x.open("Tag").element("Key", k).element("Value", v).close("Tag"));
        BucketOps.xml(r, x.close("TagSet").close("Tagging"));
    }

    /** The tags of a Tagging document (MalformedXML unless it is one; InvalidTag beyond the limits). */
    private Map<String, String> document(S3Request r, int tagsMax, boolean bucket) {
        return document(BucketOps.xmlBody(r, config.xmlBodyBytesMax()), tagsMax, bucket);
    }

    /** The tags of a Tagging document (MalformedXML unless it is one; InvalidTag beyond the limits). */
    static Map<String, String> document(byte[] body, int tagsMax, boolean bucket) {
        if (body.length == 0) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        XmlReader.Element root = XmlReader.parse(body);
        XmlReader.Element set = root.child("TagSet");
        if (!root.name().equals("Tagging") || set == null) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        Map<String, String> tags = new TreeMap<>();
        int count = 0;
        for (XmlReader.Element tag : set.children()) {
            if (!tag.name().equals("Tag")) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            XmlReader.Element k = tag.child("Key");
            XmlReader.Element v = tag.child("Value");
            if (k == null || v == null) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            count++;
            add(tags, k.rawText(), v.rawText());
        }
        if (count > tagsMax)
            throw new S3Exception(
                    S3ErrorCode.INVALID_TAG,
                    bucket
                            ? "Bucket tag count cannot be greater than " + tagsMax
                            : "Object tags cannot be greater than " + tagsMax);
        return ordered(tags);
    }

    /**
     * The tags of an x-amz-tagging header (URL-encoded query form: k1=v1&k2, a key without "=" has an
     * empty value), or an empty map without one.
     */
    static Map<String, String> header(S3Request r) {
        String value = r.http.getHeader(HEADER);
        if (value == null || value.isEmpty()) return Map.of();
        Map<String, String> tags = new TreeMap<>();
        int count = 0;
        for (String pair : value.split("&", -1)) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            count++;
            add(tags, k, v);
        }
        if (count > OBJECT_TAGS_MAX)
            throw new S3Exception(S3ErrorCode.INVALID_TAG, "Object tags cannot be greater than " + OBJECT_TAGS_MAX);
        return ordered(tags);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT,
                    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.");
        }
    }

    private static void add(Map<String, String> tags, String key, String value) {
        if (key == null || key.isEmpty())
            throw new S3Exception(S3ErrorCode.INVALID_TAG, "The TagKey you have provided is invalid");
        if (key.codePointCount(0, key.length()) > KEY_CHARS_MAX)
            throw new S3Exception(
                    S3ErrorCode.INVALID_TAG, "The TagKey you have provided is too long, max " + KEY_CHARS_MAX);
        String v = value == null ? "" : value;
        if (v.codePointCount(0, v.length()) > VALUE_CHARS_MAX)
            throw new S3Exception(
                    S3ErrorCode.INVALID_TAG, "The TagValue you have provided is too long, max " + VALUE_CHARS_MAX);
        if (tags.put(key, v) != null)
            throw new S3Exception(S3ErrorCode.INVALID_TAG, "Cannot provide multiple Tags with the same key");
    }

    private static Map<String, String> ordered(Map<String, String> sorted) {
        return sorted.isEmpty() ? Map.of() : new LinkedHashMap<>(sorted);
    }
}
