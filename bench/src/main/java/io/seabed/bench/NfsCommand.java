package io.seabed.bench;

import io.seabed.nfs.client.NfsClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seabed bench nfs}: metadata and data load on one NFSv3 export through our own client (the same for any
 * server, so two servers measured with it compare): creates of many files in one directory, GETATTR and LOOKUP of
 * each, READDIRPLUS of the whole directory, same-directory and cross-directory renames, then a sequential write
 * (UNSTABLE + COMMIT) and read of one large file.
 */
@Command(
        name = "nfs",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Metadata ops/s and sequential MiB/s on one NFSv3 export; progress goes to stderr.")
final class NfsCommand implements Callable<Integer> {
    @Option(
            names = "--server",
            required = true,
            paramLabel = "HOST:NFSPORT[:MOUNTPORT]",
            description = "The server; MOUNT on NFSPORT unless given.")
    String server;

    @Option(names = "--export", required = true, description = "The export path to mount (e.g. /bucket).")
    String export;

    @Option(
            names = "--files",
            defaultValue = "10000",
            description = "Files created in one directory (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--threads", defaultValue = "8", description = "Clients in parallel (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--file-size",
            defaultValue = "1GiB",
            converter = S3Command.SizeConverter.class,
            description = "Size of the sequentially written and read file (default: ${DEFAULT-VALUE}).")
    long fileBytes;

    @Option(
            names = "--io-size",
            defaultValue = "1MiB",
            converter = S3Command.SizeConverter.class,
            description = "Bytes per READ and WRITE (default: ${DEFAULT-VALUE}).")
    long ioBytes;

    @Override
    public Integer call() throws Exception {
        String[] parts = server.split(":");
        if (parts.length < 2
                || parts.length > 3
                || files < 1
                || threads < 1
                || threads > 256
                || ioBytes < 1
                || ioBytes > (4 << 20)) {
            System.err.println("nfs: --server HOST:NFSPORT[:MOUNTPORT], --files >= 1, --threads in [1, 256],"
                    + " --io-size in [1, 4MiB]");
            return S3Command.EXIT_BAD_ARGUMENTS;
        }
        String host = parts[0];
        int nfsPort = Integer.parseInt(parts[1]);
        int mountPort = parts.length == 3 ? Integer.parseInt(parts[2]) : nfsPort;
        List<NfsClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int i = 0; i < threads; i++) clients.add(new NfsClient(host, nfsPort, mountPort));
            NfsClient first = clients.getFirst();
            byte[] root = first.mount(export);
            String run = "bench-" + System.currentTimeMillis();
            byte[] base = first.mkdir(root, run);
            byte[] dir = first.mkdir(base, "many");
            byte[] other = first.mkdir(base, "other");
            byte[][] handles = new byte[files][];
            System.out.printf(
                    "nfs bench: %s export %s, %,d files in one directory, %d clients, %s file in %s I/Os%n",
                    server, export, files, threads, ByteSize.format(fileBytes), ByteSize.format(ioBytes));
            report("create", files, phase(pool, clients, (c, i) -> handles[i] = c.create(dir, name(i))));
            report("getattr", files, phase(pool, clients, (c, i) -> c.getattr(handles[i])));
            report("lookup", files, phase(pool, clients, (c, i) -> c.lookup(dir, name(i))));
            long start = System.nanoTime();
            int listed = listAll(first, dir);
            double listSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "readdirplus: %,d entries in %.2f s = %,.0f entries/s%n",
                    listed, listSeconds, listed / listSeconds);
            report("rename same-dir", files, phase(pool, clients, (c, i) -> c.rename(dir, name(i), dir, "r" + i)));
            report("rename cross-dir", files, phase(pool, clients, (c, i) -> c.rename(dir, "r" + i, other, "r" + i)));
            sequential(first, base);
            return 0;
        } finally {
            pool.shutdownNow();
            for (NfsClient c : clients) c.close();
        }
    }

    private static String name(int i) {
        return String.format("file-%08d", i);
    }

    private interface Op {
        void run(NfsClient client, int index) throws Exception;
    }

    /** Runs {@code op} on every index, spread over the clients; returns the seconds it took. */
    private double phase(ExecutorService pool, List<NfsClient> clients, Op op) throws Exception {
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < clients.size(); t++) {
            int slot = t;
            NfsClient client = clients.get(t);
            futures.add(pool.submit(() -> {
                for (int i = slot; i < files; i += clients.size()) {
                    op.run(client, i);
                    long n = done.incrementAndGet();
                    if (n % Math.max(1, files / 10) == 0) System.err.printf("  %,d/%,d%n", n, files);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        return (System.nanoTime() - start) / 1e9;
    }

    private static void report(String what, long ops, double seconds) {
        System.out.printf("%s: %,d ops in %.2f s = %,.0f ops/s%n", what, ops, seconds, ops / seconds);
    }

    private static int listAll(NfsClient client, byte[] dir) throws Exception {
        int count = 0;
        long cookie = 0;
        byte[] verifier = new byte[8];
        while (true) {
            NfsClient.DirPage page = client.readdirplus(dir, cookie, verifier, 16 * 1024, 64 * 1024);
            for (String n : page.names()) if (!n.equals(".") && !n.equals("..")) count++;
            if (page.eof()) return count;
            cookie = page.lastCookie(cookie);
            verifier = page.verifier();
        }
    }

    private void sequential(NfsClient client, byte[] base) throws Exception {
        byte[] file = client.create(base, "big");
        ByteBuffer block = ByteBuffer.allocate((int) ioBytes);
        for (int i = 0; i < block.capacity(); i++) block.put(i, (byte) (i * 31 + 7));
        long start = System.nanoTime();
        long step = Math.max(ioBytes, fileBytes / 10);
        for (long at = 0; at < fileBytes; ) {
            int n = (int) Math.min(ioBytes, fileBytes - at);
            at += client.write(file, at, block.duplicate().limit(n), NfsClient.UNSTABLE)
                    .count();
            if (at % step < ioBytes) System.err.printf("  wrote %s%n", ByteSize.format(at));
        }
        client.commit(file);
        double writeSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "sequential write (UNSTABLE + COMMIT): %s in %.2f s = %.1f MiB/s%n",
                ByteSize.format(fileBytes), writeSeconds, fileBytes / writeSeconds / (1 << 20));
        start = System.nanoTime();
        long read = 0;
        ByteBuffer into = ByteBuffer.allocate((int) ioBytes);
        while (read < fileBytes) {
            into.clear();
            int n = client.read(file, read, into);
            if (n < 0) break;
            read += n;
        }
        double readSeconds = (System.nanoTime() - start) / 1e9;
        if (read != fileBytes) throw new IllegalStateException("read " + read + " of " + fileBytes + " bytes");
        System.out.printf(
                "sequential read: %s in %.2f s = %.1f MiB/s%n",
                ByteSize.format(read), readSeconds, read / readSeconds / (1 << 20));
    }
}
