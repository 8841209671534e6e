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
        return new CommandLine(new BenchMain()).setExecutionExceptionHandler((e, cl, parsed) -> {
            // One line, not a stack trace: a refused call or an unreachable server is the user's to fix.
            cl.getErr().println("seabed bench " + cl.getCommandName() + ": " + describe(e));
            cl.getErr().flush();
            return 1;
        });
    }

    /** The exception and its causes' messages, e.g. "connection refused (127.0.0.1:1)". */
    static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (out.indexOf(m) >= 0) continue;
            if (!out.isEmpty()) out.append(": ");
            out.append(m);
        }
        return out.toString();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
