package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.checksum.PayloadChecksum;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A push parser for {@code aws-chunked} bodies (the three streaming payload modes). The wire format:
 *
 * <pre>
 * hex-size[;chunk-signature=64hex]\r\n data \r\n  … repeated …
 * 0[;chunk-signature=64hex]\r\n
 * [x-amz-checksum-crc32:base64\r\n [x-amz-trailer-signature:64hex\r\n]]   (trailer modes only)
 * \r\n
 * </pre>
 *
 * <p>Call {@link #feed} with the wire bytes as they arrive, split anywhere, then {@link #finish}. The decoded
 * payload goes to {@code payloadOut} as slices of the input buffer (no copy): they share its content, so a consumer
 * that keeps one past the call must not let the caller reuse the input. Payload bytes are handed out <em>before</em>
 * their chunk signature and the trailer checksum are checked: nothing may be committed until {@link #finish}
 * returns.
 *
 * <p>Errors ({@link S3Exception}, after which the decoder is unusable), as S3 answers them: SignatureDoesNotMatch
 * (a chunk or trailer signature that does not match), BadDigest (trailer checksum), IncompleteBody (body ended
 * early, malformed framing or chunk-signature, a decoded length other than {@code x-amz-decoded-content-length}),
 * MalformedTrailerError (trailer lines that are not one declared checksum), InvalidRequest (a trailer checksum that
 * is not a value of its algorithm, a chunk over {@link AuthLimits#chunkBytesMax()}). One per request, not
 * thread-safe.
 */
public final class AwsChunkedDecoder {
    public static final String X_AMZ_TRAILER = "x-amz-trailer";
    public static final String X_AMZ_DECODED_CONTENT_LENGTH = "x-amz-decoded-content-length";
    static final String CHUNK_SIGNATURE = "chunk-signature=";
    static final String TRAILER_SIGNATURE = "x-amz-trailer-signature";
    private static final String CHECKSUM_TRAILER_PREFIX = "x-amz-checksum-";
    private static final int CHUNK_SIZE_HEX_DIGITS_MAX = 16;
    private static final int LENGTH_DIGITS_MAX = 18;

    private enum State {
        CHUNK_HEADER,
        CHUNK_DATA,
        CHUNK_DATA_CR,
        CHUNK_DATA_LF,
        TRAILER,
        DONE,
        FAILED
    }

    private final PayloadMode mode;
    private final ChecksumAlgorithm trailerAlgorithm;
    private final long decodedLengthBytes;
    private final AuthLimits limits;
    private final ChunkSigner signer;
    private final MessageDigest chunkDigest;
    private final PayloadChecksum checksum;
    private final byte[] line;
    private final SortedMap<String, String> trailers = new TreeMap<>();

    private State state = State.CHUNK_HEADER;
    private int lineLength;
    private long chunkRemaining;
    private byte[] chunkSignature;
    private long decodedBytes;
    private long wireBytes;
    private String trailerSignature;
    private String trailerChecksumBase64;

    /**
     * @param mode a streaming mode
     * @param signing the chunk-signing context; required for the chunk-signed modes, ignored otherwise
     * @param trailerAlgorithm the checksum declared by {@code x-amz-trailer}, or null
     * @param decodedLengthBytes {@code x-amz-decoded-content-length}, or -1 when not given
     */
    public AwsChunkedDecoder(
            PayloadMode mode,
            StreamingSigning signing,
            ChecksumAlgorithm trailerAlgorithm,
            long decodedLengthBytes,
            AuthLimits limits) {
        if (!mode.streaming()) {
            throw new IllegalArgumentException("mode=" + mode + " is not an aws-chunked mode");
        }
        if (mode.chunkSigned() && signing == null) {
            throw new IllegalArgumentException("mode=" + mode + " needs a signing context");
        }
        if (decodedLengthBytes < -1) {
            throw new IllegalArgumentException("decodedLengthBytes=" + decodedLengthBytes + " < -1");
        }
        this.mode = mode;
        this.trailerAlgorithm = mode.trailer() ? trailerAlgorithm : null;
        this.decodedLengthBytes = decodedLengthBytes;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.signer = mode.chunkSigned() ? new ChunkSigner(signing) : null;
        this.chunkDigest = mode.chunkSigned() ? SigV4.sha256() : null;
        this.checksum = this.trailerAlgorithm == null ? null : this.trailerAlgorithm.newChecksum();
        this.line = new byte[limits.lineBytesMax() + 1]; // + 1 for the CR before the LF
    }

    /**
     * The decoder for an authenticated streaming request, from its {@code x-amz-trailer} and
     * {@code x-amz-decoded-content-length} headers.
     *
     * @throws S3Exception InvalidRequest for an unsupported {@code x-amz-trailer}, MissingContentLength for a
     *     {@code x-amz-decoded-content-length} that is not a length
     */
    public static AwsChunkedDecoder forRequest(AuthResult.Authenticated auth, AuthRequest request, AuthLimits limits) {
        ChecksumAlgorithm trailerAlgorithm = null;
        String trailer = request.header(X_AMZ_TRAILER);
        if (trailer != null && auth.payloadMode().trailer()) {
            trailerAlgorithm = ChecksumAlgorithm.fromHeaderName(trailer);
            if (trailerAlgorithm == null) {
                throw new S3Exception(
                        S3ErrorCode.INVALID_REQUEST,
                        "The value specified in the x-amz-trailer header is not supported");
            }
        }
        return new AwsChunkedDecoder(
                auth.payloadMode(), auth.streaming(), trailerAlgorithm, decodedLength(request), limits);
    }

    private static long decodedLength(AuthRequest request) {
        String text = request.header(X_AMZ_DECODED_CONTENT_LENGTH);
        if (text == null) {
            return -1;
        }
        String digits = text.strip();
        if (digits.isEmpty()
                || digits.length() > LENGTH_DIGITS_MAX
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3Exception(
                    S3ErrorCode.MISSING_CONTENT_LENGTH, "x-amz-decoded-content-length must be a non-negative integer.");
        }
        return Long.parseLong(digits);
    }

    /**
     * Consumes all of {@code in} (its position ends at its limit), handing decoded payload slices to
     * {@code payloadOut}.
     */
    public void feed(ByteBuffer in, Consumer<ByteBuffer> payloadOut) {
        if (state == State.FAILED) {
            throw new IllegalStateException("feed after the decoder failed");
        }
        try {
            while (in.hasRemaining()) {
                step(in, payloadOut);
            }
        } catch (S3Exception e) {
            state = State.FAILED;
            throw e;
        }
    }

    private void step(ByteBuffer in, Consumer<ByteBuffer> payloadOut) {
        switch (state) {
            case CHUNK_HEADER -> {
                if (readLine(in)) {
                    onChunkHeader();
                }
            }
            case CHUNK_DATA -> onData(in, payloadOut);
            case CHUNK_DATA_CR -> expect(in, '\r', State.CHUNK_DATA_LF);
            case CHUNK_DATA_LF -> {
                expect(in, '\n', State.CHUNK_HEADER);
                onChunkEnd();
            }
            case TRAILER -> {
                if (readLine(in)) {
                    onTrailerLine();
                }
            }
            case DONE -> throw framing("there are bytes after the end of the aws-chunked body");
            case FAILED -> throw new IllegalStateException("step after the decoder failed");
        }
    }

    /**
     * Checks that the body was complete.
     *
     * @throws S3Exception IncompleteBody when it ended before its final chunk or trailer
     */
    public void finish() {
        if (state == State.FAILED) {
            throw new IllegalStateException("finish after the decoder failed");
        }
        if (state != State.DONE) {
            state = State.FAILED;
            throw new S3Exception(
                    S3ErrorCode.INCOMPLETE_BODY,
                    "The aws-chunked body ended after " + wireBytes + " bytes (" + decodedBytes
                            + " decoded), before its end.");
        }
    }

    /** The payload bytes decoded so far. */
    public long decodedBytes() {
        return decodedBytes;
    }

    /** The trailer checksum (base64), verified against the payload; null when none was declared or not yet read. */
    public String trailerChecksumBase64() {
        return trailerChecksumBase64;
    }

    /** The declared trailer checksum algorithm, or null. */
    public ChecksumAlgorithm trailerAlgorithm() {
        return trailerAlgorithm;
    }

    /** Accumulates one line; true when it is complete (CRLF consumed, not stored). */
    private boolean readLine(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            wireBytes++;
            if (b == '\n') {
                if (lineLength == 0 || line[lineLength - 1] != '\r') {
                    throw framing("a line ends in LF without CR at byte " + wireBytes);
                }
                lineLength--;
                return true;
            }
            if (lineLength == line.length) {
                throw framing("a line is longer than LINE_BYTES_MAX=" + limits.lineBytesMax() + " bytes");
            }
            line[lineLength++] = b;
        }
        return false;
    }

    private String takeLine() {
        String text = new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
        lineLength = 0;
        return text;
    }

    private void onChunkHeader() {
        String header = takeLine();
        int semicolon = header.indexOf(';');
        long size = parseChunkSize(semicolon < 0 ? header : header.substring(0, semicolon));
        chunkSignature = null;
        if (signer != null) {
            String extension = semicolon < 0 ? "" : header.substring(semicolon + 1);
            chunkSignature = extension.startsWith(CHUNK_SIGNATURE)
                    ? SigV4.parseSignature(extension.substring(CHUNK_SIGNATURE.length()))
                    : null;
            if (chunkSignature == null) {
                throw framing(
                        "the chunk header ending at byte " + wireBytes + " has no chunk-signature of 64 hex digits");
            }
        }
        if (size > limits.chunkBytesMax()) {
            throw chunkTooLarge();
        }
        if (decodedLengthBytes >= 0 && decodedBytes + size > decodedLengthBytes) {
            throw new S3Exception(
                    S3ErrorCode.INCOMPLETE_BODY,
                    "The body has more than x-amz-decoded-content-length=" + decodedLengthBytes + " bytes.");
        }
        if (size > 0) {
            chunkRemaining = size;
            state = State.CHUNK_DATA;
            return;
        }
        if (signer != null) {
            checkChunkSignature(chunkDigest.digest());
        }
        if (decodedLengthBytes >= 0 && decodedBytes != decodedLengthBytes) {
            throw new S3Exception(
                    S3ErrorCode.INCOMPLETE_BODY,
                    "The body has " + decodedBytes + " bytes; x-amz-decoded-content-length=" + decodedLengthBytes
                            + ".");
        }
        state = State.TRAILER;
    }

    private long parseChunkSize(String text) {
        if (text.isEmpty() || text.length() > CHUNK_SIZE_HEX_DIGITS_MAX) {
            throw framing("a chunk size is not 1 to " + CHUNK_SIZE_HEX_DIGITS_MAX + " hex digits");
        }
        long size = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                throw framing("a chunk size is not hexadecimal");
            }
            size = (size << 4) | digit;
            if (size > limits.chunkBytesMax()) {
                throw chunkTooLarge();
            }
        }
        return size;
    }

    private void onData(ByteBuffer in, Consumer<ByteBuffer> payloadOut) {
        int length = (int) Math.min(chunkRemaining, in.remaining());
        int start = in.position();
        ByteBuffer slice = in.slice(start, length);
        in.position(start + length);
        if (chunkDigest != null) {
            chunkDigest.update(slice);
            slice.rewind();
        }
        if (checksum != null) {
            checksum.update(slice);
            slice.rewind();
        }
        chunkRemaining -= length;
        decodedBytes += length;
        wireBytes += length;
        if (chunkRemaining == 0) {
            state = State.CHUNK_DATA_CR;
        }
        payloadOut.accept(slice);
    }

    private void expect(ByteBuffer in, char expected, State next) {
        byte b = in.get();
        wireBytes++;
        if (b != expected) {
            throw framing("chunk data is not followed by CRLF at byte " + wireBytes);
        }
        state = next;
    }

    private void onChunkEnd() {
        if (signer != null) {
            checkChunkSignature(chunkDigest.digest());
        }
    }

    private void checkChunkSignature(byte[] dataSha256) {
        byte[] expected = signer.nextChunk(dataSha256);
        if (!MessageDigest.isEqual(expected, chunkSignature)) {
            throw new S3Exception(
                    S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                    "The chunk signature of the chunk ending at byte " + wireBytes + " does not match.");
        }
    }

    private void onTrailerLine() {
        if (lineLength == 0) {
            onTrailerEnd();
            state = State.DONE;
            return;
        }
        if (!mode.trailer()) {
            throw framing("the final chunk is not followed by CRLF");
        }
        String text = takeLine();
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw malformedTrailer("a trailer line has no name");
        }
        String name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = text.substring(colon + 1).strip();
        if (trailerSignature != null) {
            throw malformedTrailer("a trailer follows x-amz-trailer-signature");
        }
        if (name.equals(TRAILER_SIGNATURE)) {
            trailerSignature = value;
            return;
        }
        if (trailers.size() == limits.trailerLinesMax()) {
            throw malformedTrailer(
                    "the trailer has more than TRAILER_LINES_MAX=" + limits.trailerLinesMax() + " lines");
        }
        if (trailers.put(name, value) != null) {
            throw malformedTrailer("the trailer " + name + " is given more than once");
        }
    }

    private void onTrailerEnd() {
        if (mode == PayloadMode.STREAMING_SIGNED_TRAILER) {
            byte[] provided = SigV4.parseSignature(trailerSignature);
            if (provided == null || !MessageDigest.isEqual(signer.trailer(trailers), provided)) {
                throw new S3Exception(
                        S3ErrorCode.SIGNATURE_DOES_NOT_MATCH,
                        "The x-amz-trailer-signature is missing or does not match.");
            }
        }
        for (String name : trailers.keySet()) {
            if (name.startsWith(CHECKSUM_TRAILER_PREFIX)
                    && (trailerAlgorithm == null || !name.equals(trailerAlgorithm.headerName()))) {
                throw malformedTrailer("the trailer " + name + " was not declared in x-amz-trailer");
            }
        }
        if (trailerAlgorithm == null) {
            return;
        }
        String declared = trailers.get(trailerAlgorithm.headerName());
        if (declared == null) {
            throw malformedTrailer(
                    "x-amz-trailer declares " + trailerAlgorithm.headerName() + " but the trailer does not have it");
        }
        if (!trailerAlgorithm.isWellFormed(declared)) {
            throw new S3Exception(
                    S3ErrorCode.INVALID_REQUEST,
                    "Value for " + trailerAlgorithm.headerName() + " trailing header is invalid.");
        }
        String computed = checksum.finishBase64();
        if (!computed.equals(declared)) {
            throw new S3Exception(
                    S3ErrorCode.BAD_DIGEST,
                    "The " + trailerAlgorithm.headerName() + " you specified did not match the calculated checksum.");
        }
        trailerChecksumBase64 = computed;
    }

    /** S3 answers any aws-chunked body it cannot parse as one that ended unexpectedly. */
    private static S3Exception framing(String detail) {
        return new S3Exception(S3ErrorCode.INCOMPLETE_BODY, "Malformed aws-chunked body: " + detail + ".");
    }

    private static S3Exception malformedTrailer(String detail) {
        return new S3Exception(S3ErrorCode.MALFORMED_TRAILER_ERROR, "Malformed aws-chunked trailer: " + detail + ".");
    }

    private S3Exception chunkTooLarge() {
        return new S3Exception(
                S3ErrorCode.INVALID_REQUEST,
                "A chunk of the aws-chunked body exceeds CHUNK_BYTES_MAX=" + limits.chunkBytesMax() + " bytes.");
    }
}
