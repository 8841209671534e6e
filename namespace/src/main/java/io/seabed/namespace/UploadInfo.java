package io.seabed.namespace;

/** A multipart upload in progress, as listings show it. */
public record UploadInfo(String key, String uploadId, String initiatorUserId, long initiatedMillis) {}
