package io.seabed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code seabed bench nfs} against no server: exit 1 with one line naming the problem, no stack trace. */
class NfsCommandTest {
    @Test
    void anUnreachableServerIsOneLineAndExitOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        CommandLine commandLine = BenchMain.commandLine();
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err));
        commandLine.setOut(new PrintWriter(new StringWriter()));
        int exit = commandLine.execute("nfs", "--server", "127.0.0.1:" + port, "--export", "/b", "--files", "1");
        assertEquals(1, exit, err.toString());
        String text = err.toString().strip();
        assertTrue(text.startsWith("seabed bench nfs: "), text);
        assertFalse(text.contains("\n"), text);
        assertFalse(text.contains("\tat "), text);
    }
}
