package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The negative space: each malformed, expired, skewed or unknown credential gets its precise S3 error. */
class SigV4VerifierErrorsTest {
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
    private static final InstantSource CLOCK = InstantSource.fixed(AT);
    private static final String HOST = "bucket.s3.example.test";
    private static final SigV4Verifier VERIFIER = new SigV4Verifier(SdkSigning.SECRETS, AuthLimits.DEFAULTS);
    private static final SigV4Signer SIGNER =
            new SigV4Signer(SdkSigning.ACCESS_KEY, SdkSigning.SECRET, "us-east-1", CLOCK);

    private static Map<String, List<String>> signedHeaders(String path, String query, String payloadHash) {
        SigV4Signer.Signed signed = SIGNER.sign("GET", HOST, path, query, Map.of(), payloadHash);
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("Host", List.of(HOST));
        signed.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        return headers;
    }

    private static S3Exception reject(String query, Map<String, List<String>> headers, InstantSource clock) {
        return assertThrows(
                S3Exception.class, () -> VERIFIER.verify(AuthRequest.of("GET", "/k", query, headers, clock)));
    }

    private static void assertCode(S3ErrorCode expected, S3Exception e) {
        assertEquals(expected, e.code(), e.getMessage());
    }

    @Test
    void noCredentialsIsAnonymous() {
        AuthResult result = VERIFIER.verify(AuthRequest.of("GET", "/k", "a=b", Map.of("Host", List.of(HOST)), CLOCK));
        assertInstanceOf(AuthResult.Anonymous.class, result);
    }

    @Test
    void ourSignerRoundTripsWithUnusualPathsAndQueries() {
        String path = "/b/a%20b/%2B+~!*'()%C3%A9";
        String query = "prefix=a%2Bb+c&delimiter=%2F&list-type=2&empty=&flag";
        AuthResult result = VERIFIER.verify(
                AuthRequest.of("GET", path, query, signedHeaders(path, query, SigV4.EMPTY_SHA256_HEX), CLOCK));
        assertInstanceOf(AuthResult.Authenticated.class, result);
        String presignedQuery = SIGNER.presign("GET", HOST, path, query, Duration.ofMinutes(5));
        result = VERIFIER.verify(AuthRequest.of("GET", path, presignedQuery, Map.of("Host", List.of(HOST)), CLOCK));
        assertInstanceOf(AuthResult.Authenticated.class, result);
    }

    /** A client that signed "!" as %21 but sent it raw (both name the same key) is accepted. */
    @Test
    void pathSignedInReencodedFormIsAccepted() {
        Map<String, List<String>> headers = signedHeaders("/b/a%21b", "", SigV4.EMPTY_SHA256_HEX);
        assertInstanceOf(
                AuthResult.Authenticated.class, VERIFIER.verify(AuthRequest.of("GET", "/b/a!b", "", headers, CLOCK)));
    }

    @Test
    void unknownAccessKey() {
        SigV4Verifier nobody = new SigV4Verifier(key -> null, AuthLimits.DEFAULTS);
        Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        S3Exception e =
                assertThrows(S3Exception.class, () -> nobody.verify(AuthRequest.of("GET", "/k", "", headers, CLOCK)));
        assertCode(S3ErrorCode.INVALID_ACCESS_KEY_ID, e);
    }

    @Test
    void clockSkewBeyondFifteenMinutes() {
        Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        assertInstanceOf(
                AuthResult.Authenticated.class,
                VERIFIER.verify(AuthRequest.of("GET", "/k", "", headers, InstantSource.fixed(AT.plusSeconds(900)))));
        assertCode(S3ErrorCode.REQUEST_TIME_TOO_SKEWED, reject("", headers, InstantSource.fixed(AT.plusSeconds(901))));
        assertCode(S3ErrorCode.REQUEST_TIME_TOO_SKEWED, reject("", headers, InstantSource.fixed(AT.minusSeconds(901))));
    }

    @Test
    void missingContentSha256() {
        Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        headers.remove("x-amz-content-sha256");
        S3Exception e = reject("", headers, CLOCK);
        assertCode(S3ErrorCode.INVALID_REQUEST, e);
        assertEquals("Missing required header for this request: x-amz-content-sha256", e.getMessage());
        headers.put("x-amz-content-sha256", List.of("not-a-hash"));
        assertCode(S3ErrorCode.INVALID_ARGUMENT, reject("", headers, CLOCK));
    }

    @Test
    void missingOrBadDate() {
        Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        headers.remove("x-amz-date");
        assertCode(S3ErrorCode.ACCESS_DENIED, reject("", headers, CLOCK));
        headers.put("x-amz-date", List.of("20260301T126000Z"));
        assertCode(S3ErrorCode.ACCESS_DENIED, reject("", headers, CLOCK));
        headers.put("x-amz-date", List.of("20260302T120000Z"));
        S3Exception e = reject("", headers, InstantSource.fixed(Instant.parse("2026-03-02T12:00:00Z")));
        assertCode(S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED, e);
        assertTrue(e.getMessage().contains("20260301"), e.getMessage());
    }

