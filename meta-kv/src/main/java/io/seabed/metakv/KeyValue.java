package io.seabed.metakv;

/** One entry of a scan. The arrays belong to the caller. */
public record KeyValue(byte[] key, byte[] value) {}
