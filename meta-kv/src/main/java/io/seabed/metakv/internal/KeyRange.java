package io.seabed.metakv.internal;

/** Keys in {@code [from, to)}; a null {@code to} is unbounded. The arrays are not copied. */
record KeyRange(byte[] from, byte[] to) {
    boolean contains(byte[] key) {
        return Keys.inRange(key, from, to);
    }

    boolean overlaps(byte[] otherFrom, byte[] otherTo) {
        boolean startsBeforeOtherEnds = otherTo == null || Keys.compare(from, otherTo) < 0;
        boolean otherStartsBeforeEnd = to == null || Keys.compare(otherFrom, to) < 0;
        return startsBeforeOtherEnds && otherStartsBeforeEnd;
    }
}