    @Test
    void unsignedAmzHeadersAreDenied() {
        Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        headers.put("X-Amz-Copy-Source", List.of("/other/key"));
        S3Exception e = reject("", headers, CLOCK);
        assertCode(S3ErrorCode.ACCESS_DENIED, e);
        assertTrue(e.getMessage().contains("x-amz-copy-source"), e.getMessage());
    }

    @Test
    void malformedAuthorizationHeaders() {
        String good = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX)
                .get("Authorization")
                .getFirst();
        String[] malformed = {
            good.replace("Credential=", "Credentail="),
            good.replace("/s3/", "/ec2/"),
            good.replace("/aws4_request", "/aws5_request"),
            good.replace("SignedHeaders=host;", "SignedHeaders=;"),
            good.substring(0, good.indexOf(", Signature=")),
            good + ", Signature=" + "0".repeat(64),
            good.replaceAll("Signature=[0-9a-f]+", "Signature=xyz"),
            good.replace(SdkSigning.ACCESS_KEY + "/20260301", SdkSigning.ACCESS_KEY + "/2026030"),
        };
        for (String authorization : malformed) {
            Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
            headers.put("Authorization", List.of(authorization));
            assertCode(S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED, reject("", headers, CLOCK));
        }
        Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        headers.put("Authorization", List.of("AWS AKID:c2lnbmF0dXJl"));
        // SigV2 headers now route to SigV2Verifier (SigV2VerifierTest): AKID is unknown there.
        assertCode(S3ErrorCode.INVALID_ACCESS_KEY_ID, reject("", headers, CLOCK));
        headers.put("Authorization", List.of("Bearer token"));
        assertCode(S3ErrorCode.INVALID_ARGUMENT, reject("", headers, CLOCK));
    }

    @Test
    void hostMustBeSigned() {
        String good = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX)
                .get("Authorization")
                .getFirst();
        Map<String, List<String>> headers = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        headers.put("Authorization", List.of(good.replace("SignedHeaders=host;", "SignedHeaders=")));
        assertCode(S3ErrorCode.ACCESS_DENIED, reject("", headers, CLOCK));
    }

    @Test
    void presignedErrors() {
        Map<String, List<String>> host = Map.of("Host", List.of(HOST));
        String query = SIGNER.presign("GET", HOST, "/k", "", Duration.ofSeconds(60));
        assertInstanceOf(
                AuthResult.Authenticated.class, VERIFIER.verify(AuthRequest.of("GET", "/k", query, host, CLOCK)));
        assertCode(S3ErrorCode.ACCESS_DENIED, reject(query, host, InstantSource.fixed(AT.plusSeconds(61))));
        assertCode(S3ErrorCode.REQUEST_TIME_TOO_SKEWED, reject(query, host, InstantSource.fixed(AT.minusSeconds(901))));
        S3Exception week = reject(query.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"), host, CLOCK);
        // Out-of-range expiries are AccessDenied (403), as ceph/s3-tests expects.
        assertCode(S3ErrorCode.ACCESS_DENIED, week);
        assertTrue(week.getMessage().contains("604800"), week.getMessage());
        assertCode(
                S3ErrorCode.ACCESS_DENIED, reject(query.replace("X-Amz-Expires=60", "X-Amz-Expires=-7"), host, CLOCK));
        String[] malformed = {
            query.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
            query.replaceAll("&X-Amz-Signature=[0-9a-f]+", ""),
            query.replace("X-Amz-Expires=60", "X-Amz-Expires=sixty"),
            query.replace("X-Amz-Date=20260301T120000Z", "X-Amz-Date=20260301"),
            query.replace("X-Amz-Date=20260301T120000Z", "X-Amz-Date=20260302T120000Z"),
            query.replace("%2Fs3%2F", "%2Fsqs%2F"),
            query + "&X-Amz-Expires=60",
        };
        for (String bad : malformed) {
            assertCode(S3ErrorCode.AUTHORIZATION_QUERY_PARAMETERS_ERROR, reject(bad, host, CLOCK));
        }
        Map<String, List<String>> withAuthorization = signedHeaders("/k", "", SigV4.EMPTY_SHA256_HEX);
        assertCode(S3ErrorCode.INVALID_ARGUMENT, reject(query, withAuthorization, CLOCK));
        assertCode(S3ErrorCode.INVALID_ARGUMENT, reject(query + "&bad=%zz", host, CLOCK));
        // SigV2 query parameters now route to SigV2Verifier (SigV2VerifierTest): this one expired in 1970.
        assertCode(S3ErrorCode.ACCESS_DENIED, reject("AWSAccessKeyId=AKID&Signature=abc&Expires=1", host, CLOCK));
    }

    @Test
    void signingKeyCacheIsBounded() {
        SigningKeyCache cache = new SigningKeyCache(3);
        for (int day = 10; day < 20; day++) {
            cache.signingKey("secret", "202603" + day, "us-east-1");
        }
        assertEquals(3, cache.size());
        assertEquals(
                SigV4.HEX.formatHex(SigV4.signingKey("secret", "20260319", "r")),
                SigV4.HEX.formatHex(cache.signingKey("secret", "20260319", "r")));
    }
}
