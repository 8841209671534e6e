package io.seabed.nfs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.dcache.oncrpc4j.rpc.OncRpcProgram;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.rpc.RpcDispatcher;
import org.dcache.oncrpc4j.rpc.RpcMessageParserTCP;
import org.dcache.oncrpc4j.rpc.RpcMessageParserUDP;
import org.dcache.oncrpc4j.rpc.RpcProtocolFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.nio.transport.UDPNIOTransport;
import org.glassfish.grizzly.nio.transport.UDPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NFS front: NFSv3 (program 100003) and MOUNT v3 (100005) on one TCP port, so a client pointed at it needs no
 * portmapper. oncrpc4j parses records and RPC headers and answers RPC-level errors; our own Grizzly filter in front
 * of it caps record sizes and connections, and procedures run on a bounded pool whose overflow is dropped (and
 * counted) as an NFS server does under load: the client retransmits. A read-only portmapper on a port of its own
 * answers for clients that ask for the ports ({@link PortmapProgram}), when configured.
 */
public final class NfsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NfsServer.class);
    static final int NFS_PROGRAM = 100003;
    static final int MOUNT_PROGRAM = 100005;

    private static final int PORTMAP_RECORD_BYTES = 64 * 1024;
    private static final int PORTMAP_CONNECTIONS = 256;

    private final TCPNIOTransport transport;
    private final TCPNIOTransport portmap;
    private final UDPNIOTransport portmapUdp;
    private final ReadAhead readAhead;
    private final int portmapPort;
    private final ThreadPoolExecutor workers;
    private final WriteGather gather;
    private final ReplyQueue replyQueue;
    private final Nfs3Program nfs;
    private final RecordLimitFilter limits;
    private final AtomicLong dropped;
    private final int port;

    private NfsServer(
            TCPNIOTransport transport,
            TCPNIOTransport portmap,
            UDPNIOTransport portmapUdp,
            ReadAhead readAhead,
            ThreadPoolExecutor workers,
            WriteGather gather,
            ReplyQueue replyQueue,
            Nfs3Program nfs,
            RecordLimitFilter limits,
            AtomicLong dropped,
            int port,
            int portmapPort) {
        this.transport = transport;
        this.portmap = portmap;
        this.portmapUdp = portmapUdp;
        this.readAhead = readAhead;
        this.portmapPort = portmapPort;
        this.workers = workers;
        this.gather = gather;
        this.replyQueue = replyQueue;
        this.nfs = nfs;
        this.limits = limits;
        this.dropped = dropped;
        this.port = port;
    }

    /** Binds and starts serving; {@code handleKey} signs file handles and must be the same on every gateway. */
    public static NfsServer start(NfsConfig config, FileSystems fileSystems, Exports exports, byte[] handleKey)
            throws IOException {
        Handles handles = new Handles(handleKey);
        WriteGather gather = new WriteGather(config.gatherBytesPerFile(), config.gatherBytesTotal());
        Calls calls = new Calls(fileSystems, exports, handles, gather);
        byte[] verifier = new byte[8];
        new SecureRandom().nextBytes(verifier);
        ReadAhead readAhead = new ReadAhead();
        Nfs3Program nfs = new Nfs3Program(calls, gather, new ReplyCache(), readAhead, verifier);
        MountProgram mount = new MountProgram(fileSystems, exports, handles);

        AtomicLong dropped = new AtomicLong();
        AtomicInteger threadIds = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(
                config.workerThreads(),
                config.workerThreads(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.queueMax()),
                r -> {
                    Thread t = new Thread(r, "nfs-" + threadIds.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                (r, pool) -> dropped.incrementAndGet());
        workers.allowCoreThreadTimeOut(true);

        ReplyQueue replyQueue = new ReplyQueue();
        RecordLimitFilter limits = new RecordLimitFilter(config.maxRecordBytes(), config.maxConnections());
        Map<OncRpcProgram, RpcDispatchable> programs = Map.of(
                new OncRpcProgram(NFS_PROGRAM, 3), nfs,
                new OncRpcProgram(MOUNT_PROGRAM, 3), mount);
        TCPNIOTransport transport = transport(limits, replyQueue, workers, programs);
        TCPNIOTransport portmap = null;
        UDPNIOTransport portmapUdp = null;
        try {
            TCPNIOServerConnection bound = bind(transport, config.host(), config.port(), "NFS");
            transport.start();
            int port = ((InetSocketAddress) bound.getLocalAddress()).getPort();
            int portmapPort = -1;
            if (config.portmapPort() >= 0) {
                Map<OncRpcProgram, RpcDispatchable> portmapPrograms = Map.of(
                        new OncRpcProgram(PortmapProgram.PROGRAM, PortmapProgram.VERSION), new PortmapProgram(port));
                portmap = transport(
                        new RecordLimitFilter(PORTMAP_RECORD_BYTES, PORTMAP_CONNECTIONS),
                        replyQueue,
                        workers,
                        portmapPrograms);
                TCPNIOServerConnection pm = bind(portmap, config.host(), config.portmapPort(), "the portmapper");
                portmap.start();
                portmapPort = ((InetSocketAddress) pm.getLocalAddress()).getPort();
                // Over UDP too, on the same port: rpcinfo, showmount and mount.nfs ask the portmapper over UDP.
                portmapUdp = UDPNIOTransportBuilder.newInstance()
                        .setReuseAddress(true)
                        .setIOStrategy(SameThreadIOStrategy.getInstance())
                        .build();
                portmapUdp.setProcessor(FilterChainBuilder.stateless()
                        .add(new TransportFilter())
                        .add(new RpcMessageParserUDP())
                        .add(new RpcProtocolFilter(replyQueue))
                        .add(new RpcDispatcher(workers, portmapPrograms, false, call -> {}))
                        .build());
                try {
                    portmapUdp.bind(config.host(), portmapPort);
                } catch (IOException e) {
                    throw new IOException(
                            "the portmapper cannot listen on UDP " + config.host() + ":" + portmapPort + ": "
                                    + e.getMessage(),
                            e);
                }
                portmapUdp.start();
                LOG.info("portmapper listening on {}:{}", config.host(), portmapPort);
            }
            NfsServer server = new NfsServer(
                    transport,
                    portmap,
                    portmapUdp,
                    readAhead,
                    workers,
                    gather,
                    replyQueue,
                    nfs,
                    limits,
                    dropped,
                    port,
                    portmapPort);
            LOG.info("NFS front listening on {}:{}", config.host(), port);
            return server;
        } catch (IOException | RuntimeException e) {
            for (org.glassfish.grizzly.Transport t :
                    new org.glassfish.grizzly.Transport[] {transport, portmap, portmapUdp}) {
                if (t == null) continue;
                try {
                    t.shutdownNow();
                } catch (IOException ex) {
                    e.addSuppressed(ex);
                }
            }
            workers.shutdownNow();
            throw e;
        }
    }

    private static TCPNIOServerConnection bind(TCPNIOTransport transport, String host, int port, String what)
            throws IOException {
        try {
            return transport.bind(host, port);
        } catch (IOException e) {
            throw new IOException(what + " cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** A TCP transport whose filter chain is: our limits, oncrpc4j's record parser and RPC layer, the programs. */
    private static TCPNIOTransport transport(
            RecordLimitFilter limits,
            ReplyQueue replyQueue,
            ThreadPoolExecutor workers,
            Map<OncRpcProgram, RpcDispatchable> programs) {
        TCPNIOTransport transport = TCPNIOTransportBuilder.newInstance()
                .setReuseAddress(true)
                .setTcpNoDelay(true)
                .setIOStrategy(SameThreadIOStrategy.getInstance())
                .build();
        transport.setProcessor(FilterChainBuilder.stateless()
                .add(new TransportFilter())
                .add(limits)
                .add(new RpcMessageParserTCP())
                .add(new RpcProtocolFilter(replyQueue))
                .add(new RpcDispatcher(workers, programs, false, call -> {}))
                .build());
        return transport;
    }

    /** The portmapper's port, or -1 when none runs. */
    public int portmapPort() {
        return portmapPort;
    }

    public int port() {
        return port;
    }

    /** Calls dropped because every worker was busy and the queue full (clients retransmit them). */
    public long droppedCalls() {
        return dropped.get();
    }

    /** Connections closed for too many connections or an oversized record. */
    public long refusedConnections() {
        return limits.refused.get();
    }

    /** Procedures that failed unexpectedly (answered NFS3ERR_SERVERFAULT and logged). */
    public long serverFaults() {
        return nfs.serverFaults.get();
    }

    /**
     * Stops accepting calls, lets running ones finish (up to 10 s), and writes the UNSTABLE bytes still gathered:
     * a clean stop loses nothing a client sent, though a client that did not COMMIT resends them anyway when it
     * sees the new verifier.
     */
    @Override
    public void close() {
        for (org.glassfish.grizzly.Transport t : new org.glassfish.grizzly.Transport[] {portmap, portmapUdp}) {
            if (t == null) continue;
            try {
                t.shutdownNow();
            } catch (IOException e) {
                LOG.warn("portmapper shutdown: {}", e.toString());
            }
        }
        try {
            transport.shutdown(5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("NFS transport did not stop cleanly: {}", e.toString());
            try {
                transport.shutdownNow();
            } catch (IOException ex) {
                LOG.warn("NFS transport shutdown: {}", ex.toString());
            }
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) workers.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        readAhead.close();
        int failed = gather.flushAll();
        if (failed > 0) LOG.warn("NFS front stopped with gathered writes of {} files not written", failed);
        replyQueue.shutdown();
    }
}
