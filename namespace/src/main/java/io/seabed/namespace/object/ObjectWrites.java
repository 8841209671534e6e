package io.seabed.namespace.object;

import io.seabed.basestore.ChunkRef;
import io.seabed.metakv.MetaKv;
import io.seabed.metakv.Txn;
import io.seabed.namespace.Acl;
import io.seabed.namespace.BodySource;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.ObjectMetadata;
import io.seabed.namespace.WriteCondition;
import io.seabed.namespace.schema.GarbageRecord;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.ObjectHead;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/** PutObject and DeleteObject on flat buckets: step 3 of the write protocol, the metadata commit. */
public final class ObjectWrites {
    private final MetaKv kv;
    private final NamespaceConfig config;
    private final DataWriter data;
    private final InstantSource clock;

    ObjectWrites(MetaKv kv, NamespaceConfig config, DataWriter data, InstantSource clock) {
        this.kv = kv;
        this.config = config;
        this.data = data;
        this.clock = clock;
    }

    public ObjectInfo put(
            Bucket bucket,
            String key,
            long lengthBytes,
            ObjectMetadata metadata,
            BodySource body,
            WriteCondition condition) {
        checkPut(key, lengthBytes, metadata);
        DataWriter.Written w = data.write(body, lengthBytes, true);
        return commitWritten(bucket, key, w, metadata, condition);
    }

    /**
     * As {@link #put}, answering through the returned future once the metadata commit is applied: the data is
     * written on the calling thread, then the commit's first attempt runs there too ({@link MetaKv#transactAsync}).
     * The future may complete on a meta-kv thread. Failures before the commit is submitted are thrown.
     */
    public CompletableFuture<ObjectInfo> putAsync(
            Bucket bucket,
            String key,
            long lengthBytes,
            ObjectMetadata metadata,
            BodySource body,
            WriteCondition condition) {
        checkPut(key, lengthBytes, metadata);
        DataWriter.Written w = data.write(body, lengthBytes, true);
        ObjectHead head = head(w, metadata);
        long now = clock.millis();
        CompletableFuture<Void> commit;
        try {
            commit = kv.transactAsync(txn -> {
                if (w.intentKey != null) takeIntent(txn, w.intentKey);
                applyHead(txn, bucket, key, head, w.inline, now, condition);
                return null;
            });
        } catch (RuntimeException e) {
            w.discard(e);
            throw e;
        }
        return commit.handle((ignored, error) -> {
                    if (error == null) return CompletableFuture.completedFuture(ObjectReads.info(key, head));
                    Throwable cause =
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    // An inline write has nothing to clean up; chunks and an intent do, with blocking calls that
                    // must not run on the meta-kv thread completing the commit.
                    if (w.intentKey == null) return CompletableFuture.<ObjectInfo>failedFuture(cause);
                    return CompletableFuture.runAsync(() -> w.discard(cause), DISCARDS)
                            .thenCompose(done -> CompletableFuture.<ObjectInfo>failedFuture(cause));
                })
                .thenCompose(f -> f);
    }

    private static final Executor DISCARDS =
            command -> Thread.ofVirtual().name("namespace-discard").start(command);

    private void checkPut(String key, long lengthBytes, ObjectMetadata metadata) {
        checkKey(key, config);
        checkMetadata(metadata, config);
        if (lengthBytes < 0) throw new NamespaceException(Reason.INVALID_ARGUMENT, "length=" + lengthBytes);
        if (lengthBytes > config.objectBytesMax())
            throw new NamespaceException(
                    Reason.ENTITY_TOO_LARGE, "length=" + lengthBytes + " > objectBytesMax=" + config.objectBytesMax());
    }

    /**
     * As {@link #put}, for a body whose length is known only at its end (at most {@code maxBytes}, and never
     * more than the object size limit).
     */
    public ObjectInfo putToEnd(
            Bucket bucket,
            String key,
            long maxBytes,
            ObjectMetadata metadata,
            BodySource body,
            WriteCondition condition) {
        checkKey(key, config);
        checkMetadata(metadata, config);
        DataWriter.Written w = data.writeToEnd(body, Math.min(maxBytes, config.objectBytesMax()), true);
        return commitWritten(bucket, key, w, metadata, condition);
    }

    /**
     * Commits what {@link DataWriter} wrote as the key's head, discarding the data when the commit
     * fails (a condition that does not hold, a deleted bucket, a collected intent).
     */
    ObjectInfo commitWritten(
            Bucket bucket, String key, DataWriter.Written w, ObjectMetadata metadata, WriteCondition condition) {
        ObjectHead head = head(w, metadata);
        try {
            commitHead(bucket, key, head, w.inline, w.intentKey, condition);
        } catch (RuntimeException e) {
            w.discard(e);
            throw e;
        }
        return ObjectReads.info(key, head);
    }

    /** The head of a single-part object over what {@link DataWriter} wrote. */
    private ObjectHead head(DataWriter.Written w, ObjectMetadata metadata) {
        return new ObjectHead(
                w.uid.high(),
                w.uid.low(),
                w.sizeBytes,
                HexFormat.of().formatHex(w.md5),
                clock.millis(),
                metadata.systemMetadata(),
                metadata.userMetadata(),
                w.inline != null,
                w.chunks,
                new long[0],
                w.checksum,
                List.of(),
                metadata.acl(),
                metadata.tags());
    }

