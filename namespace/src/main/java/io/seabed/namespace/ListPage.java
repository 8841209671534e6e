package io.seabed.namespace;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param last the greatest key or common prefix on this page (where the next page starts after)
 */
public record ListPage(List<ObjectInfo> objects, List<String> commonPrefixes, boolean truncated, String last) {}
