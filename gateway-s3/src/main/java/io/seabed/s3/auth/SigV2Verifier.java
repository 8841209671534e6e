package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import io.seabed.s3.auth.Canonical.QueryParam;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 2 (HMAC-SHA1): {@code Authorization: AWS AKID:signature} with {@code Date} or
 * {@code x-amz-date}, and the query form {@code AWSAccessKeyId}, {@code Expires}, {@code Signature} (what aws-cli v1
 * {@code s3 presign} and s3cmd produce). Reached only through {@link SigV4Verifier#verify}. Path-style only: the
 * canonical resource is the raw path as received, which for path-style requests is {@code /bucket/key}.
 *
 * <p>String to sign (botocore {@code HmacV1Auth} is the reference): {@code METHOD\nContent-MD5\nContent-Type\n
 * Date-or-Expires\n} + CanonicalizedAmzHeaders + CanonicalizedResource. SigV2 never covers the body: the result is
 * always {@link PayloadMode#UNSIGNED}.
 *
 * <p>Errors (the texts are AWS's): InvalidArgument (header not {@code AKID:signature}, a parameter given twice),
 * AccessDenied (missing query parameters, {@code Expires} not epoch seconds, expired, no valid date),
 * RequestTimeTooSkewed, InvalidAccessKeyId, SignatureDoesNotMatch.
 */
final class SigV2Verifier {
    static final String AUTHORIZATION_PREFIX = "AWS ";
    static final String ACCESS_KEY_PARAM = "AWSAccessKeyId";
    static final String SIGNATURE_PARAM = "Signature";
    static final String EXPIRES_PARAM = "Expires";
    private static final String HMAC_SHA1 = "HmacSHA1";
    private static final String AMZ_PREFIX = "x-amz-";
    private static final String CONTENT_MD5 = "content-md5";
    private static final String CONTENT_TYPE = "content-type";
    private static final String DATE = "date";
    /** Enough digits for any epoch second a client means; more cannot be parsed into a long safely. */
    private static final int EXPIRES_DIGITS_MAX = 18;

    /**
     * Query parameters that are part of the canonical resource: the AWS list and botocore's {@code QSAOfInterest}
     * together, so whatever botocore signs we sign too.
     */
    static final Set<String> SUB_RESOURCES = Set.of(
            "accelerate",
            "acl",
            "analytics",
            "cors",
            "defaultObjectAcl",
            "delete",
            "inventory",
            "lifecycle",
            "location",
            "logging",
            "metrics",
            "notification",
            "object-lock",
            "partNumber",
            "policy",
            "replication",
            "requestPayment",
            "response-cache-control",
            "response-content-disposition",
            "response-content-encoding",
            "response-content-language",
            "response-content-type",
            "response-expires",
            "restore",
            "select",
            "select-type",
            "storageClass",
            "tagging",
            "torrent",
            "uploadId",
            "uploads",
            "versionId",
            "versioning",
            "versions",
            "website");

    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);

    private final SecretLookup secrets;
    private final AuthLimits limits;
    private final String region;

    SigV2Verifier(SecretLookup secrets, AuthLimits limits, String region) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.region = Objects.requireNonNull(region, "region");
    }

    /** True when the query carries SigV2 credentials, even partly (then {@link #verifyQuery} names what is missing). */
    static boolean isQueryAuth(List<QueryParam> params) {
        return find(params, ACCESS_KEY_PARAM) != null || find(params, SIGNATURE_PARAM) != null;
    }

    static boolean isHeaderAuth(String authorization) {
        return authorization.startsWith(AUTHORIZATION_PREFIX);
    }

    /** {@code Authorization: AWS AKID:base64(HMAC-SHA1)}, the date from {@code x-amz-date} or {@code Date}. */
    AuthResult verifyHeader(AuthRequest request, String authorization) {
        String credentials =
                authorization.substring(AUTHORIZATION_PREFIX.length()).strip();
        int colon = credentials.lastIndexOf(':');
        if (colon <= 0 || colon == credentials.length() - 1) {
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT,
                    "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature");
        }
        String accessKey = credentials.substring(0, colon);
        String signature = credentials.substring(colon + 1);
        String amzDate = request.header(SigV4Verifier.X_AMZ_DATE);
        String date = request.header(DATE);
        Instant requestTime = parseHttpDate(amzDate != null ? amzDate : date);
        if (requestTime == null || requestTime.isBefore(Instant.EPOCH)) {
            throw new S3Exception(
                    S3ErrorCode.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
        }
        Instant now = request.clock().instant();
        if (Duration.between(requestTime, now).abs().getSeconds() > limits.clockSkewSecondsMax()) {
            throw new S3Exception(
                    S3ErrorCode.REQUEST_TIME_TOO_SKEWED,
                    "The difference between the request time " + requestTime + " and the server's time " + now
                            + " is larger than " + limits.clockSkewSecondsMax() + " seconds.");
        }
        // With x-amz-date the Date line is empty: x-amz-date is signed among the amz headers instead.
        String dateLine = amzDate != null ? "" : date.strip();
        String contentMd5 = firstStripped(request, CONTENT_MD5, "");
        String contentType = firstStripped(request, CONTENT_TYPE, "");
        String amzHeaders = canonicalAmzHeaders(request, List.of());
        checkSignature(request, accessKey, signature, contentMd5, contentType, dateLine, amzHeaders);
        return new AuthResult.Authenticated(accessKey, region, PayloadMode.UNSIGNED, null, null, false);
    }

    /** {@code ?AWSAccessKeyId=…&Expires=<epoch seconds>&Signature=…}; x-amz-* parameters count as amz headers. */
    AuthResult verifyQuery(AuthRequest request, List<QueryParam> params) {
        String accessKey = requiredParam(params, ACCESS_KEY_PARAM);
        String signature = requiredParam(params, SIGNATURE_PARAM);
        String expires = requiredParam(params, EXPIRES_PARAM);
        if (expires.isEmpty()
                || expires.length() > EXPIRES_DIGITS_MAX
                || !expires.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3Exception(
                    S3ErrorCode.ACCESS_DENIED, "Invalid date (should be seconds since epoch): " + expires);
        }
        long expiresSeconds = Long.parseLong(expires);
        Instant now = request.clock().instant();
        if (now.getEpochSecond() > expiresSeconds) {
            throw new S3Exception(
                    S3ErrorCode.ACCESS_DENIED,
                    "Request has expired: Expires=" + Instant.ofEpochSecond(expiresSeconds) + ", now=" + now);
        }
        // botocore signs Content-MD5/Content-Type/x-amz-* as headers, then moves them into the query.
        String contentMd5 = firstStripped(request, CONTENT_MD5, queryValue(params, CONTENT_MD5));
        String contentType = firstStripped(request, CONTENT_TYPE, queryValue(params, CONTENT_TYPE));
        List<QueryParam> amzParams = new ArrayList<>();
        for (QueryParam param : params) {
            if (param.name().toLowerCase(Locale.ROOT).startsWith(AMZ_PREFIX)) {
                amzParams.add(param);
            }
        }
        String amzHeaders = canonicalAmzHeaders(request, amzParams);
        checkSignature(request, accessKey, signature, contentMd5, contentType, expires, amzHeaders);
        return new AuthResult.Authenticated(accessKey, region, PayloadMode.UNSIGNED, null, null, true);
    }

    private void checkSignature(
            AuthRequest request,
            String accessKey,
            String provided,
            String contentMd5,
            String contentType,
            String dateLine,
            String amzHeaders) {
        String secret = secrets.secretFor(accessKey);
        if (secret == null) {
            throw new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        }
        Mac mac = hmacSha1(secret);
        byte[] providedBytes = provided.getBytes(StandardCharsets.UTF_8);
        String path = request.hostBucket() == null ? request.rawPath() : "/" + request.hostBucket() + request.rawPath();
        for (String resource : canonicalResources(path, request.rawQuery())) {
            String stringToSign =
                    stringToSign(request.method(), contentMd5, contentType, dateLine, amzHeaders, resource);
            byte[] expected = Base64.getEncoder().encode(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
            if (MessageDigest.isEqual(expected, providedBytes)) {
                return;
            }
        }
        throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
    }

    /** METHOD, Content-MD5, Content-Type, Date or Expires, one a line; then the amz headers and the resource. */
    static String stringToSign(
            String method, String contentMd5, String contentType, String dateLine, String amzHeaders, String resource) {
        return method + "\n" + contentMd5 + "\n" + contentType + "\n" + dateLine + "\n" + amzHeaders + resource;
    }

    /**
     * The canonical resources a client may have signed, most likely first, without duplicates: the raw path, a
     * bucket path with its trailing slash, or the decoded-then-re-encoded path (as for SigV4); times the sub-resources
     * with an empty value written as sent ({@code ?uploads=} when the client sent {@code uploads=}, botocore's
     * behaviour) or without {@code =} (the AWS documentation's form). At most six HMACs, usually one.
     */
    static List<String> canonicalResources(String rawPath, String rawQuery) {
        Set<String> paths = new LinkedHashSet<>();
        paths.add(rawPath);
        if (rawPath.length() > 1 && rawPath.indexOf('/', 1) < 0) {
            paths.add(rawPath + "/"); // "/bucket" is signed as "/bucket/" (AWS's rule; botocore's auth_path)
        }
        String reencoded = Canonical.reencodedPath(rawPath);
        if (reencoded != null) {
            paths.add(reencoded);
        }
        Set<String> subResources = new LinkedHashSet<>();
        subResources.add(subResources(rawQuery, true));
        subResources.add(subResources(rawQuery, false));
        List<String> resources = new ArrayList<>(paths.size() * subResources.size());
        for (String path : paths) {
            for (String sub : subResources) {
                resources.add(path + sub);
            }
        }
        return resources;
    }

    /**
     * {@code ?name[=value]&…} over the sub-resources in the query, sorted by name (stable), values decoded (botocore
     * signs unquoted values); empty when there are none. The query was already validated by
     * {@link Canonical#parseQuery}.
     */
    static String subResources(String rawQuery, boolean emptyValueAsSent) {
        record Sub(String name, String text) {}
        List<Sub> subs = new ArrayList<>();
        if (!rawQuery.isEmpty()) {
            for (String raw : rawQuery.split("&", -1)) {
                int equals = raw.indexOf('=');
                String name = decode(equals < 0 ? raw : raw.substring(0, equals));
                if (!SUB_RESOURCES.contains(name)) {
                    continue;
                }
                String value = equals < 0 ? "" : decode(raw.substring(equals + 1));
                boolean withEquals = !value.isEmpty() || (emptyValueAsSent && equals >= 0);
                subs.add(new Sub(name, withEquals ? name + "=" + value : name));
            }
        }
        if (subs.isEmpty()) {
            return "";
        }
        subs.sort(Comparator.comparing(Sub::name));
        StringBuilder out = new StringBuilder("?");
        for (Sub sub : subs) {
            if (out.length() > 1) {
                out.append('&');
            }
            out.append(sub.text());
        }
        return out.toString();
    }

    /**
     * The x-amz-* headers (and, for the query form, x-amz-* parameters): lowercase names sorted, values stripped,
     * repeats joined by ",", each {@code name:value\n}. Values are only stripped, not folded: botocore does the same.
     */
    static String canonicalAmzHeaders(AuthRequest request, List<QueryParam> amzParams) {
        TreeMap<String, List<String>> byName = new TreeMap<>();
        for (String name : request.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(AMZ_PREFIX) && !byName.containsKey(lower)) {
                List<String> values = new ArrayList<>();
                for (String value : request.headers(lower)) {
                    values.add(value.strip());
                }
                byName.put(lower, values);
            }
        }
        for (QueryParam param : amzParams) {
            byName.computeIfAbsent(param.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(param.value().strip());
        }
        StringBuilder out = new StringBuilder();
        byName.forEach((name, values) ->
                out.append(name).append(':').append(String.join(",", values)).append('\n'));
        return out.toString();
    }

    /** RFC 1123 ({@code Tue, 27 Mar 2007 19:36:42 +0000} or {@code GMT}) or ISO 8601 basic; null when neither. */
    static Instant parseHttpDate(String text) {
        if (text == null) {
            return null;
        }
        String value = text.strip();
        // The weekday is not checked against the date (RFC 1123's parser would refuse a wrong one):
        // a far-off date must answer RequestTimeTooSkewed, not "no valid date".
        int comma = value.indexOf(',');
        if (comma > 0 && comma <= 9) value = value.substring(comma + 1).strip();
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException notRfc1123) {
            // Not RFC 1123: some clients put the SigV4 form in x-amz-date.
        }
        try {
            return LocalDateTime.parse(value, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null; // No valid date: the caller answers with AWS's message, not the parser's.
        }
    }

    private static String firstStripped(AuthRequest request, String name, String fallback) {
        String value = request.header(name);
        return value != null ? value.strip() : fallback;
    }

    private static String queryValue(List<QueryParam> params, String lowerName) {
        for (QueryParam param : params) {
            if (param.name().equalsIgnoreCase(lowerName)) {
                return param.value().strip();
            }
        }
        return "";
    }

    private static String requiredParam(List<QueryParam> params, String name) {
        String value = null;
        for (QueryParam param : params) {
            if (param.name().equals(name)) {
                if (value != null) {
                    throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, name + " is given more than once.");
                }
                value = param.value();
            }
        }
        if (value == null || value.isEmpty()) {
            throw new S3Exception(
                    S3ErrorCode.ACCESS_DENIED,
                    "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
        }
        return value;
    }

    private static String find(List<QueryParam> params, String name) {
        for (QueryParam param : params) {
            if (param.name().equals(name)) {
                return param.value();
            }
        }
        return null;
    }

    private static String decode(String raw) {
        byte[] bytes = Canonical.percentDecode(raw);
        if (bytes == null) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The query contains an invalid percent-encoding.");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static Mac hmacSha1(String secret) {
        try {
            byte[] key = secret.getBytes(StandardCharsets.UTF_8);
            // HMAC pads the key with zeros, so an empty key is the key {0}; SecretKeySpec refuses an empty one.
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, HMAC_SHA1));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK provides " + HMAC_SHA1, e);
        }
    }

    /** base64(HMAC-SHA1(secret, stringToSign)). */
    static String sign(String secret, String stringToSign) {
        return Base64.getEncoder()
                .encodeToString(hmacSha1(secret).doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }
}
