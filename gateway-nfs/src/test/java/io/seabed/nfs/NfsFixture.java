package io.seabed.nfs;

import io.seabed.basestore.chain.EmbeddedStorage;
import io.seabed.basestore.chunk.ChunkEngineConfig;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FsStat;
import io.seabed.namespace.fs.HierarchicalFs;
import io.seabed.nfs.client.NfsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hierarchical buckets over real meta-kv and real chains, served by a real {@link NfsServer} on a loopback port.
 * Buckets are exported with the options set in {@link #exports} (none: not exported).
 */
final class NfsFixture implements AutoCloseable {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

    final RaftMetaKv kv;
    final EmbeddedStorage storage;
    final Map<String, FileSystem> byName = new ConcurrentHashMap<>();
    final Map<Long, FileSystem> byId = new ConcurrentHashMap<>();
    final Map<String, ExportOptions> exports = new ConcurrentHashMap<>();
    final FileSystems fileSystems = new FileSystems() {
        @Override
        public FileSystem open(String bucketName) {
            return byName.get(bucketName);
        }

        @Override
        public FileSystem byId(long bucketId) {
            return byId.get(bucketId);
        }

        @Override
        public List<String> buckets() {
            return new ArrayList<>(byName.keySet());
        }
    };
    final Exports exportTable = exports::get;
    NfsServer server;

    NfsFixture(Path dir) throws IOException {
        kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")));
        storage = EmbeddedStorage.open(dir.resolve("targets"), 3, 2, ChunkEngineConfig.DEFAULTS, kv);
    }

    /** A new hierarchical bucket, its root owned by root with mode 0777 unless {@code rootOnly}. */
    FileSystem bucket(long id, String name, ExportOptions options) {
        kv.transact(txn -> {
            HierarchicalFs.createRoot(txn, id, 0, 0, System.currentTimeMillis() * 1_000_000);
            return null;
        });
        HierarchicalFs fs = new HierarchicalFs(
                kv,
                storage.client(),
                id,
                name,
                InstantSource.system(),
                () -> new FsStat(1L << 40, 1L << 39, 1L << 30, 1L << 29));
        byName.put(name, fs);
        byId.put(id, fs);
        if (options != null) exports.put(name, options);
        return fs;
    }

    NfsServer start() throws IOException {
        return start(NfsConfig.defaults("127.0.0.1", 0));
    }

    NfsServer start(NfsConfig config) throws IOException {
        server = NfsServer.start(config, fileSystems, exportTable, KEY);
        return server;
    }

    NfsClient client() throws IOException {
        return new NfsClient("127.0.0.1", server.port());
    }

    @Override
    public void close() {
        if (server != null) server.close();
        storage.close();
        kv.close();
    }
}
