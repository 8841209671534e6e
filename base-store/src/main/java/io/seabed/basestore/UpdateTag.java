package io.seabed.basestore;

/**
 * Who made a chunk update: the writing client, its channel and the channel's sequence number. A
 * replica keeps the tag of its pending version and the tags of the chunk's latest committed versions
 * with the version each made ({@code chunk.RecentTags}, at most {@code RECENT_TAGS_MAX}), so a retried
 * update (same tag) is recognised and applied once even after other writers' updates to the chunk; a
 * retry older than the kept tags applies again. {@link #NONE} marks updates without a client (sync,
 * tests); they leave no tag behind.
 */
public record UpdateTag(long clientId, int channel, long seq) {
    public static final UpdateTag NONE = new UpdateTag(0, 0, 0);

    public boolean isNone() {
        return clientId == 0 && channel == 0 && seq == 0;
    }
}