    /** Commits {@code head} and takes the write's intent (must be unclaimed) in one transaction. */
    void commitHead(
            Bucket bucket, String key, ObjectHead head, byte[] inlineBody, byte[] intentKey, WriteCondition condition) {
        long now = clock.millis();
        kv.transact(txn -> {
            if (intentKey != null) takeIntent(txn, intentKey);
            applyHead(txn, bucket, key, head, inlineBody, now, condition);
            return null;
        });
    }

    /**
     * Inside a transaction: makes {@code head} the object's head. The bucket must still exist; the
     * replaced data goes to the garbage queue; usage counters move by blind adds. The condition is
     * checked against the head read in this transaction, so racing conditional writes serialize.
     */
    void applyHead(
            Txn txn,
            Bucket bucket,
            String key,
            ObjectHead head,
            byte[] inlineBody,
            long now,
            WriteCondition condition) {
        byte[] headKey = Keys.objectHead(bucket.id(), key);
        Buckets.requireLive(txn, bucket);
        byte[] old = txn.get(headKey);
        ObjectHead oldHead = old == null ? null : ObjectHead.decode(old);
        condition.check(key, oldHead == null ? null : oldHead.etag());
        if (oldHead != null) retire(txn, headKey, oldHead, now);
        txn.put(headKey, head.encode());
        if (inlineBody != null) txn.put(Keys.body(headKey), inlineBody);
        txn.add(Keys.bucketUsage(bucket.id(), Keys.USAGE_OBJECTS), oldHead == null ? 1 : 0);
        txn.add(
                Keys.bucketUsage(bucket.id(), Keys.USAGE_BYTES),
                head.sizeBytes() - (oldHead == null ? 0 : oldHead.sizeBytes()));
    }

    NamespaceConfig config() {
        return config;
    }

    /** Deletes the object if present (S3: deleting a missing key succeeds). */
    public void delete(Bucket bucket, String key) {
        checkKey(key, config);
        byte[] headKey = Keys.objectHead(bucket.id(), key);
        long now = clock.millis();
        kv.transact(txn -> {
            byte[] old = txn.get(headKey);
            if (old == null) return null;
            ObjectHead head = ObjectHead.decode(old);
            retire(txn, headKey, head, now);
            txn.delete(headKey);
            txn.add(Keys.bucketUsage(bucket.id(), Keys.USAGE_OBJECTS), -1);
            txn.add(Keys.bucketUsage(bucket.id(), Keys.USAGE_BYTES), -head.sizeBytes());
            return null;
        });
    }

    /** Replaces the ACL of the object's head (NO_SUCH_KEY when absent). */
    public void setAcl(Bucket bucket, String key, Acl acl) {
        checkKey(key, config);
        byte[] headKey = Keys.objectHead(bucket.id(), key);
        kv.transact(txn -> {
            byte[] v = txn.get(headKey);
            if (v == null) throw new NamespaceException(Reason.NO_SUCH_KEY, "no key " + key);
            txn.put(headKey, ObjectHead.decode(v).withAcl(acl).encode());
            return null;
        });
    }

    /** Replaces the tags of the object's head (NO_SUCH_KEY when absent); its data stays. */
    public void setTags(Bucket bucket, String key, Map<String, String> tags) {
        checkKey(key, config);
        byte[] headKey = Keys.objectHead(bucket.id(), key);
        kv.transact(txn -> {
            byte[] v = txn.get(headKey);
            if (v == null) throw new NamespaceException(Reason.NO_SUCH_KEY, "no key " + key);
            txn.put(headKey, ObjectHead.decode(v).withTags(tags).encode());
            return null;
        });
    }

    /** Takes a write's intent in its commit: UNAVAILABLE when the collector claimed it first. */
    public static void takeIntent(Txn txn, byte[] intentKey) {
        byte[] intent = txn.get(intentKey);
        if (intent == null || GarbageRecord.decode(intent).claimed())
            throw new NamespaceException(
                    Reason.UNAVAILABLE, "the write outlived its intent and was collected; retry it");
        txn.delete(intentKey);
    }

    /** Sends the data of a replaced or deleted head to the garbage queue (or drops its inline body). */
    void retire(Txn txn, byte[] headKey, ObjectHead old, long now) {
        if (old.inline()) {
            txn.delete(Keys.body(headKey));
            return;
        }
        retireChunks(txn, old.uidHigh(), old.uidLow(), old.chunks(), now + config.garbageDelayMillis());
    }

    static void retireChunks(Txn txn, long uidHigh, long uidLow, List<ChunkRef> chunks, long dueMillis) {
        if (chunks.isEmpty()) return;
        txn.put(
                Keys.garbage(dueMillis, uidHigh, uidLow),
                new GarbageRecord(false, uidHigh, uidLow, 0, chunks).encode());
    }

    public static void checkKey(String key, NamespaceConfig config) {
        if (key == null || key.isEmpty()) throw new NamespaceException(Reason.INVALID_KEY, "empty key");
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.keyBytesMax())
            throw new NamespaceException(
                    Reason.KEY_TOO_LONG, "key is " + bytes + " bytes > keyBytesMax=" + config.keyBytesMax());
        if (key.indexOf('\0') >= 0) throw new NamespaceException(Reason.INVALID_KEY, "key contains U+0000");
    }

    static void checkMetadata(ObjectMetadata metadata, NamespaceConfig config) {
        int bytes = 0;
        for (Map.Entry<String, String> e : metadata.userMetadata().entrySet())
            bytes += e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.userMetadataBytesMax())
            throw new NamespaceException(
                    Reason.METADATA_TOO_LARGE,
                    "user metadata is " + bytes + " bytes > " + config.userMetadataBytesMax());
    }
}
