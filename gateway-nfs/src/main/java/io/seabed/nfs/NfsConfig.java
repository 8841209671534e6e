package io.seabed.nfs;

/**
 * Where the NFS front listens and its limits.
 *
 * @param port 0 for an ephemeral port
 * @param workerThreads threads running procedures (each may block on metadata and storage)
 * @param queueMax calls waiting for a worker; more are dropped (the client retransmits) and counted
 * @param maxRecordBytes the largest RPC record accepted; a connection announcing more is closed
 * @param maxConnections connections served at once; more are closed at accept
 * @param gatherBytesPerFile UNSTABLE write bytes held for one file before they are written
 * @param gatherBytesTotal UNSTABLE write bytes held in all before writes go through at once
 * @param portmapPort where a read-only portmapper answers (111 is the standard port; 0 ephemeral; -1: none)
 */
public record NfsConfig(
        String host,
        int port,
        int workerThreads,
        int queueMax,
        int maxRecordBytes,
        int maxConnections,
        int gatherBytesPerFile,
        long gatherBytesTotal,
        int portmapPort) {
    /** READ and WRITE sizes offered to clients (FSINFO). */
    public static final int IO_BYTES = 1 << 20;

    public NfsConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port);
        if (portmapPort < -1 || portmapPort > 65535) throw new IllegalArgumentException("portmap port " + portmapPort);
        if (workerThreads < 1 || queueMax < 1 || maxConnections < 1)
            throw new IllegalArgumentException("workerThreads, queueMax and maxConnections must be positive");
        if (maxRecordBytes < IO_BYTES + 4096)
            throw new IllegalArgumentException("maxRecordBytes " + maxRecordBytes + " < a full WRITE");
        if (gatherBytesPerFile < IO_BYTES || gatherBytesTotal < gatherBytesPerFile)
            throw new IllegalArgumentException("gather bounds too small");
    }

    /** The same with a portmapper on {@code portmapPort} (-1: none). */
    public NfsConfig withPortmap(int portmapPort) {
        return new NfsConfig(
                host,
                port,
                workerThreads,
                queueMax,
                maxRecordBytes,
                maxConnections,
                gatherBytesPerFile,
                gatherBytesTotal,
                portmapPort);
    }

    public static NfsConfig defaults(String host, int port) {
        return new NfsConfig(host, port, 32, 1024, IO_BYTES + 64 * 1024, 1024, 32 << 20, 256L << 20, -1);
    }
}
