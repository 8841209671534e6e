package io.seabed.s3;

import java.util.Map;

/**
 * The x-amz-copy-source header: "bucket/key" (a leading slash allowed), percent-encoded, with an
 * optional "?versionId=null" (the only version of an unversioned bucket).
 */
record CopySource(String bucket, String key) {
    static CopySource parse(String header) {
        String h = header.trim();
        int q = h.indexOf('?');
        if (q >= 0) {
            Map<String, String> query = S3Target.parseQuery(h.substring(q + 1));
            String versionId = query.get("versionId");
            if (versionId != null && !versionId.equals("null"))
                throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid version id specified");
            h = h.substring(0, q);
        }
        String path = S3Target.decode(h, false);
        if (path.startsWith("/")) path = path.substring(1);
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1)
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT,
                    "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        return new CopySource(path.substring(0, slash), path.substring(slash + 1));
    }
}
