package io.seabed.namespace;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.chain.ChainClient;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.fs.FileSystem;
import io.seabed.namespace.fs.FsStat;
import io.seabed.namespace.fs.HierarchicalFs;
import io.seabed.namespace.fs.S3View;
import io.seabed.namespace.gc.GarbageCollector;
import io.seabed.namespace.object.Buckets;
import io.seabed.namespace.object.ObjectReads.OpenObject;
import io.seabed.namespace.object.ObjectStore;
import io.seabed.namespace.tenant.SecretSealer;
import io.seabed.namespace.tenant.Tenants;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The one model both fronts share (DESIGN §1): tenants, users, buckets, objects and uploads, with
 * the write protocol of DESIGN §3.3. Every method blocks (metadata and storage I/O): call it from a
 * worker thread, never from an event loop. Errors are {@link NamespaceException}s.
 */
public final class Namespace implements AutoCloseable {
    private final NamespaceConfig config;
    private final Tenants tenants;
    private final Buckets buckets;
    private final ObjectStore objects;
    private final GarbageCollector gc;
    private final MetaKv kv;
    private final BaseStoreClient store;
    private final InstantSource clock;
    /** The file systems of hierarchical buckets opened so far, by bucket id (each leases its own inode ids). */
    private final java.util.concurrent.ConcurrentHashMap<Long, HierarchicalFs> fileSystems =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The read-only file systems of flat buckets opened so far, by bucket id. */
    private final java.util.concurrent.ConcurrentHashMap<Long, FileSystem> flatViews =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The S3 views of hierarchical buckets opened so far, by bucket id. */
    private final java.util.concurrent.ConcurrentHashMap<Long, S3View> views =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Runs S3 PUTs of hierarchical buckets asked for on an event loop (they write chunks before they commit). */
    private final java.util.concurrent.ExecutorService blockingPuts =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("hierarchical-put-", 0).factory());

    /**
     * GET bodies: 256 KiB pieces (a quarter of the smallest G1 region, so no piece is a humongous object), 8 ahead
     * per GET (2 MiB), 32 MiB ahead over all GETs of this process.
     */
    private final ReadAhead readAhead = new ReadAhead(256 << 10, 8, 128);

    private volatile java.util.function.Supplier<FsStat> space = spaceOf(java.nio.file.Path.of("."));

    public Namespace(
            MetaKv kv, BaseStoreClient store, SecretSealer sealer, NamespaceConfig config, InstantSource clock) {
        this.config = config;
        this.tenants = new Tenants(kv, sealer, clock);
        this.buckets = new Buckets(kv, config, clock);
        this.objects = new ObjectStore(kv, store, config, clock);
        this.gc = new GarbageCollector(kv, store, clock, config.gcIntervalMillis());
        this.kv = kv;
        this.store = store;
        this.clock = clock;
    }

    /** FSSTAT of hierarchical buckets reports the space of the file store holding {@code dataDirectory}. */
    public void reportSpaceOf(java.nio.file.Path dataDirectory) {
        space = spaceOf(dataDirectory);
    }

    private static java.util.function.Supplier<FsStat> spaceOf(java.nio.file.Path directory) {
        return () -> {
            try {
                java.nio.file.FileStore fileStore = java.nio.file.Files.getFileStore(directory);
                return new FsStat(fileStore.getTotalSpace(), fileStore.getUsableSpace(), 1L << 40, 1L << 40);
            } catch (java.io.IOException e) {
                throw new io.seabed.namespace.fs.FsException(
                        io.seabed.namespace.fs.FsException.Status.IO, "space of " + directory + ": " + e.getMessage());
            }
        };
    }

    /** Creates a bucket in {@code mode} with {@code acl} (null: the owner's alone). */
    public Bucket createBucket(User owner, String name, Acl acl, Bucket.Mode mode) {
        return buckets.create(owner, name, acl, mode);
    }

    /**
     * The file system of {@code bucket}: a hierarchical bucket's tree (NOT_IMPLEMENTED when the storage is not
     * chains, whose chunks files need to change in place), or a flat bucket's read-only view with directories
     * synthesized from its keys.
     */
    public FileSystem fileSystem(Bucket bucket) {
        if (!bucket.hierarchical())
            return flatViews.computeIfAbsent(
                    bucket.id(), id -> new io.seabed.namespace.object.FlatFs(kv, bucket, objects, () -> space.get()));
        if (!(store instanceof ChainClient chains))
            throw new NamespaceException(
                    NamespaceException.Reason.NOT_IMPLEMENTED, "hierarchical buckets need chain storage");
        return fileSystems.computeIfAbsent(
                bucket.id(),
                id -> new HierarchicalFs(
                        kv, chains, id, bucket.name(), clock, () -> space.get(), config.garbageDelayMillis()));
    }

    /** The S3 view of hierarchical bucket {@code bucket} (DESIGN §3.4). */
    private S3View view(Bucket bucket) {
        if (!(fileSystem(bucket) instanceof HierarchicalFs fs))
            throw new IllegalStateException("bucket " + bucket.name() + " is not hierarchical");
        return views.computeIfAbsent(bucket.id(), id -> new S3View(fs, config, objects.buffers()));
    }

    /** Object operations the S3 view of hierarchical buckets does not have yet answer NOT_IMPLEMENTED there. */
    private static void flat(Bucket bucket) {
        if (bucket.hierarchical())
            throw new NamespaceException(
                    NamespaceException.Reason.NOT_IMPLEMENTED,
                    "this operation on objects of hierarchical bucket " + bucket.name() + " is not implemented yet");
    }

    /** Starts background work (garbage collection). */
    public void start() {
        gc.start();
    }

    public NamespaceConfig config() {
        return config;
    }

    public Tenants tenants() {
        return tenants;
    }

    public GarbageCollector garbageCollector() {
        return gc;
    }

    /** Deletes a tenant with no access keys and no buckets left. */
    public void deleteTenant(String name) {
        byte[][] range = Buckets.tenantIndexRange(tenants.tenant(name).id());
        tenants.deleteTenant(name, range[0], range[1]);
    }

    /** The user holding {@code accessKey}, or null. */
    public User user(String accessKey) {
        return tenants.userByAccessKey(accessKey);
    }

    public Bucket createBucket(User owner, String name) {
        return buckets.create(owner, name, null);
    }

    /** Creates a bucket with {@code acl} (owned by {@code owner}; null: the owner's alone). */
    public Bucket createBucket(User owner, String name, Acl acl) {
        return buckets.create(owner, name, acl);
    }

    /** Replaces a bucket's ACL (whose owner must stay the bucket's); returns the bucket as it is now. */
    public Bucket setBucketAcl(Bucket bucket, Acl acl) {
        if (!acl.ownerId().equals(bucket.ownerUserId()))
            throw new IllegalArgumentException("acl owner " + acl.ownerId() + " is not " + bucket.ownerUserId());
        return buckets.setAcl(bucket, acl);
    }

    /** Replaces an object's ACL (NO_SUCH_KEY when absent); its data and metadata stay. */
    public void setObjectAcl(Bucket bucket, String key, Acl acl) {
        flat(bucket);
        objects.writes().setAcl(bucket, key, acl);
    }

    /** Replaces a bucket's tags (empty: none); returns the bucket as it is now. */
    public Bucket setBucketTags(Bucket bucket, Map<String, String> tags) {
        return buckets.setTags(bucket, tags.isEmpty() ? Map.of() : new LinkedHashMap<>(tags));
    }

    /** Replaces an object's tags (NO_SUCH_KEY when absent; empty: none); its data and metadata stay. */
    public void setObjectTags(Bucket bucket, String key, Map<String, String> tags) {
        flat(bucket);
        objects.writes().setTags(bucket, key, tags.isEmpty() ? Map.of() : new LinkedHashMap<>(tags));
    }

    /** The bucket with id {@code id}, or null when there is none (any more). */
    public Bucket bucketById(long id) {
        return buckets.byId(id);
    }

    /** Up to {@code max} buckets of every tenant, in id order (for the NFS front's export list). */
    public List<Bucket> allBuckets(int max) {
        return buckets.all(max);
    }

    /**
     * The key of NFS file handles' MACs: 32 random bytes kept in meta-kv, made on first use, the same for every
     * gateway of the cluster (so a handle works on any of them and after restarts).
     */
    public byte[] nfsHandleKey() {
        byte[] key = kv.get(io.seabed.namespace.schema.Keys.NFS_HANDLE_KEY);
        if (key != null) return key;
        byte[] fresh = new byte[32];
        new java.security.SecureRandom().nextBytes(fresh);
        kv.putIfAbsent(io.seabed.namespace.schema.Keys.NFS_HANDLE_KEY, fresh);
        return kv.get(io.seabed.namespace.schema.Keys.NFS_HANDLE_KEY);
    }

    /** NO_SUCH_BUCKET when absent. */
    public Bucket bucket(String name) {
        return buckets.get(name);
    }

    public List<Bucket> listBuckets(User owner) {
        return buckets.list(owner);
    }

    public void deleteBucket(Bucket bucket) {
        buckets.delete(bucket);
    }

    public ObjectInfo putObject(Bucket bucket, String key, long lengthBytes, ObjectMetadata metadata, BodySource body) {
        return putObject(bucket, key, lengthBytes, metadata, body, WriteCondition.NONE);
    }

    /**
     * Writes an object if {@code condition} holds for the head it replaces, checked in the metadata
     * commit; otherwise PRECONDITION_FAILED (or NO_SUCH_KEY for If-Match) and the data is discarded.
     */
    public ObjectInfo putObject(
            Bucket bucket,
            String key,
            long lengthBytes,
            ObjectMetadata metadata,
            BodySource body,
            WriteCondition condition) {
        if (bucket.hierarchical()) return view(bucket).put(key, lengthBytes, metadata, body, condition);
        return objects.writes().put(bucket, key, lengthBytes, metadata, body, condition);
    }

    /**
     * As {@link #putObject}, answering through the returned future once the commit is applied (it may complete
     * on a meta-kv thread: move dependent work off it). The body is read and stored on the calling thread, so an
     * event loop may call this only for a body already in memory that will be stored inline
     * ({@link NamespaceConfig#inlineBytesMax()}). Failures before the commit is submitted are thrown.
     */
    public CompletableFuture<ObjectInfo> putObjectAsync(
            Bucket bucket,
            String key,
            long lengthBytes,
            ObjectMetadata metadata,
            BodySource body,
            WriteCondition condition) {
        if (bucket.hierarchical()) {
            S3View view = view(bucket);
            return CompletableFuture.supplyAsync(
                    () -> view.put(key, lengthBytes, metadata, body, condition), blockingPuts);
        }
        return objects.writes().putAsync(bucket, key, lengthBytes, metadata, body, condition);
    }

    /**
     * Writes an object whose length is known only when its body ends (an HTTP chunked upload, a POST form's
     * file): at most {@code maxBytes} (else ENTITY_TOO_LARGE, nothing stored), otherwise as {@link #putObject}.
     */
    public ObjectInfo putObjectToEnd(
            Bucket bucket,
            String key,
            long maxBytes,
            ObjectMetadata metadata,
            BodySource body,
            WriteCondition condition) {
        if (bucket.hierarchical()) return view(bucket).putToEnd(key, maxBytes, metadata, body, condition);
        return objects.writes().putToEnd(bucket, key, maxBytes, metadata, body, condition);
    }

    /** Opens an object for reading (NO_SUCH_KEY when absent); with {@code withBody} an inline body comes along. */
    public OpenObject openObject(Bucket bucket, String key, boolean withBody) {
        if (bucket.hierarchical()) {
            S3View.OpenFile file = view(bucket).open(key);
            return new OpenObject(file.info(), null, null, file);
        }
        return objects.reads().open(bucket, key, withBody);
    }

    /**
     * Streams bytes [offset, offset + length) of an opened object into {@code sink}, reading ahead of it (see
     * {@link ReadAhead}) unless the body is inline.
     */
    public void readObject(OpenObject object, long offset, long length, BodySink sink) {
        if (object.file() != null) {
            S3View.OpenFile file = object.file();
            readAhead.stream(offset, length, (position, into) -> file.view().fill(file, position, into), sink);
        } else if (object.head().inline()) {
            objects.reads().read(object, offset, length, sink);
        } else {
            long[] starts = io.seabed.namespace.object.ObjectReads.chunkStarts(object);
            readAhead.stream(
                    offset, length, (position, into) -> objects.reads().fill(object, starts, position, into), sink);
        }
    }

    /**
     * Copies an opened object (opened with its body) to {@code key}, into fresh chunks or inline
     * bytes: the copy shares no chunk with its input.
     *
     * @param metadata the copy's metadata, or null to keep the input's
     */
    public ObjectInfo copyObject(
            OpenObject input, Bucket bucket, String key, ObjectMetadata metadata, WriteCondition condition) {
        return copyObject(input, bucket, key, metadata, condition, UnaryOperator.identity());
    }

    /**
     * As {@link #copyObject(OpenObject, Bucket, String, ObjectMetadata, WriteCondition)}, with the copied
     * bytes passed through {@code bodyFilter}: a gateway wraps them to compute a new checksum. Unwrapped,
     * the copy keeps the input's checksum when it is FULL_OBJECT.
     */
    public ObjectInfo copyObject(
            OpenObject input,
            Bucket bucket,
            String key,
            ObjectMetadata metadata,
            WriteCondition condition,
            UnaryOperator<BodySource> bodyFilter) {
        if (bucket.hierarchical()) {
            long length = input.info().sizeBytes();
            if (length > io.seabed.namespace.object.ObjectCopy.COPY_BYTES_MAX)
                throw new NamespaceException(
                        NamespaceException.Reason.ENTITY_TOO_LARGE, "copy source is " + length + " bytes > 5 GiB");
            ObjectMetadata m = metadata != null
                    ? metadata
                    : new ObjectMetadata(
                            input.info().systemMetadata(), input.info().userMetadata());
            BodySource body = bodyFilter.apply(objects.copy().body(input, 0, length));
            return view(bucket).put(key, length, m, body, condition);
        }
        return objects.copy().copy(input, bucket, key, metadata, condition, bodyFilter);
    }

    /** Copies bytes [offset, offset + length) of an opened object into a part of an upload. */
    public PartInfo uploadPartCopy(
            OpenObject input, long offset, long length, Bucket bucket, String key, String uploadId, int partNumber) {
        return uploadPartCopy(input, offset, length, bucket, key, uploadId, partNumber, UnaryOperator.identity());
    }

    /**
     * As {@link #uploadPartCopy(OpenObject, long, long, Bucket, String, String, int)}, with the copied
     * bytes passed through {@code bodyFilter}: a gateway wraps them to compute the part's checksum.
     */
    public PartInfo uploadPartCopy(
            OpenObject input,
            long offset,
            long length,
            Bucket bucket,
            String key,
            String uploadId,
            int partNumber,
            UnaryOperator<BodySource> bodyFilter) {
        return objects.copy().copyPart(input, offset, length, bucket, key, uploadId, partNumber, bodyFilter);
    }

    public void deleteObject(Bucket bucket, String key) {
        if (bucket.hierarchical()) view(bucket).delete(key);
        else objects.writes().delete(bucket, key);
    }

    public ListPage listObjects(Bucket bucket, ListRequest request) {
        if (bucket.hierarchical()) return view(bucket).list(request);
        return objects.listing().list(bucket, request);
    }

    public String createUpload(Bucket bucket, String key, ObjectMetadata metadata, User initiator) {
        return createUpload(bucket, key, metadata, initiator, null, null);
    }

    /**
     * Starts an upload whose parts must each carry a checksum of {@code checksumAlgorithm} (with their
     * {@link BodySource#checksum()}); completion then stores the object's checksum of {@code checksumType}.
     *
     * @param checksumAlgorithm CRC32, CRC32C, CRC64NVME, SHA1 or SHA256 (the gateway checks), or null
     * @param checksumType set exactly when {@code checksumAlgorithm} is
     */
    public String createUpload(
            Bucket bucket,
            String key,
            ObjectMetadata metadata,
            User initiator,
            String checksumAlgorithm,
            ObjectChecksum.Type checksumType) {
        if (bucket.hierarchical()) {
            view(bucket).checkKey(key);
            if (key.endsWith("/"))
                throw new NamespaceException(
                        NamespaceException.Reason.INVALID_ARGUMENT, "key " + key + " names a directory, not a file");
        }
        return objects.multipart().create(bucket, key, metadata, initiator, checksumAlgorithm, checksumType);
    }

    /** An upload in progress (NO_SUCH_UPLOAD when absent or for another key). */
    public UploadInfo upload(Bucket bucket, String key, String uploadId) {
        return objects.uploadListing().upload(bucket, key, uploadId);
    }

    public PartInfo uploadPart(
            Bucket bucket, String key, String uploadId, int partNumber, long lengthBytes, BodySource body) {
        return objects.multipart().uploadPart(bucket, key, uploadId, partNumber, lengthBytes, body);
    }

    public ObjectInfo completeUpload(Bucket bucket, String key, String uploadId, List<UploadPart> parts) {
        return completeUpload(bucket, key, uploadId, parts, WriteCondition.NONE);
    }

    /** Completes an upload that declared no checksum algorithm, if {@code condition} holds. */
    public ObjectInfo completeUpload(
            Bucket bucket, String key, String uploadId, List<UploadPart> parts, WriteCondition condition) {
        return completeUpload(bucket, key, uploadId, parts, condition, null);
    }

    /**
     * Completes an upload if {@code condition} holds (as {@link #putObject}); else the upload stays.
     * When the upload declared a checksum algorithm, every part must have its checksum (else
     * INVALID_PART) and {@code combiner} computes the object's from them inside the commit; whatever it
     * throws refuses the completion.
     */
    public ObjectInfo completeUpload(
            Bucket bucket,
            String key,
            String uploadId,
            List<UploadPart> parts,
            WriteCondition condition,
            ChecksumCombiner combiner) {
        if (bucket.hierarchical()) return completeIntoFile(bucket, key, uploadId, parts, condition, combiner);
        return objects.multipart().complete(bucket, key, uploadId, parts, condition, combiner);
    }

    /**
     * CompleteMultipartUpload on a hierarchical bucket: the parts' bytes are copied into a fresh inode (a file's
     * chunks change in place, the parts' never do), which is linked under the key in the transaction that ends
     * the upload; the parts' chunks then go to the garbage queue.
     */
    private ObjectInfo completeIntoFile(
            Bucket bucket,
            String key,
            String uploadId,
            List<UploadPart> parts,
            WriteCondition condition,
            ChecksumCombiner combiner) {
        var multipart = objects.multipart();
        var assembled = multipart.assemble(bucket, key, uploadId, parts, combiner);
        var stitched = assembled.head();
        OpenObject source = new OpenObject(io.seabed.namespace.object.ObjectReads.info(key, stitched), stitched, null);
        var fileHead = new io.seabed.namespace.schema.ObjectHead(
                0,
                0,
                stitched.sizeBytes(),
                stitched.etag(),
                stitched.lastModifiedMillis(),
                stitched.systemMetadata(),
                stitched.userMetadata(),
                false,
                List.of(),
                new long[0],
                stitched.checksum(),
                List.of(),
                null,
                Map.of());
        return view(bucket)
                .putAssembled(
                        key,
                        stitched.sizeBytes(),
                        objects.copy().body(source, 0, stitched.sizeBytes()),
                        fileHead,
                        condition,
                        txn -> multipart.finishAssembled(txn, bucket, assembled));
    }

    /** ListMultipartUploads: a page of the bucket's uploads in progress, in key order. */
    public UploadPage listUploads(
            Bucket bucket, String prefix, String delimiter, String keyMarker, String uploadIdMarker, int maxUploads) {
        return objects.uploadListing().listUploads(bucket, prefix, delimiter, keyMarker, uploadIdMarker, maxUploads);
    }

    /** ListParts: a page of an upload's parts after {@code partNumberMarker}. */
    public PartPage listParts(Bucket bucket, String key, String uploadId, int partNumberMarker, int maxParts) {
        return objects.uploadListing().listParts(bucket, key, uploadId, partNumberMarker, maxParts);
    }

    public void abortUpload(Bucket bucket, String key, String uploadId) {
        objects.multipart().abort(bucket, key, uploadId);
    }

    @Override
    public void close() {
        blockingPuts.close();
        readAhead.close();
        gc.close();
    }
}
