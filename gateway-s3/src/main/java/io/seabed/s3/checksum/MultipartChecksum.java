package io.seabed.s3.checksum;

import io.seabed.basestore.CrcCombine;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;

/**
 * A multipart object's checksum from its part checksums (base64, in part order). COMPOSITE: the
 * algorithm over the concatenated raw part checksums, base64, then "-N". FULL_OBJECT (CRCs only): the
 * CRC of the whole object, combined from the part CRCs and sizes.
 */
public final class MultipartChecksum {
    private MultipartChecksum() {}

    public static String composite(ChecksumAlgorithm algorithm, List<String> partChecksums) {
        PayloadChecksum c = algorithm.newChecksum();
        for (String part : partChecksums) c.update(ByteBuffer.wrap(decode(algorithm, part)));
        return c.finishBase64() + "-" + partChecksums.size();
    }

    public static String fullObject(ChecksumAlgorithm algorithm, List<String> partChecksums, long[] partSizes) {
        if (!algorithm.isCrc())
            throw new IllegalArgumentException(algorithm + " has no FULL_OBJECT multipart checksum");
        if (partChecksums.size() != partSizes.length || partSizes.length == 0)
            throw new IllegalArgumentException(
                    "partChecksums=" + partChecksums.size() + " partSizes=" + partSizes.length);
        int width = algorithm.widthBytes() * 8;
        long crc = toLong(decode(algorithm, partChecksums.getFirst()));
        for (int i = 1; i < partSizes.length; i++) {
            long next = toLong(decode(algorithm, partChecksums.get(i)));
            crc = CrcCombine.combine(crc, next, partSizes[i], algorithm.polynomialReflected(), width);
        }
        byte[] out = new byte[algorithm.widthBytes()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = (byte) crc;
            crc >>>= 8;
        }
        return Base64.getEncoder().encodeToString(out);
    }

    /** The raw bytes of a stored part checksum; a malformed one is a broken invariant (it was verified). */
    private static byte[] decode(ChecksumAlgorithm algorithm, String base64) {
        byte[] raw = Base64.getDecoder().decode(base64);
        if (raw.length != algorithm.widthBytes())
            throw new IllegalStateException(
                    algorithm + " part checksum is " + raw.length + " bytes, not " + algorithm.widthBytes());
        return raw;
    }

    private static long toLong(byte[] bigEndian) {
        long v = 0;
        for (byte b : bigEndian) v = (v << 8) | (b & 0xff);
        return v;
    }
}
