package io.seabed.server;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT start an orderly stop that exits 0 (a JVM shutdown hook alone exits 143).
 * A second signal while stopping halts at once.
 */
final class Signals {
    private Signals() {}

    static void onTerminate(Runnable stop) {
        Thread stopper = Thread.ofPlatform().name("seabed-stop").unstarted(stop);
        SignalHandler handler = signal -> {
            if (stopper.getState() == Thread.State.NEW) stopper.start();
            else Runtime.getRuntime().halt(128 + signal.getNumber());
        };
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }
}
