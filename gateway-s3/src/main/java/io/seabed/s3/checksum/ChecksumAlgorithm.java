package io.seabed.s3.checksum;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The S3 additional checksum algorithms ({@code x-amz-checksum-<name>} headers and trailers). Values travel as
 * base64 of the big-endian checksum bytes (4 for the CRC32s, 8 for CRC64NVME, the digest for SHA).
 */
public enum ChecksumAlgorithm {
    CRC32("crc32", 4, 0xEDB88320L),
    CRC32C("crc32c", 4, 0x82F63B78L),
    CRC64NVME("crc64nvme", 8, Crc64Nvme.POLYNOMIAL_REFLECTED),
    SHA1("sha1", 20, 0),
    SHA256("sha256", 32, 0);

    private static final String HEADER_PREFIX = "x-amz-checksum-";

    private final String wireName;
    private final String headerName;
    private final int widthBytes;
    private final long polynomialReflected;

    ChecksumAlgorithm(String wireName, int widthBytes, long polynomialReflected) {
        this.wireName = wireName;
        this.headerName = HEADER_PREFIX + wireName;
        this.widthBytes = widthBytes;
        this.polynomialReflected = polynomialReflected;
    }

    /** The length of a checksum value in bytes. */
    public int widthBytes() {
        return widthBytes;
    }

    /** Whether this is a CRC (whose values combine across pieces), not a digest. */
    public boolean isCrc() {
        return polynomialReflected != 0;
    }

    /** The reflected polynomial of a CRC; 0 for a digest. */
    public long polynomialReflected() {
        return polynomialReflected;
    }

    /** The XML element of a checksum value, e.g. {@code ChecksumCRC32}. */
    public String elementName() {
        return "Checksum" + algorithmName();
    }

    /** The lowercase header or trailer name, e.g. {@code x-amz-checksum-crc32}. */
    public String headerName() {
        return headerName;
    }

    /** The value of {@code x-amz-checksum-algorithm} / {@code x-amz-sdk-checksum-algorithm}, e.g. {@code CRC32}. */
    public String algorithmName() {
        return wireName.toUpperCase(Locale.ROOT);
    }

    /**
     * Whether {@code base64} is a well-formed value of this algorithm: padded base64 of exactly
     * {@link #widthBytes()} bytes. A value that is not one is refused as invalid (InvalidRequest) before any
     * comparison; a well-formed value that differs from the computed one is a BadDigest.
     */
    public boolean isWellFormed(String base64) {
        if (base64 == null || base64.length() != (widthBytes + 2) / 3 * 4) return false;
        try {
            return Base64.getDecoder().decode(base64).length == widthBytes;
        } catch (IllegalArgumentException e) {
            return false; // Not base64: the caller names the header, not the decoder's complaint.
        }
    }

    /** A fresh incremental checksum of this algorithm. */
    public PayloadChecksum newChecksum() {
        return switch (this) {
            case CRC32 -> new PayloadChecksum.Crc(new CRC32(), Integer.BYTES);
            case CRC32C -> new PayloadChecksum.Crc(new CRC32C(), Integer.BYTES);
            case CRC64NVME -> new PayloadChecksum.Crc(new Crc64Nvme(), Long.BYTES);
            case SHA1 -> new PayloadChecksum.Digest(digest("SHA-1"));
            case SHA256 -> new PayloadChecksum.Digest(digest("SHA-256"));
        };
    }

    /** The algorithm whose header name is {@code name} (any case, e.g. {@code X-Amz-Checksum-CRC32}), or null. */
    public static ChecksumAlgorithm fromHeaderName(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.headerName.equals(lower)) {
                return algorithm;
            }
        }
        return null;
    }

    /** The algorithm named {@code name} (any case, e.g. {@code CRC32C}), or null. */
    public static ChecksumAlgorithm fromAlgorithmName(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (ChecksumAlgorithm algorithm : values()) {
            if (algorithm.wireName.equals(lower)) {
                return algorithm;
            }
        }
        return null;
    }

    private static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides " + name, e);
        }
    }
}
