package io.seabed.namespace;

/** An uploaded part. */
public record PartInfo(int partNumber, long sizeBytes, String etag, long lastModifiedMillis) {}
