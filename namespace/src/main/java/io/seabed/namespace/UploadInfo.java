package io.seabed.namespace;

/**
 * A multipart upload in progress, as listings show it.
 *
 * @param checksumAlgorithm the checksum algorithm every part carries (CRC32, ..., SHA256), or null
 * @param checksumType the type of the object's checksum when {@code checksumAlgorithm} is set, else null
 */
public record UploadInfo(
        String key,
        String uploadId,
        String initiatorUserId,
        long initiatedMillis,
        String checksumAlgorithm,
        ObjectChecksum.Type checksumType) {}
