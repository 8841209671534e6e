package io.seabed.metakv.internal;

/**
 * Where a transaction attempt reads committed data: this node's RocksDB at a snapshot ({@link LocalView}),
 * or a group's leader over the network ({@link RemoteView}).
 *
 * <p>Not thread safe: one attempt's thread.
 */
interface BaseView {
    /** The committed value of {@code key}, or null. */
    byte[] get(byte[] key);

    /** The committed entries of {@code [from, to)} in key order, or reverse; close it. */
    Cursor cursor(byte[] from, byte[] to, boolean reverse);

    /** Moves over a range's entries. */
    interface Cursor extends AutoCloseable {
        /** Moves to the next entry; false at the end of the range. */
        boolean next();

        byte[] key();

        byte[] value();

        @Override
        void close();
    }
}
