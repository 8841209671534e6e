package io.seabed.namespace;

import java.util.Map;

/** Metadata given with a write: standard headers (lowercase names) and user metadata. */
public record ObjectMetadata(Map<String, String> systemMetadata, Map<String, String> userMetadata) {
    public static final ObjectMetadata EMPTY = new ObjectMetadata(Map.of(), Map.of());
}
