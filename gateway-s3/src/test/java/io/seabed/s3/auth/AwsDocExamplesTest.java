package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worked examples of the AWS S3 SigV4 documentation, checked byte for byte. */
class AwsDocExamplesTest {
    static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final InstantSource AT_EXAMPLE_TIME = InstantSource.fixed(Instant.parse("2013-05-24T00:00:00Z"));
    static final SigV4Verifier VERIFIER =
            new SigV4Verifier(key -> key.equals(ACCESS_KEY) ? SECRET : null, AuthLimits.DEFAULTS);

    /** "Example: GET Object" of "Signature Calculations for the Authorization Header". */
    @Test
    void getObjectWithAuthorizationHeader() {
        AuthRequest request = AuthRequest.of(
                "GET",
                "/test.txt",
                "",
                Map.of(
                        "Host", List.of("examplebucket.s3.amazonaws.com"),
                        "Range", List.of("bytes=0-9"),
                        "x-amz-content-sha256", List.of(SigV4.EMPTY_SHA256_HEX),
                        "x-amz-date", List.of("20130524T000000Z"),
                        "Authorization",
                                List.of(
                                        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                                                + "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                                                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
                AT_EXAMPLE_TIME);
        AuthResult.Authenticated result = assertInstanceOf(AuthResult.Authenticated.class, VERIFIER.verify(request));
        assertEquals(ACCESS_KEY, result.accessKey());
        assertEquals(PayloadMode.SIGNED, result.payloadMode());
        assertEquals(SigV4.EMPTY_SHA256_HEX, result.contentSha256Hex());
    }

    /** "Example: GET Object" of "Authenticating Requests: Using Query Parameters"; also what our presigner makes. */
    @Test
    void presignedGetObject() {
        String query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1"
                + "%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        String host = "examplebucket.s3.amazonaws.com";
        AuthRequest request = AuthRequest.of("GET", "/test.txt", query, Map.of("Host", List.of(host)), AT_EXAMPLE_TIME);
        AuthResult.Authenticated result = assertInstanceOf(AuthResult.Authenticated.class, VERIFIER.verify(request));
        assertEquals(PayloadMode.UNSIGNED, result.payloadMode());
        assertTrue(result.presigned());

        SigV4Signer signer = new SigV4Signer(ACCESS_KEY, SECRET, "us-east-1", AT_EXAMPLE_TIME);
        assertEquals(query, signer.presign("GET", host, "/test.txt", "", Duration.ofDays(1)));
    }

    /**
     * "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks": the seed
     * signature is verified, our encoder reproduces the documented chunk signatures and Content-Length, and the
     * decoder accepts that body fed one byte at a time.
     */
    @Test
    void chunkedPutObject() {
        AuthRequest request = AuthRequest.of(
                "PUT",
                "/examplebucket/chunkObject.txt",
                "",
                Map.of(
                        "Host", List.of("s3.amazonaws.com"),
                        "x-amz-date", List.of("20130524T000000Z"),
                        "x-amz-storage-class", List.of("REDUCED_REDUNDANCY"),
                        "x-amz-content-sha256", List.of("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
                        "Content-Encoding", List.of("aws-chunked"),
                        "x-amz-decoded-content-length", List.of("66560"),
                        "Content-Length", List.of("66824"),
                        "Authorization",
                                List.of("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                                        + "aws4_request,SignedHeaders=content-encoding;content-length;host;"
                                        + "x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
                                        + "x-amz-storage-class,Signature="
                                        + "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")),
                AT_EXAMPLE_TIME);
        AuthResult.Authenticated result = assertInstanceOf(AuthResult.Authenticated.class, VERIFIER.verify(request));
        assertEquals(PayloadMode.STREAMING_SIGNED, result.payloadMode());
        assertEquals("20130524/us-east-1/s3/aws4_request", result.streaming().scope());

        byte[] payload = new byte[66560];
        Arrays.fill(payload, (byte) 'a');
        byte[] body = AwsChunkedEncoder.encode(payload, 65536, PayloadMode.STREAMING_SIGNED, result.streaming(), null);
        assertEquals(66824, body.length);
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith(
                "10000;chunk-signature=" + "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"));
        assertTrue(text.contains(
                "\r\n400;chunk-signature=" + "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n"));
        assertTrue(text.endsWith(
                "\r\n0;chunk-signature=" + "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"));

        AwsChunkedDecoder decoder = AwsChunkedDecoder.forRequest(result, request, AuthLimits.DEFAULTS);
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        for (byte b : body) {
            decoder.feed(ByteBuffer.wrap(new byte[] {b}), slice -> decoded.write(slice.get()));
        }
        decoder.finish();
        assertArrayEquals(payload, decoded.toByteArray());
    }
}
