package io.seabed.namespace;

/** A part named in CompleteMultipartUpload: its number and the ETag its upload returned (no quotes). */
public record UploadPart(int partNumber, String etag) {}
