package io.seabed.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code seabed bench}: load generators. JMH benchmarks run through {@code org.openjdk.jmh.Main}. */
@Command(
        name = "seabed bench",
        mixinStandardHelpOptions = true,
        version = "seabed bench 0.1.0",
        description = "Load generators for Seabed.",
        subcommands = {S3Command.class, RpcCommand.class, NfsCommand.class})
public final class BenchMain implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The command line, for tests: exit codes are 0 after a run (even with errors), 1 on failed setup, 2 on bad arguments. */
    static CommandLine commandLine() {
        return new CommandLine(new BenchMain());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
