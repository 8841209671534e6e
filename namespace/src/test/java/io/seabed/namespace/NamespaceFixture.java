package io.seabed.namespace;

import io.seabed.basestore.BaseStoreConfig;
import io.seabed.basestore.LocalBaseStoreClient;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.RaftMetaKv;
import io.seabed.namespace.tenant.SecretSealer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A namespace over real meta-kv and a real local store in a temp directory, with a clock tests move. */
final class NamespaceFixture implements AutoCloseable {
    final AtomicLong nowMillis = new AtomicLong(1_700_000_000_000L);
    final InstantSource clock = () -> Instant.ofEpochMilli(nowMillis.get());
    final RaftMetaKv kv;
    final LocalBaseStoreClient store;
    final Namespace ns;
    final User user;

    NamespaceFixture(Path dir, NamespaceConfig config) {
        kv = RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("meta")), clock);
        store = LocalBaseStoreClient.open(
                List.of(dir.resolve("t0"), dir.resolve("t1"), dir.resolve("t2"), dir.resolve("t3")),
                BaseStoreConfig.DEFAULTS);
        ns = new Namespace(kv, store, new SecretSealer(new byte[32]), config, clock);
        user = ns.tenants()
                .ensureRoot("AKTEST0000000000000", "secret-secret-secret")
                .user();
    }

    static NamespaceConfig smallChunks() {
        return new NamespaceConfig(4096, 64 * 1024, 8, 1L << 40, 100, 10_000, 1024, 2048, 1000, 60_000, 0, 1000);
    }

    @Override
    public void close() {
        ns.close();
        store.close();
        kv.close();
    }

    /** A body of given bytes that accepts any digest. */
    static BodySource body(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        return new BodySource() {
            @Override
            public int read(ByteBuffer output) {
                if (!b.hasRemaining()) return -1;
                int n = Math.min(output.remaining(), b.remaining());
                ByteBuffer slice = b.slice(b.position(), n);
                output.put(slice);
                b.position(b.position() + n);
                return n;
            }

            @Override
            public void verify(byte[] md5) {}
        };
    }

    byte[] read(Bucket bucket, String key) {
        var o = ns.openObject(bucket, key, true);
        ByteBuffer out = ByteBuffer.allocate((int) o.info().sizeBytes());
        ns.readObject(o, 0, o.info().sizeBytes(), data -> out.put(data));
        return out.array();
    }
}
