package io.seabed.namespace.fs;

/**
 * One entry of a directory listing.
 *
 * @param cookie where a listing resumes after this entry; stays valid while the directory changes (it is derived
 *     from the name, not from a position)
 * @param attr the entry's attributes when the listing asked for them (READDIRPLUS), else null
 */
public record DirEntry(String name, long ino, FileType type, long cookie, Attr attr) {}
