package io.seabed.namespace.object;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.NamespaceConfig;
import java.time.InstantSource;

/** Wires the object operations of flat buckets together. */
public final class ObjectStore {
    private final ObjectWrites writes;
    private final ObjectReads reads;
    private final Listing listing;
    private final Multipart multipart;
    private final ObjectCopy copy;
    private final UploadListing uploadListing;
    private final ChunkBuffers buffers;

    public ObjectStore(MetaKv kv, BaseStoreClient store, NamespaceConfig config, InstantSource clock) {
        this.buffers = new ChunkBuffers(config.chunkBytes(), config.chunkBuffersMax());
        DataWriter data = new DataWriter(kv, store, config, buffers, clock);
        this.writes = new ObjectWrites(kv, config, data, clock);
        this.reads = new ObjectReads(kv, store, config);
        this.listing = new Listing(kv);
        this.multipart = new Multipart(kv, config, data, writes, clock);
        this.copy = new ObjectCopy(store, data, writes, multipart);
        this.uploadListing = new UploadListing(kv);
    }

    /** The chunk-sized buffers every write of this process shares (their count bounds write memory). */
    public ChunkBuffers buffers() {
        return buffers;
    }

    public UploadListing uploadListing() {
        return uploadListing;
    }

    public ObjectCopy copy() {
        return copy;
    }

    public ObjectWrites writes() {
        return writes;
    }

    public ObjectReads reads() {
        return reads;
    }

    public Listing listing() {
        return listing;
    }

    public Multipart multipart() {
        return multipart;
    }
}
