package io.seabed.namespace;

import java.util.Objects;

/**
 * An additional checksum of an object or a part (S3's flexible checksums). The gateway computes and
 * verifies it; the namespace stores it with the data it describes and never interprets the value.
 *
 * @param algorithm the algorithm as S3 names it: CRC32, CRC32C, CRC64NVME, SHA1, SHA256
 * @param type whether the value covers the whole object or is a checksum of part checksums
 * @param value base64 of the checksum bytes; a COMPOSITE multipart checksum ends in "-N"
 */
public record ObjectChecksum(String algorithm, Type type, String value) {
    public enum Type {
        /** Computed over every byte of the object (or part), whatever way it was uploaded. */
        FULL_OBJECT,
        /** A checksum of the part checksums of a multipart object, with "-N" for N parts. */
        COMPOSITE
    }

    public ObjectChecksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
