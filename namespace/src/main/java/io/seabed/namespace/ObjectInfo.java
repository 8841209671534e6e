package io.seabed.namespace;

import java.util.Map;

/**
 * An object's metadata.
 *
 * @param etag hex MD5 (or multipart form "hex-N"), without quotes
 * @param systemMetadata standard headers stored with the object, lowercase names
 * @param userMetadata user metadata, lowercase names without the x-amz-meta- prefix
 * @param partsCount number of multipart parts, 0 for a single PUT
 * @param checksum the additional checksum stored with the object, or null
 * @param acl the object's ACL, or null when it has none of its own (the bucket owner's alone)
 * @param tags the object's tags in order (empty when it has none)
 */
public record ObjectInfo(
        String key,
        long sizeBytes,
        String etag,
        long lastModifiedMillis,
        Map<String, String> systemMetadata,
        Map<String, String> userMetadata,
        int partsCount,
        ObjectChecksum checksum,
        Acl acl,
        Map<String, String> tags) {}
