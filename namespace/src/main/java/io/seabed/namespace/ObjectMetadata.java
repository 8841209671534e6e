package io.seabed.namespace;

import java.util.Map;

/**
 * Metadata given with a write: standard headers (lowercase names), user metadata and the object's
 * ACL (its owner is the writer), or null for the bucket owner's alone.
 */
public record ObjectMetadata(Map<String, String> systemMetadata, Map<String, String> userMetadata, Acl acl) {
    public static final ObjectMetadata EMPTY = new ObjectMetadata(Map.of(), Map.of());

    public ObjectMetadata(Map<String, String> systemMetadata, Map<String, String> userMetadata) {
        this(systemMetadata, userMetadata, null);
    }
}
