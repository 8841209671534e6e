package io.seabed.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code seabed} command. */
@Command(
        name = "seabed",
        mixinStandardHelpOptions = true,
        version = "seabed 0.1.0",
        description = "One storage base behind an S3 front, an NFS front and a web console.",
        subcommands = {
            ServerCommand.class,
            NfsCommand.class,
            StorageCommand.class,
            ManagerCommand.class,
            MetaCommand.class,
            ClusterCommand.class,
            AdminCommand.class,
            VerifyCommand.class
        })
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
        if (code != 0 || args.length == 0 || !(args[0].equals("server") || args[0].equals("storage")))
            System.exit(code);
    }
}
