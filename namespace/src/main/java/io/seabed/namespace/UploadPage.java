package io.seabed.namespace;

import java.util.List;

/**
 * One page of ListMultipartUploads, in order of key then upload id.
 *
 * @param nextKeyMarker the last key or common prefix on the page (null when the page is empty)
 * @param nextUploadIdMarker the upload id of the last upload on the page, or null when it ended on a prefix
 */
public record UploadPage(
        List<UploadInfo> uploads,
        List<String> commonPrefixes,
        boolean truncated,
        String nextKeyMarker,
        String nextUploadIdMarker) {}
