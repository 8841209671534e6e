package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.checksum.PayloadChecksum;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Goal: the decoder accepts every aws-chunked body the AWS SDK v2 produces, however the wire bytes are split, and
 * rejects each kind of damage with its precise error. Seeded: replay with -Dseabed.seed=N.
 */
class AwsChunkedDecoderTest {
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
    private static final InstantSource CLOCK = InstantSource.fixed(AT);
    private static final SigV4Verifier VERIFIER = new SigV4Verifier(SdkSigning.SECRETS, AuthLimits.DEFAULTS);

    /** An SDK-signed aws-chunked request, authenticated, ready to decode. */
    private record Chunked(AuthRequest request, AuthResult.Authenticated auth, byte[] wire, byte[] payload) {
        AwsChunkedDecoder decoder() {
            return AwsChunkedDecoder.forRequest(auth, request, AuthLimits.DEFAULTS);
        }
    }

    private static Chunked sdkChunked(
            byte[] payload, boolean signed, software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum) {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.PUT)
                .protocol("https")
                .host("bucket.s3.example.test")
                .encodedPath("/object%20key")
                .putHeader("Content-Length", Integer.toString(payload.length))
                .build();
        SdkSigning.Wire wire = SdkSigning.sign(
                request, payload, AT, new SdkSigning.Options(signed, true, checksum, null, "us-east-1"));
        AuthRequest authRequest = wire.toAuthRequest(CLOCK);
        AuthResult.Authenticated auth = assertInstanceOf(AuthResult.Authenticated.class, VERIFIER.verify(authRequest));
        return new Chunked(authRequest, auth, wire.body(), payload);
    }

    private static byte[] randomPayload(Random random, int bytesMax) {
        byte[] payload = new byte[random.nextInt(bytesMax + 1)];
        random.nextBytes(payload);
        return payload;
    }

    @Test
    void sdkBodiesOfEveryModeDecodeUnderRandomSplits() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        var checksums = new software.amazon.awssdk.checksums.spi.ChecksumAlgorithm[] {
            DefaultChecksumAlgorithm.CRC32,
            DefaultChecksumAlgorithm.CRC32C,
            DefaultChecksumAlgorithm.SHA1,
            DefaultChecksumAlgorithm.SHA256
        };
        for (int round = 0; round < 40; round++) {
            byte[] payload = randomPayload(random, round % 4 == 0 ? 400_000 : 3000);
            boolean signed = random.nextBoolean();
            var checksum = !signed || random.nextBoolean() ? checksums[random.nextInt(checksums.length)] : null;
            Chunked chunked = sdkChunked(payload, signed, checksum);
            PayloadMode expectedMode = !signed
                    ? PayloadMode.STREAMING_UNSIGNED_TRAILER
                    : checksum == null ? PayloadMode.STREAMING_SIGNED : PayloadMode.STREAMING_SIGNED_TRAILER;
            String context = "seed=" + seed + " round=" + round;
            assertEquals(expectedMode, chunked.auth().payloadMode(), context);
            AwsChunkedDecoder decoder = chunked.decoder();
            assertArrayEquals(payload, decodeInRandomPieces(decoder, chunked.wire(), random), context);
            decoder.finish();
            if (checksum != null) {
                ChecksumAlgorithm ours = ChecksumAlgorithm.fromAlgorithmName(checksum.algorithmId());
                assertEquals(ours, decoder.trailerAlgorithm(), context);
                assertEquals(checksumOf(ours, payload), decoder.trailerChecksumBase64(), context);
            }
        }
    }

    /** Every two-piece split of small SDK bodies, in each mode. */
    @Test
    void everySplitPointOfSmallSdkBodies() {
        byte[] payload = "hello, aws-chunked world; small body".getBytes(StandardCharsets.UTF_8);
        for (Chunked chunked : new Chunked[] {
            sdkChunked(payload, true, null),
            sdkChunked(payload, true, DefaultChecksumAlgorithm.CRC32C),
            sdkChunked(payload, false, DefaultChecksumAlgorithm.CRC32)
        }) {
            byte[] wire = chunked.wire();
            for (int split = 0; split <= wire.length; split++) {
                AwsChunkedDecoder decoder = chunked.decoder();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                decoder.feed(ByteBuffer.wrap(wire, 0, split), slice -> append(out, slice));
                decoder.feed(ByteBuffer.wrap(wire, split, wire.length - split), slice -> append(out, slice));
                decoder.finish();
                assertArrayEquals(payload, out.toByteArray(), "split=" + split);
            }
        }
    }

    /** Our encoder with tiny chunks, fed one byte at a time and split at every point. */
    @Test
    void ourEncoderWithTinyChunksAtEveryBoundary() {
        byte[] payload = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        for (PayloadMode mode : new PayloadMode[] {
            PayloadMode.STREAMING_SIGNED, PayloadMode.STREAMING_SIGNED_TRAILER, PayloadMode.STREAMING_UNSIGNED_TRAILER
        }) {
            StreamingSigning signing = signing(mode);
            byte[] wire = AwsChunkedEncoder.encode(payload, 7, mode, signing, ChecksumAlgorithm.CRC64NVME);
            for (int split = 0; split <= wire.length; split++) {
                AwsChunkedDecoder decoder = ourDecoder(mode, signing, payload.length);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                decoder.feed(ByteBuffer.wrap(wire, 0, split), slice -> append(out, slice));
                for (int i = split; i < wire.length; i++) {
                    decoder.feed(ByteBuffer.wrap(wire, i, 1), slice -> append(out, slice));
                }
                decoder.finish();
                assertArrayEquals(payload, out.toByteArray(), mode + " split=" + split);
            }
        }
    }

    @Test
    void everyTruncationIsAnIncompleteBody() {
        byte[] payload = "truncate me at every byte".getBytes(StandardCharsets.UTF_8);
        Chunked chunked = sdkChunked(payload, true, DefaultChecksumAlgorithm.CRC32);
        for (int length = 0; length < chunked.wire().length; length++) {
            AwsChunkedDecoder decoder = chunked.decoder();
            decoder.feed(ByteBuffer.wrap(chunked.wire(), 0, length), slice -> {});
            S3Exception e = assertThrows(S3Exception.class, decoder::finish, "length=" + length);
            assertEquals(S3ErrorCode.INCOMPLETE_BODY, e.code(), "length=" + length);
        }
    }

    @Test
    void payloadSlicesShareTheInputBuffer() {
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 7);
        Chunked chunked = sdkChunked(payload, true, null);
        AwsChunkedDecoder decoder = chunked.decoder();
        int[] handedOut = {0};
        decoder.feed(ByteBuffer.wrap(chunked.wire()), slice -> {
            assertSame(chunked.wire(), slice.array());
            handedOut[0] += slice.remaining();
        });
        decoder.finish();
        assertEquals(payload.length, handedOut[0]);
        assertEquals(payload.length, decoder.decodedBytes());
    }

    @Test
    void corruptedDataFailsTheChunkSignatureOrTheChecksum() {
        byte[] payload = "some payload bytes to corrupt".getBytes(StandardCharsets.UTF_8);
        Chunked signed = sdkChunked(payload, true, null);
        assertFails(
                signed, corrupt(signed.wire(), indexOf(signed.wire(), payload)), S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        Chunked unsigned = sdkChunked(payload, false, DefaultChecksumAlgorithm.CRC32);
        assertFails(unsigned, corrupt(unsigned.wire(), indexOf(unsigned.wire(), payload)), S3ErrorCode.BAD_DIGEST);
    }

    @Test
    void badDigestMessageNamesTheChecksum() {
        byte[] payload = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
        Chunked unsigned = sdkChunked(payload, false, DefaultChecksumAlgorithm.CRC32);
        String wire = new String(unsigned.wire(), StandardCharsets.ISO_8859_1);
        String damaged = wire.replaceFirst("x-amz-checksum-crc32:[^\r]*", "x-amz-checksum-crc32:AAAAAA==");
        S3Exception e = decodeExpectingFailure(unsigned, damaged.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(S3ErrorCode.BAD_DIGEST, e.code());
        assertEquals("The x-amz-checksum-crc32 you specified did not match the calculated checksum.", e.getMessage());
    }

    /** A trailer value that is not base64 of a CRC32 is invalid (InvalidRequest), not a mismatch (BadDigest). */
    @Test
    void malformedTrailerChecksumValueIsInvalidRequest() {
        byte[] payload = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
        Chunked unsigned = sdkChunked(payload, false, DefaultChecksumAlgorithm.CRC32);
        String wire = new String(unsigned.wire(), StandardCharsets.ISO_8859_1);
        for (String value : new String[] {"not base64!", "AAAA", "AAAAAAAA", "AAAAAA=="}) {
            String damaged = wire.replaceFirst("x-amz-checksum-crc32:[^\r]*", "x-amz-checksum-crc32:" + value);
            S3Exception e = decodeExpectingFailure(unsigned, damaged.getBytes(StandardCharsets.ISO_8859_1));
            if (value.equals("AAAAAA==")) {
                assertEquals(S3ErrorCode.BAD_DIGEST, e.code(), value);
                continue;
            }
            assertEquals(S3ErrorCode.INVALID_REQUEST, e.code(), value);
            assertEquals("Value for x-amz-checksum-crc32 trailing header is invalid.", e.getMessage());
        }
    }

    /** A chunk header without a well-formed chunk-signature is malformed (IncompleteBody, as S3 answers). */
    @Test
    void missingOrShortChunkSignatureIsIncompleteBody() {
        byte[] payload = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
        Chunked chunked = sdkChunked(payload, true, null);
        String wire = new String(chunked.wire(), StandardCharsets.ISO_8859_1);
        String missing = wire.replaceFirst(";chunk-signature=[0-9a-f]{64}", "");
        assertEquals(
                S3ErrorCode.INCOMPLETE_BODY,
                decodeExpectingFailure(chunked, missing.getBytes(StandardCharsets.ISO_8859_1))
                        .code());
        String shortened = wire.replaceFirst("(;chunk-signature=[0-9a-f]{59})[0-9a-f]{5}", "$1");
        assertEquals(
                S3ErrorCode.INCOMPLETE_BODY,
                decodeExpectingFailure(chunked, shortened.getBytes(StandardCharsets.ISO_8859_1))
                        .code());
    }

    @Test
    void alteredSignedTrailerOrChunkSignatureFailsTheSignature() {
        byte[] payload = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
        Chunked chunked = sdkChunked(payload, true, DefaultChecksumAlgorithm.SHA256);
        String wire = new String(chunked.wire(), StandardCharsets.ISO_8859_1);
        String trailerChanged = wire.replace("x-amz-checksum-sha256:", "x-amz-checksum-sha256:AAAA");
        assertEquals(
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                decodeExpectingFailure(chunked, trailerChanged.getBytes(StandardCharsets.ISO_8859_1))
                        .code());
        int signature = wire.indexOf("chunk-signature=") + "chunk-signature=".length();
        byte[] chunkSignatureChanged = corrupt(chunked.wire(), signature);
        assertEquals(
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                decodeExpectingFailure(chunked, chunkSignatureChanged).code());
        String noTrailerSignature = wire.replaceAll("x-amz-trailer-signature:[0-9a-f]{64}\r\n", "");
        assertEquals(
                S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                decodeExpectingFailure(chunked, noTrailerSignature.getBytes(StandardCharsets.ISO_8859_1))
                        .code());
    }

    @Test
    void limitsAndFramingErrors() {
        byte[] payload = new byte[2048];
        StreamingSigning signing = signing(PayloadMode.STREAMING_SIGNED);
        byte[] wire = AwsChunkedEncoder.encode(payload, 2048, PayloadMode.STREAMING_SIGNED, signing, null);
        AuthLimits small = new AuthLimits(900, 16, 100, 16, 1024, 128, 2);
        AwsChunkedDecoder tooBig = new AwsChunkedDecoder(PayloadMode.STREAMING_SIGNED, signing, null, -1, small);
        S3Exception e = assertThrows(S3Exception.class, () -> tooBig.feed(ByteBuffer.wrap(wire), slice -> {}));
        assertEquals(S3ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("CHUNK_BYTES_MAX=1024"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> tooBig.feed(ByteBuffer.wrap(wire), slice -> {}));

        AwsChunkedDecoder longLine = ourDecoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, null, -1);
        byte[] line = ("1" + "0".repeat(AuthLimits.LINE_BYTES_MAX + 1)).getBytes(StandardCharsets.US_ASCII);
        e = assertThrows(S3Exception.class, () -> longLine.feed(ByteBuffer.wrap(line), slice -> {}));
        assertEquals(S3ErrorCode.INCOMPLETE_BODY, e.code());
        assertTrue(e.getMessage().contains("LINE_BYTES_MAX=4096"), e.getMessage());

        // S3 answers a body it cannot frame as IncompleteBody, and bad trailer lines as MalformedTrailerError.
        assertFramingError(S3ErrorCode.INCOMPLETE_BODY, "zz\r\n");
        assertFramingError(S3ErrorCode.INCOMPLETE_BODY, "5\n");
        assertFramingError(S3ErrorCode.INCOMPLETE_BODY, "5\r\nhelloXX");
        assertFramingError(S3ErrorCode.INCOMPLETE_BODY, "0\r\n\r\nextra");
        assertFramingError(S3ErrorCode.MALFORMED_TRAILER_ERROR, "0\r\nno-colon\r\n\r\n");
        assertFramingError(
                S3ErrorCode.MALFORMED_TRAILER_ERROR,
                "0\r\nx-amz-meta-a:1\r\nx-amz-meta-b:2\r\nx-amz-meta-c:3\r\n\r\n",
                small);
        assertFramingError(S3ErrorCode.MALFORMED_TRAILER_ERROR, "0\r\nx-amz-checksum-sha1:AAAA\r\n\r\n");
    }

    @Test
    void decodedLengthMustMatch() {
        byte[] payload = new byte[100];
        byte[] wire = AwsChunkedEncoder.encode(payload, 64, PayloadMode.STREAMING_UNSIGNED_TRAILER, null, null);
        AwsChunkedDecoder fewer = ourDecoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, null, 99);
        S3Exception e = assertThrows(S3Exception.class, () -> fewer.feed(ByteBuffer.wrap(wire), slice -> {}));
        assertEquals(S3ErrorCode.INCOMPLETE_BODY, e.code());
        AwsChunkedDecoder more = ourDecoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, null, 101);
        e = assertThrows(S3Exception.class, () -> more.feed(ByteBuffer.wrap(wire), slice -> {}));
        assertEquals(S3ErrorCode.INCOMPLETE_BODY, e.code());
    }

    /** As S3 answers: an x-amz-decoded-content-length that is not a length is MissingContentLength. */
    @Test
    void decodedLengthThatIsNotALengthIsMissingContentLength() {
        var auth = new AuthResult.Authenticated("", "", PayloadMode.STREAMING_UNSIGNED_TRAILER, null, null, false);
        for (String value : new String[] {"", "abc", "12x", "-1", "1".repeat(19)}) {
            AuthRequest request = AuthRequest.of(
                    "PUT", "/b/k", "", Map.of(AwsChunkedDecoder.X_AMZ_DECODED_CONTENT_LENGTH, List.of(value)), CLOCK);
            S3Exception e = assertThrows(
                    S3Exception.class, () -> AwsChunkedDecoder.forRequest(auth, request, AuthLimits.DEFAULTS), value);
            assertEquals(S3ErrorCode.MISSING_CONTENT_LENGTH, e.code(), value);
        }
    }

    @Test
    void declaredTrailerMustArrive() {
        byte[] wire = AwsChunkedEncoder.encode(new byte[10], 64, PayloadMode.STREAMING_UNSIGNED_TRAILER, null, null);
        AwsChunkedDecoder decoder = new AwsChunkedDecoder(
                PayloadMode.STREAMING_UNSIGNED_TRAILER, null, ChecksumAlgorithm.CRC32C, -1, AuthLimits.DEFAULTS);
        S3Exception e = assertThrows(S3Exception.class, () -> decoder.feed(ByteBuffer.wrap(wire), slice -> {}));
        assertEquals(S3ErrorCode.MALFORMED_TRAILER_ERROR, e.code());
    }

    private static void assertFramingError(S3ErrorCode expected, String wire) {
        assertFramingError(expected, wire, AuthLimits.DEFAULTS);
    }

    private static void assertFramingError(S3ErrorCode expected, String wire, AuthLimits limits) {
        AwsChunkedDecoder decoder =
                new AwsChunkedDecoder(PayloadMode.STREAMING_UNSIGNED_TRAILER, null, null, -1, limits);
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> decoder.feed(ByteBuffer.wrap(wire.getBytes(StandardCharsets.US_ASCII)), slice -> {}),
                wire);
        assertEquals(expected, e.code(), wire.replace("\r\n", "\\r\\n"));
    }

    private static void assertFails(Chunked chunked, byte[] wire, S3ErrorCode expected) {
        assertEquals(expected, decodeExpectingFailure(chunked, wire).code());
    }

    private static S3Exception decodeExpectingFailure(Chunked chunked, byte[] wire) {
        AwsChunkedDecoder decoder = chunked.decoder();
        return assertThrows(S3Exception.class, () -> {
            decoder.feed(ByteBuffer.wrap(wire), slice -> {});
            decoder.finish();
        });
    }

    private static StreamingSigning signing(PayloadMode mode) {
        SigV4Signer signer = new SigV4Signer(SdkSigning.ACCESS_KEY, SdkSigning.SECRET, "us-east-1", CLOCK);
        SigV4Signer.Signed signed = signer.sign("PUT", "h.example.test", "/b/k", "", Map.of(), mode.headerValue());
        return signed.streaming();
    }

    private static AwsChunkedDecoder ourDecoder(PayloadMode mode, StreamingSigning signing, long decodedLength) {
        return new AwsChunkedDecoder(
                mode, signing, mode.trailer() ? ChecksumAlgorithm.CRC64NVME : null, decodedLength, AuthLimits.DEFAULTS);
    }

    private static byte[] decodeInRandomPieces(AwsChunkedDecoder decoder, byte[] wire, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int offset = 0;
        while (offset < wire.length) {
            int length = Math.min(wire.length - offset, 1 + random.nextInt(random.nextBoolean() ? 8 : 70_000));
            decoder.feed(ByteBuffer.wrap(wire, offset, length), slice -> append(out, slice));
            offset += length;
        }
        return out.toByteArray();
    }

    private static void append(ByteArrayOutputStream out, ByteBuffer slice) {
        byte[] bytes = new byte[slice.remaining()];
        slice.get(bytes);
        out.writeBytes(bytes);
    }

    private static String checksumOf(ChecksumAlgorithm algorithm, byte[] payload) {
        PayloadChecksum checksum = algorithm.newChecksum();
        checksum.update(ByteBuffer.wrap(payload));
        return checksum.finishBase64();
    }

    private static byte[] corrupt(byte[] wire, int index) {
        byte[] copy = wire.clone();
        copy[index] = (byte) (copy[index] == 'a' ? 'b' : 'a');
        return copy;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("payload not found in the wire bytes");
    }
}
