package io.seabed.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@code seabed bench} with its usage and error text discarded; returns the exit code. */
final class QuietCli {
    private QuietCli() {}

    static int run(String... args) {
        CommandLine commandLine = BenchMain.commandLine();
        commandLine.setErr(new PrintWriter(new StringWriter()));
        commandLine.setOut(new PrintWriter(new StringWriter()));
        return commandLine.execute(args);
    }
}
