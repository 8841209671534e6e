package io.seabed.s3.auth;

import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Client-side SigV4 for S3 (load generators, tests): signs requests with an {@code Authorization} header and
 * presigns URLs. Paths and queries are given already percent-encoded, exactly as they will be sent. Thread-safe.
 */
public final class SigV4Signer {
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int DATE_CHARS = 8;

    private final String accessKey;
    private final String secretKey;
    private final String region;
    private final InstantSource clock;

    public SigV4Signer(String accessKey, String secretKey, String region, InstantSource clock) {
        this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
        this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
        this.region = Objects.requireNonNull(region, "region");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The result of {@link #sign}.
     *
     * @param headers the headers to add to the request: {@code Authorization}, {@code x-amz-date},
     *     {@code x-amz-content-sha256}
     * @param streaming the context for {@link AwsChunkedEncoder} when the payload hash is a streaming mode
     */
    public record Signed(Map<String, String> headers, StreamingSigning streaming) {}

    /**
     * Signs a request over {@code host}, every header of {@code headers}, {@code x-amz-date} and
     * {@code x-amz-content-sha256}.
     *
     * @param payloadHash the hex SHA-256 of the body, or a {@link PayloadMode#headerValue()} keyword
     */
    public Signed sign(
            String method,
            String host,
            String rawPath,
            String rawQuery,
            Map<String, List<String>> headers,
            String payloadHash) {
        String amzDate = AMZ_DATE.format(clock.instant());
        String date = amzDate.substring(0, DATE_CHARS);
        Map<String, List<String>> all = new LinkedHashMap<>(headers);
        all.put("host", List.of(host));
        all.put(SigV4Verifier.X_AMZ_DATE, List.of(amzDate));
        all.put(SigV4Verifier.X_AMZ_CONTENT_SHA256, List.of(payloadHash));
        AuthRequest request = AuthRequest.of(method, rawPath, rawQuery, all, clock);
        List<String> signedHeaders = signedHeaderNames(all);
        String signedHeadersText = String.join(";", signedHeaders);
        String canonicalQuery = Canonical.canonicalQuery(Canonical.parseQuery(rawQuery, Integer.MAX_VALUE), null);
        String canonicalRequest = Canonical.canonicalRequest(
                request.method(),
                rawPath,
                canonicalQuery,
                Canonical.canonicalHeaders(request, signedHeaders),
                signedHeadersText,
                payloadHash);
        String scope = SigV4.scope(date, region);
        byte[] signingKey = SigV4.signingKey(secretKey, date, region);
        String signature =
                SigV4.HEX.formatHex(SigV4.hmac(signingKey, SigV4.stringToSign(amzDate, scope, canonicalRequest)));
        Map<String, String> added = new LinkedHashMap<>();
        added.put(
                "Authorization",
                SigV4.ALGORITHM + " Credential=" + accessKey + "/" + scope + ", SignedHeaders=" + signedHeadersText
                        + ", Signature=" + signature);
        added.put(SigV4Verifier.X_AMZ_DATE, amzDate);
        added.put(SigV4Verifier.X_AMZ_CONTENT_SHA256, payloadHash);
        PayloadMode mode = PayloadMode.fromHeader(payloadHash);
        StreamingSigning streaming =
                mode != null && mode.streaming() ? new StreamingSigning(signingKey, scope, amzDate, signature) : null;
        return new Signed(Map.copyOf(added), streaming);
    }

    /**
     * A presigned URL's query: {@code rawQuery} plus the {@code X-Amz-*} parameters, signing only {@code host},
     * with {@code UNSIGNED-PAYLOAD}.
     */
    public String presign(String method, String host, String rawPath, String rawQuery, Duration expires) {
        long expiresSeconds = expires.toSeconds();
        if (expiresSeconds < 1 || expiresSeconds > AuthLimits.PRESIGNED_EXPIRES_SECONDS_MAX) {
            throw new IllegalArgumentException(
                    "expires=" + expiresSeconds + "s is not in [1, " + AuthLimits.PRESIGNED_EXPIRES_SECONDS_MAX + "]");
        }
        String amzDate = AMZ_DATE.format(clock.instant());
        String date = amzDate.substring(0, DATE_CHARS);
        String scope = SigV4.scope(date, region);
        String query = (rawQuery.isEmpty() ? "" : rawQuery + "&")
                + SigV4Verifier.X_AMZ_ALGORITHM + "=" + SigV4.ALGORITHM
                + "&" + SigV4Verifier.X_AMZ_CREDENTIAL + "=" + Canonical.uriEncode(accessKey + "/" + scope, true)
                + "&" + SigV4Verifier.X_AMZ_DATE_PARAM + "=" + amzDate
                + "&" + SigV4Verifier.X_AMZ_EXPIRES + "=" + expiresSeconds
                + "&" + SigV4Verifier.X_AMZ_SIGNED_HEADERS + "=host";
        AuthRequest request = AuthRequest.of(method, rawPath, query, Map.of("host", List.of(host)), clock);
        String canonicalRequest = Canonical.canonicalRequest(
                request.method(),
                rawPath,
                Canonical.canonicalQuery(Canonical.parseQuery(query, Integer.MAX_VALUE), null),
                Canonical.canonicalHeaders(request, List.of("host")),
                "host",
                PayloadMode.UNSIGNED.headerValue());
        byte[] signingKey = SigV4.signingKey(secretKey, date, region);
        String signature =
                SigV4.HEX.formatHex(SigV4.hmac(signingKey, SigV4.stringToSign(amzDate, scope, canonicalRequest)));
        return query + "&" + SigV4Verifier.X_AMZ_SIGNATURE + "=" + signature;
    }

    private static List<String> signedHeaderNames(Map<String, List<String>> headers) {
        TreeMap<String, Boolean> names = new TreeMap<>();
        for (String name : headers.keySet()) {
            names.put(name.toLowerCase(Locale.ROOT), Boolean.TRUE);
        }
        return new ArrayList<>(names.keySet());
    }
}
