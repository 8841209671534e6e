package io.seabed.s3;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The policy document of a browser POST upload: when it expires and the conditions the form must meet
 * (exact match, prefix, content length range). A document that is not one is InvalidPolicyDocument (400); a
 * form it does not allow is AccessDenied (403), as S3 answers.
 *
 * @param minBytes smallest file allowed (content-length-range), 0 without one
 * @param maxBytes largest file allowed, Long.MAX_VALUE without one
 */
record PostPolicy(Instant expiration, List<Condition> conditions, long minBytes, long maxBytes) {

    /** One eq or starts-with condition on a form field (lower case, without the '$'). */
    record Condition(String field, boolean prefix, String value) {}

    /**
     * Form fields no condition needs to cover: the signature's own fields, the file, fields S3 says to ignore
     * (x-ignore-*), and the checksum of the file, which the upload verifies.
     */
    static final Set<String> EXEMPT = Set.of(
            "awsaccesskeyid",
            "signature",
            "policy",
            "file",
            "x-amz-signature",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "x-amz-security-token");

    static PostPolicy parse(String base64) {
        JsonObject doc;
        try {
            doc = new JsonObject(new String(Base64.getMimeDecoder().decode(base64.trim()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            throw invalid("Invalid Policy: Invalid JSON.");
        }
        Object expiration = doc.getValue("expiration");
        if (!(expiration instanceof String text)) throw invalid("Invalid Policy: Policy missing expiration.");
        Instant expires;
        try {
            expires = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid("Invalid Policy: Invalid 'expiration' value: '" + text + "'");
        }
        if (!(doc.getValue("conditions") instanceof JsonArray list))
            throw invalid("Invalid Policy: Policy missing conditions.");
        List<Condition> conditions = new ArrayList<>();
        long min = 0;
        long max = Long.MAX_VALUE;
        for (Object c : list) {
            if (c instanceof JsonObject o) {
                if (o.size() != 1) throw invalid("Invalid Policy: Invalid Simple-Condition: expects one field.");
                Map.Entry<String, Object> e = o.iterator().next();
                conditions.add(new Condition(fieldName(e.getKey()), false, text(e.getValue())));
            } else if (c instanceof JsonArray a && !a.isEmpty() && a.getValue(0) instanceof String op) {
                switch (op.toLowerCase(Locale.ROOT)) {
                    case "eq", "starts-with" -> {
                        if (a.size() != 3 || !(a.getValue(1) instanceof String field) || !field.startsWith("$"))
                            throw invalid("Invalid Policy: Invalid " + op + " condition.");
                        conditions.add(new Condition(
                                fieldName(field.substring(1)), !op.equalsIgnoreCase("eq"), text(a.getValue(2))));
                    }
                    case "content-length-range" -> {
                        if (a.size() != 3) throw invalid("Invalid Policy: Invalid content-length-range condition.");
                        min = bound(a.getValue(1));
                        max = bound(a.getValue(2));
                        if (min > max) throw invalid("Invalid Policy: Invalid content-length-range condition.");
                    }
                    default -> throw invalid("Invalid Policy: Invalid condition operator " + op + ".");
                }
            } else {
                throw invalid("Invalid Policy: Invalid condition.");
            }
        }
        return new PostPolicy(expires, conditions, min, max);
    }

    /**
     * Checks the form against the policy at {@code now}: expired, a condition that fails, or a field no
     * condition names, is AccessDenied.
     *
     * @param fields the form's fields by lower-case name
     * @param bucket the bucket the form posts to (the "bucket" condition compares with it)
     */
    void check(Instant now, Map<String, String> fields, String bucket) {
        if (!now.isBefore(expiration)) throw denied("Invalid according to Policy: Policy expired.");
        for (Condition c : conditions) {
            String actual = c.field().equals("bucket") ? bucket : fields.getOrDefault(c.field(), "");
            boolean ok = c.prefix() ? actual.startsWith(c.value()) : actual.equals(c.value());
            if (!ok)
                throw denied("Invalid according to Policy: Policy Condition failed: [\""
                        + (c.prefix() ? "starts-with" : "eq") + "\", \"$" + c.field() + "\", \"" + c.value() + "\"]");
        }
        for (String field : fields.keySet()) {
            if (EXEMPT.contains(field) || field.startsWith("x-ignore-") || field.startsWith("x-amz-checksum-"))
                continue;
            if (conditions.stream().noneMatch(c -> c.field().equals(field)))
                throw denied("Invalid according to Policy: Extra input fields: " + field);
        }
    }

    private static String fieldName(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String text(Object v) {
        if (v instanceof String s) return s;
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        throw invalid("Invalid Policy: condition values must be strings.");
    }

    private static long bound(Object v) {
        try {
            long n = v instanceof Number num && !(v instanceof Double || v instanceof Float)
                    ? num.longValue()
                    : v instanceof String s ? Long.parseLong(s.trim()) : -1;
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw invalid("Invalid Policy: Invalid content-length-range value: " + v);
        }
    }

    private static S3Exception invalid(String message) {
        return new S3Exception(S3ErrorCode.INVALID_POLICY_DOCUMENT, message);
    }

    private static S3Exception denied(String message) {
        return new S3Exception(S3ErrorCode.ACCESS_DENIED, message);
    }
}
