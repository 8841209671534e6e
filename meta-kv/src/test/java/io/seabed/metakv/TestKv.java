package io.seabed.metakv;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Shared helpers of the meta-kv tests. */
final class TestKv {
    private TestKv() {}

    static MetaKvConfig config(Path directory) {
        return new MetaKvConfig(directory, "127.0.0.1", 0, 30_000, 64, 1_000_000, 400_000);
    }

    /** For many writers on one key: a long commit timeout and retries enough to lose many rounds. */
    static MetaKvConfig contendedConfig(Path directory) {
        return new MetaKvConfig(directory, "127.0.0.1", 0, 120_000, 100_000, 1_000_000, 400_000);
    }

    static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static byte[] counter(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }

    static long counterOf(byte[] b) {
        return b == null ? 0 : java.nio.ByteBuffer.wrap(b).getLong();
    }
}
