package io.seabed.s3;

import io.seabed.namespace.BodySource;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.s3.auth.AwsChunkedDecoder;
import io.seabed.s3.auth.PayloadVerifier;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.checksum.PayloadChecksum;
import io.seabed.s3.http.RequestBody;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Base64;

/**
 * A PUT body as the namespace reads it: wire bytes, decoded from aws-chunked when so sent, with
 * every integrity check the request asked for (signed payload hash, chunk signatures and trailer
 * checksum in the decoder, Content-MD5, x-amz-checksum-* header) verified before anything commits.
 * The additional checksum it carried (header or trailer), or one it was asked to compute, is handed to
 * the namespace through {@link #checksum()}.
 */
final class S3Body implements BodySource {
    /** Wire bytes read per step when decoding aws-chunked. */
    static final int WIRE_READ_BYTES = 64 * 1024;

    private final RequestBody wire;
    private final AwsChunkedDecoder decoder;
    private final PayloadVerifier payloadHash;
    private final byte[] contentMd5;
    private final ChecksumAlgorithm headerChecksum;
    private final String headerChecksumBase64;
    /** The algorithm computed here: the header's, or the one asked for when no header or trailer has it. */
    private final ChecksumAlgorithm computedAlgorithm;

    private final PayloadChecksum checksum;
    private String computedBase64;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private ByteBuffer raw;
    private boolean wireEnded;

    /**
     * @param decoder the aws-chunked decoder, or null for a plain body
     * @param payloadHash verifier of a signed x-amz-content-sha256, or null
     * @param contentMd5 the decoded Content-MD5, or null
     * @param headerChecksum the algorithm of an x-amz-checksum-* header, or null
     * @param computeChecksum an algorithm to compute (not verify) when neither the header nor the
     *     decoder's trailer carries one, or null
     */
    S3Body(
            RequestBody wire,
            AwsChunkedDecoder decoder,
            PayloadVerifier payloadHash,
            byte[] contentMd5,
            ChecksumAlgorithm headerChecksum,
            String headerChecksumBase64,
            ChecksumAlgorithm computeChecksum) {
        this.wire = wire;
        this.decoder = decoder;
        this.payloadHash = payloadHash;
        this.contentMd5 = contentMd5;
        this.headerChecksum = headerChecksum;
        this.headerChecksumBase64 = headerChecksumBase64;
        boolean trailer = decoder != null && decoder.trailerAlgorithm() != null;
        this.computedAlgorithm = headerChecksum != null ? headerChecksum : trailer ? null : computeChecksum;
        this.checksum = computedAlgorithm == null ? null : computedAlgorithm.newChecksum();
    }

    @Override
    public int read(ByteBuffer output) {
        int start = output.position();
        int n = decoder == null ? wire.read(output) : readDecoded(output);
        if (n > 0) {
            ByteBuffer view = output.duplicate().position(start).limit(start + n);
            if (payloadHash != null) payloadHash.update(view.duplicate());
            if (checksum != null) checksum.update(view);
        }
        return n;
    }

    private int readDecoded(ByteBuffer output) {
        while (pending.isEmpty()) {
            if (wireEnded) return -1;
            if (raw == null) raw = ByteBuffer.allocate(WIRE_READ_BYTES);
            raw.clear();
            int n = wire.read(raw);
            if (n < 0) {
                wireEnded = true;
                decoder.finish();
                return -1;
            }
            raw.flip();
            decoder.feed(raw, pending::add);
        }
        int n = 0;
        while (output.hasRemaining() && !pending.isEmpty()) {
            ByteBuffer head = pending.peekFirst();
            int take = Math.min(output.remaining(), head.remaining());
            ByteBuffer slice = head.duplicate();
            slice.limit(slice.position() + take);
            output.put(slice);
            head.position(head.position() + take);
            n += take;
            if (!head.hasRemaining()) pending.removeFirst();
        }
        return n;
    }

    @Override
    public void verify(byte[] md5) {
        if (decoder != null && !wireEnded) {
            // The namespace stops at the decoded length; the final frame and trailers still wait.
            ByteBuffer probe = ByteBuffer.allocate(1);
            if (readDecoded(probe) > 0)
                throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "The body is longer than its declared length.");
        }
        if (payloadHash != null) payloadHash.finish();
        if (contentMd5 != null && !MessageDigest.isEqual(contentMd5, md5))
            throw new S3Exception(S3ErrorCode.BAD_DIGEST);
        if (checksum != null) {
            String actual = Base64.getEncoder().encodeToString(checksum.finish());
            if (headerChecksum != null && !actual.equals(headerChecksumBase64))
                throw new S3Exception(
                        S3ErrorCode.BAD_DIGEST,
                        "The " + headerChecksum.headerName() + " you specified did not match the calculated checksum.");
            computedBase64 = actual;
        }
    }

    /** The header's, the trailer's (both verified) or the computed checksum; null before {@link #verify}. */
    @Override
    public ObjectChecksum checksum() {
        if (computedAlgorithm != null)
            return computedBase64 == null ? null : fullObject(computedAlgorithm, computedBase64);
        if (decoder != null && decoder.trailerChecksumBase64() != null)
            return fullObject(decoder.trailerAlgorithm(), decoder.trailerChecksumBase64());
        return null;
    }

    private static ObjectChecksum fullObject(ChecksumAlgorithm algorithm, String base64) {
        return new ObjectChecksum(algorithm.algorithmName(), ObjectChecksum.Type.FULL_OBJECT, base64);
    }
}
