package io.seabed.s3.auth;

import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.checksum.PayloadChecksum;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.TreeMap;

/**
 * Client-side {@code aws-chunked} encoding (load generators, tests): the inverse of {@link AwsChunkedDecoder}.
 * Builds the whole body in memory, so it is for payloads that fit there.
 */
public final class AwsChunkedEncoder {
    private static final byte[] CRLF = {'\r', '\n'};

    private AwsChunkedEncoder() {}

    /**
     * Encodes {@code payload} in chunks of {@code chunkBytes} (the last may be shorter), then the final chunk and,
     * for trailer modes with a {@code trailerAlgorithm}, the checksum trailer.
     *
     * @param signing the context from {@link SigV4Signer.Signed#streaming()}; required for chunk-signed modes
     */
    public static byte[] encode(
            byte[] payload,
            int chunkBytes,
            PayloadMode mode,
            StreamingSigning signing,
            ChecksumAlgorithm trailerAlgorithm) {
        if (!mode.streaming() || chunkBytes <= 0) {
            throw new IllegalArgumentException("mode=" + mode + " chunkBytes=" + chunkBytes);
        }
        ChunkSigner signer = mode.chunkSigned() ? new ChunkSigner(signing) : null;
        MessageDigest digest = SigV4.sha256();
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + payload.length / chunkBytes * 96 + 256);
        for (int offset = 0; offset < payload.length; offset += chunkBytes) {
            int length = Math.min(chunkBytes, payload.length - offset);
            digest.update(payload, offset, length);
            writeChunkHeader(out, length, signer, digest.digest());
            out.write(payload, offset, length);
            out.writeBytes(CRLF);
        }
        writeChunkHeader(out, 0, signer, digest.digest());
        if (mode.trailer() && trailerAlgorithm != null) {
            PayloadChecksum checksum = trailerAlgorithm.newChecksum();
            checksum.update(ByteBuffer.wrap(payload));
            TreeMap<String, String> trailers = new TreeMap<>();
            trailers.put(trailerAlgorithm.headerName(), checksum.finishBase64());
            writeLine(out, trailerAlgorithm.headerName() + ":" + trailers.get(trailerAlgorithm.headerName()));
            if (signer != null) {
                writeLine(
                        out, AwsChunkedDecoder.TRAILER_SIGNATURE + ":" + SigV4.HEX.formatHex(signer.trailer(trailers)));
            }
        }
        out.writeBytes(CRLF);
        return out.toByteArray();
    }

    private static void writeChunkHeader(ByteArrayOutputStream out, int length, ChunkSigner signer, byte[] sha256) {
        String size = Integer.toHexString(length);
        writeLine(
                out,
                signer == null
                        ? size
                        : size + ";" + AwsChunkedDecoder.CHUNK_SIGNATURE
                                + SigV4.HEX.formatHex(signer.nextChunk(sha256)));
    }

    private static void writeLine(ByteArrayOutputStream out, String line) {
        out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(CRLF);
    }
}
