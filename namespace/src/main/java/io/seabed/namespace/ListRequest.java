package io.seabed.namespace;

/**
 * A listing of a bucket's keys.
 *
 * @param prefix only keys starting with it ("" for all)
 * @param delimiter roll keys up to common prefixes at its first occurrence after the prefix (null: none)
 * @param after list keys (and common prefixes) strictly greater than this (null: from the start)
 * @param maxKeys at most this many keys plus common prefixes, 1..1000 (0 answers an empty page)
 */
public record ListRequest(String prefix, String delimiter, String after, int maxKeys) {}
