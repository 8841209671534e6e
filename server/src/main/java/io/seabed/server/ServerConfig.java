package io.seabed.server;

import io.seabed.namespace.Bucket;
import io.seabed.s3.S3Config;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code seabed server} was asked to run. Keys are null when generated or kept from before. {@code
 * managers} empty: the cluster manager runs in this process at {@code manager}; else the managers are
 * processes of their own at those addresses, and this process serves them meta-kv's manager records at
 * {@code metaRpc}. {@code meta} empty: meta-kv runs in this process (a Raft group of one); else the RPC addresses
 * of the members of a meta-kv group running as {@code seabed meta} processes, which this process uses remotely.
 * {@code bucketMode}: the mode of a bucket whose CreateBucket does not choose one. {@code s3}, {@code console} and
 * {@code nfs} null: that front is not started ({@code seabed nfs} runs the NFS front alone). {@code nfsExports}: the
 * export options of a bucket whose tenant chose none. {@code nfsPortmap}: the port of a read-only portmapper beside
 * the NFS front (111 is the standard one), or -1 for none.
 */
public record ServerConfig(
        Path data,
        HostPort s3,
        HostPort console,
        int targets,
        int replicas,
        int inlineBytes,
        long gcDelayMillis,
        String accessKey,
        String secretKey,
        List<String> domains,
        int storageNodes,
        HostPort manager,
        List<HostPort> managers,
        HostPort metaRpc,
        List<HostPort> meta,
        Bucket.Mode bucketMode,
        HostPort nfs,
        String nfsExports,
        int nfsPortmap) {
    /** The NFS port; when it cannot be bound (not root, or taken) the front falls back to {@link #NFS_FALLBACK_PORT}. */
    public static final int NFS_PORT = 2049;

    public static final int NFS_FALLBACK_PORT = 12049;

    public static final String NFS_EXPORTS_DEFAULT = "rw,root_squash";

    public ServerConfig {
        java.util.Objects.requireNonNull(nfsExports, "nfsExports");
        if (nfsPortmap < -1 || nfsPortmap > 65535) throw new IllegalArgumentException("--nfs-portmap " + nfsPortmap);
        java.util.Objects.requireNonNull(bucketMode, "bucketMode");
        meta = List.copyOf(meta);
        if (!managers.isEmpty() && storageNodes == 0)
            throw new IllegalArgumentException("--managers needs --storage-nodes > 0 (storage nodes report to them)");
        managers = List.copyOf(managers);
        if (storageNodes < 0) throw new IllegalArgumentException("--storage-nodes " + storageNodes + " < 0");
        if (storageNodes > 0 && replicas > storageNodes)
            throw new IllegalArgumentException("--replicas " + replicas + " > --storage-nodes " + storageNodes);
        if (targets < 1) throw new IllegalArgumentException("--targets " + targets + " < 1");
        if (storageNodes == 0 && (replicas < 1 || replicas > targets))
            throw new IllegalArgumentException("--replicas " + replicas + " outside [1, targets=" + targets + "]");
        if ((accessKey == null) != (secretKey == null))
            throw new IllegalArgumentException("set both SEABED_ACCESS_KEY and SEABED_SECRET_KEY, or neither");
        domains = List.copyOf(domains);
    }

    /** Embedded defaults on {@code data}, listening on ephemeral loopback ports (for tests). */
    public static ServerConfig ephemeral(Path data, String accessKey, String secretKey) {
        return new ServerConfig(
                data,
                new HostPort("127.0.0.1", 0),
                new HostPort("127.0.0.1", 0),
                4,
                3,
                4096,
                0,
                accessKey,
                secretKey,
                S3Config.DOMAINS_DEFAULT,
                0,
                new HostPort("127.0.0.1", 0),
                List.of(),
                new HostPort("127.0.0.1", 0),
                List.of(),
                Bucket.Mode.FLAT,
                new HostPort("127.0.0.1", 0),
                NFS_EXPORTS_DEFAULT,
                -1);
    }
}
