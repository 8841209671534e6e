package io.seabed.server;

import io.seabed.basestore.chain.ChainVerifier;
import io.seabed.basestore.chain.EmbeddedStorage;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.manager.ManagerRouting;
import io.seabed.basestore.rpc.RpcException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code seabed verify}: checks that every serving replica of every chunk of a running server holds the
 * same committed version with the same bytes, chain by chain, with progress on stderr. Exit 0 when all
 * agree, 1 when some differ (listed), 2 when it could not check.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Verify that all serving replicas of every chunk hold identical committed bytes (by"
                + " their block checksums). Asks the manager of the running server whose data directory is DIR.")
final class VerifyCommand implements Callable<Integer> {
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;

    @Option(
            names = "--data",
            description = "The server's data directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "./data")
    Path data;

    @Option(
            names = "--list-max",
            description = "Mismatches listed at most (default: ${DEFAULT-VALUE}).",
            defaultValue = "100")
    int listMax;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path managerFile = data.resolve("targets").resolve(EmbeddedStorage.MANAGER_FILE);
        RoutingTable table;
        try {
            List<RoutingTable.Node> managers = new java.util.ArrayList<>();
            for (String address : Files.readString(managerFile).trim().split(",")) {
                HostPort hp = HostPort.parse(address);
                managers.add(new RoutingTable.Node(0, hp.host(), hp.port()));
            }
            try (ManagerRouting routing = new ManagerRouting(managers, 2_000, 5_000)) {
                table = routing.current();
            }
        } catch (IOException | RuntimeException e) {
            err.println("seabed verify: cannot get the chain layout from the manager named in " + managerFile + ": "
                    + e.getMessage() + " (is the server running?)");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
        boolean tty = System.console() != null;
        long[] lastPrint = {System.nanoTime()};
        ChainVerifier.Report report;
        long start = System.nanoTime();
        try (ChainVerifier verifier = new ChainVerifier()) {
            report = verifier.verify(table, listMax, checked -> {
                long now = System.nanoTime();
                if (now - lastPrint[0] < PROGRESS_EVERY_NANOS) return;
                lastPrint[0] = now;
                err.print((tty ? "\r" : "") + "verify: " + checked + " chunks checked" + (tty ? "" : "\n"));
                err.flush();
            });
        } catch (RpcException e) {
            if (tty) err.println();
            err.println("seabed verify: " + e.getMessage() + " (is the server running?)");
            return 2;
        }
        if (tty) err.println();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                "verify: %d chunks on %d chains in %.1f s: %s%s%n",
                report.chunks(),
                report.chains(),
                seconds,
                report.identical()
                        ? "all serving replicas identical"
                        : report.mismatches().size() + " differ",
                report.inFlight() > 0 ? " (" + report.inFlight() + " being written, not compared)" : "");
        for (ChainVerifier.Mismatch m : report.mismatches())
            out.println("  chain " + m.chainId() + " chunk " + m.chunk() + ": " + m.replicas());
        out.flush();
        return report.identical() ? 0 : 1;
    }
}
