package io.seabed.namespace;

import java.util.Map;

/**
 * Metadata given with a write: standard headers (lowercase names), user metadata and the object's
 * ACL (its owner is the writer), or null for the bucket owner's alone; and the object's tags (in order).
 */
public record ObjectMetadata(
        Map<String, String> systemMetadata, Map<String, String> userMetadata, Acl acl, Map<String, String> tags) {
    public static final ObjectMetadata EMPTY = new ObjectMetadata(Map.of(), Map.of());

    public ObjectMetadata {
        tags = tags == null ? Map.of() : tags;
    }

    public ObjectMetadata(Map<String, String> systemMetadata, Map<String, String> userMetadata) {
        this(systemMetadata, userMetadata, null);
    }

    public ObjectMetadata(Map<String, String> systemMetadata, Map<String, String> userMetadata, Acl acl) {
        this(systemMetadata, userMetadata, acl, Map.of());
    }
}
