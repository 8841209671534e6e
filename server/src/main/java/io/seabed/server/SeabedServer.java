package io.seabed.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.seabed.basestore.chain.EmbeddedStorage;
import io.seabed.basestore.chain.RoutingTable;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.basestore.meta.RpcMetaKvLink;
import io.seabed.basestore.rpc.RpcServer;
import io.seabed.metakv.MetaKv;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import io.seabed.metakv.RemoteMetaKv;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.tenant.SecretSealer;
import io.seabed.namespace.tenant.Tenants;
import io.seabed.nfs.ExportOptions;
import io.seabed.nfs.NfsConfig;
import io.seabed.nfs.NfsServer;
import io.seabed.s3.S3Config;
import io.seabed.s3.S3Server;
import io.seabed.s3.auth.AuthLimits;
import io.seabed.s3.auth.SigV4Verifier;
import io.seabed.server.admin.AdminApi;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The all-in-one process: builds the object graph (meta-kv, storage targets, namespace, S3 front,
 * console) and closes it in reverse order, so everything acknowledged is durable when it returns.
 */
public final class SeabedServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SeabedServer.class);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Namespace namespace;
    private int s3Port;
    private int consolePort;
    private int nfsPort;
    private boolean closed;

    private SeabedServer() {}

    private void boot(ServerConfig config, PrintStream out) throws IOException {
        Path data = config.data().toAbsolutePath();
        Files.createDirectories(data);
        lockDataDirectory(data);
        InstantSource clock = InstantSource.system();
        RaftMetaKv local =
                config.meta().isEmpty() ? RaftMetaKv.open(MetaKvConfig.defaults(data.resolve("meta")), clock) : null;
        MetaKv kv = local != null
                ? local
                : new RemoteMetaKv(
                        new RpcMetaKvLink(config.meta().stream()
                                .map(m -> m.host() + ":" + m.port())
                                .toList()),
                        MetaKvConfig.RETRIES_MAX_DEFAULT,
                        MetaKvConfig.COMMIT_TIMEOUT_MILLIS_DEFAULT,
                        clock);
        closeables.add(kv);
        EmbeddedStorage storage = !config.managers().isEmpty()
                ? EmbeddedStorage.external(
                        data.resolve("targets"),
                        config.managers().stream()
                                .map(m -> new RoutingTable.Node(0, m.host(), m.port()))
                                .toList(),
                        new RpcServer.Config(
                                config.metaRpc().host(), config.metaRpc().port(), 1, 72L << 20, 256L << 20, 64, 30_000),
                        kv)
                : config.storageNodes() > 0
                        ? EmbeddedStorage.remote(
                                data.resolve("targets"),
                                config.manager().host(),
                                config.manager().port(),
                                config.storageNodes(),
                                config.replicas(),
                                kv)
                        : EmbeddedStorage.open(
                                data.resolve("targets"),
                                config.targets(),
                                config.replicas(),
                                ChunkEngineConfig.DEFAULTS,
                                kv);
        closeables.add(storage);
        var store = storage.client();
        NamespaceConfig nsConfig = NamespaceConfig.defaults()
                .withInlineBytesMax(config.inlineBytes())
                .withGarbageDelayMillis(config.gcDelayMillis());
        namespace = new Namespace(kv, store, SecretSealer.fromKeyFile(data.resolve("master.key")), nsConfig, clock);
        closeables.add(namespace);
        namespace.reportSpaceOf(data);
        namespace.start();
        Tenants.RootUser root = namespace.tenants().ensureRoot(config.accessKey(), config.secretKey());
        if (root.generated()) {
            writeCredentials(data.resolve("root-credentials"), root);
            out.println("root access key: " + root.user().accessKey());
            out.println("root secret key: " + root.user().secretKey());
            out.println("(stored in " + data.resolve("root-credentials")
                    + "; set SEABED_ACCESS_KEY/SEABED_SECRET_KEY to choose them)");
        }
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new StoreMetrics(storage).bindTo(metrics);
        if (local != null) bindMetaKvMetrics(local, metrics);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        closeables.add(
                () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        StringBuilder ready = new StringBuilder("seabed ready:");
        if (config.s3() != null) {
            S3Server s3 = new S3Server(
                    vertx,
                    namespace,
                    S3Config.defaults().withDomains(config.domains()).withBucketModeDefault(config.bucketMode()),
                    metrics,
                    clock);
            closeables.add(s3);
            s3Port = s3.listen(config.s3().host(), config.s3().port());
            ready.append(" s3=").append(new HostPort(config.s3().host(), s3Port).url());
        }
        SigV4Verifier adminVerifier = new SigV4Verifier(
                accessKey -> {
                    var user = namespace.user(accessKey);
                    return user == null ? null : user.secretKey();
                },
                AuthLimits.DEFAULTS,
                S3Config.defaults().region());
        AdminApi admin = new AdminApi(namespace, adminVerifier, clock);
        closeables.add(admin);
        if (config.console() != null) {
            ConsoleServer console = new ConsoleServer(vertx, metrics, admin);
            closeables.add(console);
            consolePort =
                    console.listen(config.console().host(), config.console().port());
            ready.append(" console=").append(new HostPort(config.console().host(), consolePort).url());
        }
        if (config.nfs() != null) {
            NfsServer nfs = startNfs(config);
            closeables.add(nfs);
            nfsPort = nfs.port();
            ready.append(" nfs=").append(config.nfs().host()).append(':').append(nfsPort);
            if (nfs.portmapPort() >= 0) ready.append(" portmap=").append(nfs.portmapPort());
            bindNfsMetrics(nfs, metrics);
        }
        out.println(ready.append(" data=").append(data));
        out.flush();
    }

    /**
     * The NFS front over the hierarchical buckets, with handles keyed by the cluster's key; port 2049 falls back to
     * {@link ServerConfig#NFS_FALLBACK_PORT} when it cannot be bound.
     */
    private NfsServer startNfs(ServerConfig config) throws IOException {
        ExportOptions defaults;
        try {
            defaults = ExportOptions.parse(config.nfsExports());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("--nfs-exports " + config.nfsExports() + ": " + e.getMessage(), e);
        }
        BucketExports exports = new BucketExports(namespace, defaults);
        byte[] handleKey = namespace.nfsHandleKey();
        HostPort at = config.nfs();
        try {
            return NfsServer.start(
                    NfsConfig.defaults(at.host(), at.port()).withPortmap(config.nfsPortmap()),
                    exports,
                    exports,
                    handleKey);
        } catch (IOException e) {
            if (at.port() != ServerConfig.NFS_PORT) throw e;
            LOG.warn(
                    "NFS cannot listen on {}:{} ({}); listening on {} instead",
                    at.host(),
                    at.port(),
                    e.getMessage(),
                    ServerConfig.NFS_FALLBACK_PORT);
            return NfsServer.start(
                    NfsConfig.defaults(at.host(), ServerConfig.NFS_FALLBACK_PORT)
                            .withPortmap(config.nfsPortmap()),
                    exports,
                    exports,
                    handleKey);
        }
    }

    /** Group commit counters of the meta-kv in this process (a remote group's are in its members' logs). */
    private static void bindNfsMetrics(NfsServer nfs, PrometheusMeterRegistry metrics) {
        FunctionCounter.builder("seabed.nfs.calls.dropped", nfs, NfsServer::droppedCalls)
                .description("NFS calls dropped because every worker was busy and the queue full (clients retransmit)")
                .register(metrics);
        FunctionCounter.builder("seabed.nfs.connections.refused", nfs, NfsServer::refusedConnections)
                .description("NFS connections closed for too many connections or an oversized record")
                .register(metrics);
        FunctionCounter.builder("seabed.nfs.server.faults", nfs, NfsServer::serverFaults)
                .description("NFS procedures that failed unexpectedly (answered NFS3ERR_SERVERFAULT, logged)")
                .register(metrics);
    }

    private static void bindMetaKvMetrics(RaftMetaKv kv, PrometheusMeterRegistry metrics) {
        FunctionCounter.builder("seabed.metakv.log.entries", kv, k -> k.groupStats()[0])
                .description("meta-kv Raft log entries submitted (each carries one or more transactions)")
                .register(metrics);
        FunctionCounter.builder("seabed.metakv.transactions", kv, k -> k.groupStats()[1])
                .description("meta-kv write transactions submitted")
                .register(metrics);
        FunctionCounter.builder("seabed.metakv.log.entry.seconds", kv, k -> k.groupStats()[2] / 1e9)
                .description("meta-kv Raft log entries: time from submit to applied reply, summed")
                .register(metrics);
    }

    /** Starts every role; on failure closes what was started and rethrows. */
    public static SeabedServer start(ServerConfig config, PrintStream out) throws IOException {
        SeabedServer server = new SeabedServer();
        try {
            server.boot(config, out);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public Namespace namespace() {
        return namespace;
    }

    public int s3Port() {
        return s3Port;
    }

    public int consolePort() {
        return consolePort;
    }

    /** The port of the NFS front (0 when it is off). */
    public int nfsPort() {
        return nfsPort;
    }

    private void lockDataDirectory(Path data) throws IOException {
        FileChannel channel =
                FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another seabed process uses " + data);
        }
        closeables.add(channel);
    }

    private static void writeCredentials(Path file, Tenants.RootUser root) throws IOException {
        String text = "SEABED_ACCESS_KEY=" + root.user().accessKey() + "\nSEABED_SECRET_KEY="
                + root.user().secretKey() + "\n";
        Files.writeString(file, text);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            LOG.warn("{} could not be made private on this file system", file);
        }
    }

    /** Stops serving, then closes namespace, storage and metadata in that order (durable on return). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                LOG.error("closing {} failed", closeables.get(i), e);
            }
        }
    }
}
