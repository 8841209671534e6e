package io.seabed.namespace;

/** An uploaded part; {@code checksum} is the additional checksum its upload carried, or null. */
public record PartInfo(int partNumber, long sizeBytes, String etag, long lastModifiedMillis, ObjectChecksum checksum) {}
