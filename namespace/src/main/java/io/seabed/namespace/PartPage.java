package io.seabed.namespace;

import java.util.List;

/**
 * One page of ListParts, in part number order.
 *
 * @param nextPartNumberMarker the last part number on the page (0 when empty)
 */
public record PartPage(UploadInfo upload, List<PartInfo> parts, boolean truncated, int nextPartNumberMarker) {}
