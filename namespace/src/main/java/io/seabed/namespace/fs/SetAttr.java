package io.seabed.namespace.fs;

/**
 * The attributes a SETATTR changes; null fields stay as they are. A time of {@link #SERVER_TIME} is set to the
 * server's clock.
 */
public record SetAttr(Integer mode, Integer uid, Integer gid, Long size, Long atimeNanos, Long mtimeNanos) {
    public static final long SERVER_TIME = Long.MIN_VALUE;

    public static final SetAttr NONE = new SetAttr(null, null, null, null, null, null);
}
