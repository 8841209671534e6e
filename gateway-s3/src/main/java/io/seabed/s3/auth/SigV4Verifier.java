package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import io.seabed.s3.auth.Canonical.QueryParam;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies AWS Signature Version 4 for S3: the {@code Authorization} header form and the presigned query form; and
 * routes Signature Version 2 (header {@code AWS AKID:sig}, query {@code AWSAccessKeyId}/{@code Signature}) to
 * {@link SigV2Verifier}, so the gateway calls only {@link #verify}. Plain Java, thread-safe, non-blocking as long as
 * the {@link SecretLookup} is.
 *
 * <p>Errors ({@link S3Exception}): InvalidAccessKeyId (unknown key), SignatureDoesNotMatch, RequestTimeTooSkewed
 * (more than {@link AuthLimits#clockSkewSecondsMax()} off), AccessDenied (presigned URL expired, no valid date,
 * unsigned {@code x-amz-*} headers), AuthorizationHeaderMalformed, AuthorizationQueryParametersError,
 * InvalidRequest (missing {@code x-amz-content-sha256}), InvalidArgument (bad {@code x-amz-content-sha256}, bad
 * query encoding, two auth mechanisms); for SigV2 see {@link SigV2Verifier}.
 */
public final class SigV4Verifier {
    static final String AUTHORIZATION = "authorization";
    static final String X_AMZ_DATE = "x-amz-date";
    static final String X_AMZ_CONTENT_SHA256 = "x-amz-content-sha256";
    static final String X_AMZ_ALGORITHM = "X-Amz-Algorithm";
    static final String X_AMZ_CREDENTIAL = "X-Amz-Credential";
    static final String X_AMZ_DATE_PARAM = "X-Amz-Date";
    static final String X_AMZ_EXPIRES = "X-Amz-Expires";
    static final String X_AMZ_SIGNED_HEADERS = "X-Amz-SignedHeaders";
    static final String X_AMZ_SIGNATURE = "X-Amz-Signature";
    static final String X_AMZ_CONTENT_SHA256_PARAM = "X-Amz-Content-Sha256";
    private static final String HOST = "host";
    private static final String AMZ_HEADER_PREFIX = "x-amz-";
    private static final int AMZ_DATE_CHARS = 16;
    private static final int EXPIRES_DIGITS_MAX = 7;
    /** SigV2 signatures carry no region; AWS treats them as us-east-1 unless told otherwise. */
    public static final String SIGV2_REGION_DEFAULT = "us-east-1";

    private final SecretLookup secrets;
    private final AuthLimits limits;
    private final SigningKeyCache signingKeys;
    private final SigV2Verifier sigV2;

    /** SigV2 requests (which name no region) authenticate in {@link #SIGV2_REGION_DEFAULT}. */
    public SigV4Verifier(SecretLookup secrets, AuthLimits limits) {
        this(secrets, limits, SIGV2_REGION_DEFAULT);
    }

    /** @param sigV2Region the region reported for SigV2 requests: the gateway's configured region */
    public SigV4Verifier(SecretLookup secrets, AuthLimits limits, String sigV2Region) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.signingKeys = new SigningKeyCache(limits.signingKeyCacheEntriesMax());
        this.sigV2 = new SigV2Verifier(secrets, limits, sigV2Region);
    }

    /**
     * Authenticates {@code request}.
     *
     * @return {@link AuthResult.Anonymous} when the request carries no credentials, else the authenticated result
     * @throws S3Exception when credentials are present but wrong, malformed, expired or skewed
     */
    public AuthResult verify(AuthRequest request) {
        List<QueryParam> params = Canonical.parseQuery(request.rawQuery(), limits.queryParamsMax());
        List<String> authorizations = request.headers(AUTHORIZATION);
        boolean presigned = find(params, X_AMZ_ALGORITHM) != null || find(params, X_AMZ_CREDENTIAL) != null;
        boolean presignedV2 = !presigned && SigV2Verifier.isQueryAuth(params);
        if (!authorizations.isEmpty() && (presigned || presignedV2)) {
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT,
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization"
                            + " header should be specified.");
        }
        if (authorizations.size() > 1) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The request has more than one Authorization header.");
        }
        if (!authorizations.isEmpty()) {
            String authorization = authorizations.getFirst().strip();
            if (SigV2Verifier.isHeaderAuth(authorization)) {
                return sigV2.verifyHeader(request, authorization);
            }
            return verifyHeader(request, params, authorization);
        }
        if (presigned) {
            return verifyPresigned(request, params);
        }
        if (presignedV2) {
            return sigV2.verifyQuery(request, params);
        }
        return new AuthResult.Anonymous();
    }

    private AuthResult verifyHeader(AuthRequest request, List<QueryParam> params, String authorization) {
        AuthorizationHeader header = AuthorizationHeader.parse(authorization, limits.signedHeadersMax());
        Credential credential = header.credential();
        String amzDate = request.header(X_AMZ_DATE);
        if (amzDate == null) {
            throw new S3Exception(
                    S3ErrorCode.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
        }
        Instant requestTime = parseAmzDate(amzDate, S3ErrorCode.ACCESS_DENIED);
        checkScopeDate(credential, amzDate, S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED);
        checkSkew(request, requestTime);
        checkSignedHeaders(request, header.signedHeaders());
        String contentSha256 = request.header(X_AMZ_CONTENT_SHA256);
        if (contentSha256 == null) {
            throw new S3Exception(
                    S3ErrorCode.INVALID_REQUEST, "Missing required header for this request: x-amz-content-sha256");
        }
        PayloadMode mode = PayloadMode.fromHeader(contentSha256);
        if (mode == null) {
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD,"
                            + " STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER"
                            + " or a valid sha256 value.");
        }
        byte[] provided = SigV4.parseSignature(header.signature());
        if (provided == null) {
            throw new S3Exception(
                    S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED, "The Signature is not 64 hexadecimal digits.");
        }
        String canonicalQuery = Canonical.canonicalQuery(params, null);
        byte[] signingKey = checkSignature(
                request,
                credential,
                amzDate,
                canonicalQuery,
                header.signedHeaders(),
                header.signedHeadersText(),
                contentSha256,
                provided);
        StreamingSigning streaming = mode.streaming()
                ? new StreamingSigning(signingKey, credential.scope(), amzDate, SigV4.HEX.formatHex(provided))
                : null;
        String declaredHash = mode == PayloadMode.SIGNED ? contentSha256.toLowerCase(Locale.ROOT) : null;
        return new AuthResult.Authenticated(
                credential.accessKey(), credential.region(), mode, declaredHash, streaming, false);
    }

    private AuthResult verifyPresigned(AuthRequest request, List<QueryParam> params) {
        String algorithm = requiredParam(params, X_AMZ_ALGORITHM);
        if (!SigV4.ALGORITHM.equals(algorithm)) {
            throw new S3Exception(
                    S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR,
                    "X-Amz-Algorithm only supports \"" + SigV4.ALGORITHM + "\"");
        }
        S3ErrorCode malformed = S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR;
        Credential credential = Credential.parse(requiredParam(params, X_AMZ_CREDENTIAL), malformed);
        String amzDate = requiredParam(params, X_AMZ_DATE_PARAM);
        Instant requestTime = parseAmzDate(amzDate, malformed);
        checkScopeDate(credential, amzDate, malformed);
        long expiresSeconds = parseExpires(requiredParam(params, X_AMZ_EXPIRES));
        List<String> signedHeaders = AuthorizationHeader.parseSignedHeaders(
                requiredParam(params, X_AMZ_SIGNED_HEADERS), limits.signedHeadersMax(), malformed);
        byte[] provided = SigV4.parseSignature(requiredParam(params, X_AMZ_SIGNATURE));
        if (provided == null) {
            throw new S3Exception(malformed, "X-Amz-Signature is not 64 hexadecimal digits.");
        }
        Instant now = request.clock().instant();
        if (requestTime.isAfter(now.plusSeconds(limits.clockSkewSecondsMax()))) {
            throw skewed(requestTime, now);
        }
        if (now.isAfter(requestTime.plusSeconds(expiresSeconds))) {
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "Request has expired");
        }
        checkSignedHeaders(request, signedHeaders);
        String payloadHash = find(params, X_AMZ_CONTENT_SHA256_PARAM);
        PayloadMode mode = payloadHash == null ? PayloadMode.UNSIGNED : PayloadMode.fromHeader(payloadHash);
        if (mode != PayloadMode.UNSIGNED && mode != PayloadMode.SIGNED) {
            throw new S3Exception(malformed, "X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.");
        }
        String canonicalQuery = Canonical.canonicalQuery(params, X_AMZ_SIGNATURE);
        checkSignature(
                request,
                credential,
                amzDate,
                canonicalQuery,
                signedHeaders,
                String.join(";", signedHeaders),
                payloadHash == null ? PayloadMode.UNSIGNED.headerValue() : payloadHash,
                provided);
        String declaredHash = mode == PayloadMode.SIGNED ? payloadHash.toLowerCase(Locale.ROOT) : null;
        return new AuthResult.Authenticated(
                credential.accessKey(), credential.region(), mode, declaredHash, null, true);
    }

    /** Computes the signature; returns the signing key when it matches {@code provided}. */
    private byte[] checkSignature(
            AuthRequest request,
            Credential credential,
            String amzDate,
            String canonicalQuery,
            List<String> signedHeaders,
            String signedHeadersText,
            String payloadHash,
            byte[] provided) {
        String secret = secrets.secretFor(credential.accessKey());
        if (secret == null) {
            throw new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        }
        byte[] signingKey = signingKeys.signingKey(secret, credential.date(), credential.region());
        String canonicalHeaders = Canonical.canonicalHeaders(request, signedHeaders);
        String rawPath = request.rawPath();
        if (matches(
                request,
                rawPath,
                credential,
                amzDate,
                canonicalQuery,
                canonicalHeaders,
                signedHeadersText,
                payloadHash,
                signingKey,
                provided)) {
            return signingKey;
        }
        // Clients that encode the path differently from what they send (e.g. "!" sent raw, signed as %21) signed
        // the decoded-then-encoded form; both name the same object, so accepting either is as strong.
        String reencoded = Canonical.reencodedPath(rawPath);
        if (reencoded != null
                && !reencoded.equals(rawPath)
                && matches(
                        request,
                        reencoded,
                        credential,
                        amzDate,
                        canonicalQuery,
                        canonicalHeaders,
                        signedHeadersText,
                        payloadHash,
                        signingKey,
                        provided)) {
            return signingKey;
        }
        throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
    }

    private static boolean matches(
            AuthRequest request,
            String canonicalPath,
            Credential credential,
            String amzDate,
            String canonicalQuery,
            String canonicalHeaders,
            String signedHeadersText,
            String payloadHash,
            byte[] signingKey,
            byte[] provided) {
        String canonicalRequest = Canonical.canonicalRequest(
                request.method(), canonicalPath, canonicalQuery, canonicalHeaders, signedHeadersText, payloadHash);
        String stringToSign = SigV4.stringToSign(amzDate, credential.scope(), canonicalRequest);
        byte[] expected = SigV4.hmac(signingKey, stringToSign);
        return MessageDigest.isEqual(expected, provided);
    }

    private void checkSkew(AuthRequest request, Instant requestTime) {
        Instant now = request.clock().instant();
        if (Duration.between(requestTime, now).abs().getSeconds() > limits.clockSkewSecondsMax()) {
            throw skewed(requestTime, now);
        }
    }

    private S3Exception skewed(Instant requestTime, Instant now) {
        return new S3Exception(
                S3ErrorCode.REQUEST_TIME_TOO_SKEWED,
                "The difference between the request time " + requestTime + " and the server's time " + now
                        + " is larger than " + limits.clockSkewSecondsMax() + " seconds.");
    }

    private static void checkScopeDate(Credential credential, String amzDate, S3ErrorCode error) {
        if (!amzDate.startsWith(credential.date())) {
            throw new S3Exception(
                    error,
                    "Invalid credential date \"" + credential.date() + "\". It must be the date of X-Amz-Date \""
                            + amzDate + "\".");
        }
    }

    /** host must be signed, and so must every x-amz-* header present, or it could be swapped in transit. */
    private static void checkSignedHeaders(AuthRequest request, List<String> signedHeaders) {
        if (!signedHeaders.contains(HOST)) {
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "The host header must be signed.");
        }
        Set<String> signed = new HashSet<>(signedHeaders);
        List<String> unsigned = new ArrayList<>();
        for (String name : request.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(AMZ_HEADER_PREFIX) && !signed.contains(lower)) {
                unsigned.add(lower);
            }
        }
        if (!unsigned.isEmpty()) {
            throw new S3Exception(
                    S3ErrorCode.ACCESS_DENIED,
                    "There were headers present in the request which were not signed: " + String.join(", ", unsigned));
        }
    }

    private static Instant parseAmzDate(String amzDate, S3ErrorCode error) {
        Instant parsed = amzDate.length() == AMZ_DATE_CHARS ? parseOrNull(amzDate) : null;
        if (parsed == null) {
            throw new S3Exception(error, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".");
        }
        return parsed;
    }

    /**
     * {@code yyyyMMdd'T'HHmmss'Z'} read by hand (DateTimeFormatter cost a few percent of a small request); null
     * when it is not a valid date and time. The caller tells the client the expected format, not a parser's
     * message.
     */
    static Instant parseOrNull(String amzDate) {
        if (amzDate.length() != AMZ_DATE_CHARS || amzDate.charAt(8) != 'T' || amzDate.charAt(15) != 'Z') return null;
        int year = digits(amzDate, 0, 4);
        int month = digits(amzDate, 4, 6);
        int day = digits(amzDate, 6, 8);
        int hour = digits(amzDate, 9, 11);
        int minute = digits(amzDate, 11, 13);
        int second = digits(amzDate, 13, 15);
        if ((year | month | day | hour | minute | second) < 0) return null;
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // month 13, February 30, hour 24...
        }
    }

    /** The decimal number in {@code text[from, to)}, or -1 when a character is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static long parseExpires(String text) {
        S3ErrorCode error = S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR;
        // Out of range (negative, or over a week) is AccessDenied, as ceph/s3-tests expects.
        if (text.startsWith("-")
                && text.length() > 1
                && text.substring(1).chars().allMatch(c -> c >= '0' && c <= '9'))
            throw new S3Exception(S3ErrorCode.ACCESS_DENIED, "Request has expired");
        if (text.isEmpty()
                || text.length() > EXPIRES_DIGITS_MAX
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3Exception(error, "X-Amz-Expires should be a number of seconds.");
        }
        long seconds = Long.parseLong(text);
        if (seconds > AuthLimits.PRESIGNED_EXPIRES_SECONDS_MAX) {
            throw new S3Exception(
                    S3ErrorCode.ACCESS_DENIED,
                    "X-Amz-Expires must be less than a week (in seconds) that is "
                            + AuthLimits.PRESIGNED_EXPIRES_SECONDS_MAX + "; it is " + seconds + ".");
        }
        return seconds;
    }

    private static String requiredParam(List<QueryParam> params, String name) {
        String value = null;
        for (QueryParam param : params) {
            if (param.name().equals(name)) {
                if (value != null) {
                    throw new S3Exception(
                            S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR, name + " is given more than once.");
                }
                value = param.value();
            }
        }
        if (value == null) {
            throw new S3Exception(
                    S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR,
                    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential,"
                            + " X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
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
}
