package io.seabed.metakv;

import java.util.List;

/**
 * One attempt of a transaction: reads see the state the attempt started from plus the attempt's own
 * writes. Reads are recorded (keys, and scanned ranges up to the last key returned when a limit cut
 * the scan) and checked for conflicts at commit. Blind operations ({@link #add}, {@link #max},
 * {@link #putIfAbsent}) are applied at commit against the then-current value and never conflict.
 *
 * <p>Not thread safe: used only by the thread running the transaction function.
 */
public interface Txn {
    byte[] get(byte[] key);

    List<byte[]> multiGet(List<byte[]> keys);

    /** As {@link MetaKv#scan}, recorded as a range read. */
    List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse);

    void put(byte[] key, byte[] value);

    void delete(byte[] key);

    /** Deletes every key in {@code [from, to)} at commit (a blind range delete). */
    void deleteRange(byte[] from, byte[] to);

    void add(byte[] key, long delta);

    void max(byte[] key, long value);

    void putIfAbsent(byte[] key, byte[] value);
}
