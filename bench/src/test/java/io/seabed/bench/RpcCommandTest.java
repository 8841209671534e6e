package io.seabed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code seabed bench rpc}: bad arguments exit with 2; a short run of both phases completes and exits with 0. */
class RpcCommandTest {
    private static int run(String... args) {
        return QuietCli.run(args);
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertEquals(2, run("rpc", "--size", "65MiB"));
        assertEquals(2, run("rpc", "--connections", "0"));
        assertEquals(2, run("rpc", "--depth", "0"));
        assertEquals(2, run("rpc", "--duration", "soon"));
    }

    @Test
    void aShortRunCompletes() {
        assertEquals(0, run("rpc", "--size", "1KiB", "--depth", "4", "--duration", "300ms", "--warmup", "100ms"));
    }
}
