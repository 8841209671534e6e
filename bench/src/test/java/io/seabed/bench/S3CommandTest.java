package io.seabed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Bad arguments exit with 2 before anything is sent; none of these reach the network. */
class S3CommandTest {
    private static int run(String... args) {
        return QuietCli.run(args);
    }

    private static final String[] KEYS = {"--access-key", "a", "--secret-key", "b"};

    private static String[] with(String... args) {
        String[] all = new String[1 + KEYS.length + args.length];
        all[0] = "s3";
        System.arraycopy(KEYS, 0, all, 1, KEYS.length);
        System.arraycopy(args, 0, all, 1 + KEYS.length, args.length);
        return all;
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertEquals(2, run(with("--size", "4XB")));
        assertEquals(2, run(with("--size", "2GiB")));
        assertEquals(2, run(with("--duration", "soon")));
        assertEquals(2, run(with("--duration", "0s")));
        assertEquals(2, run(with("--op", "copy")));
        assertEquals(2, run(with("--op", "get", "--mix", "get=1")));
        assertEquals(2, run(with("--op", "mixed", "--mix", "get=0")));
        assertEquals(2, run(with("--concurrency", "0")));
        assertEquals(2, run(with("--bucket", "Bad_Bucket")));
        assertEquals(2, run(with("--endpoint", "https://127.0.0.1:9000")));
        assertEquals(2, run(with("--endpoint", "http://127.0.0.1:9000/path")));
        assertEquals(2, run(with("--signed-payload", "--unsigned-payload")));
        assertEquals(2, run(with("--no-such-option")));
    }

    @Test
    void helpExitsWithZero() {
        assertEquals(0, run("s3", "--help"));
    }
}
