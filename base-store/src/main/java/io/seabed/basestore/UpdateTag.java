package io.seabed.basestore;

/**
 * Who made a chunk update: the writing client, its channel and the channel's sequence number. A
 * replica keeps the tag of its committed and of its pending version, so a retried update (same tag)
 * is recognised and applied once. {@link #NONE} marks updates without a client (sync, tests).
 */
public record UpdateTag(long clientId, int channel, long seq) {
    public static final UpdateTag NONE = new UpdateTag(0, 0, 0);

    public boolean isNone() {
        return clientId == 0 && channel == 0 && seq == 0;
    }
}
