package io.seabed.namespace.object;

import io.seabed.basestore.BaseStoreClient;
import io.seabed.basestore.ChunkRef;
import io.seabed.basestore.StorageException;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.BodySource;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.namespace.schema.GarbageRecord;
import io.seabed.namespace.schema.Keys;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 1–2 of the write protocol (DESIGN §3.3) for one body: small bodies are read into memory to
 * be stored inline; larger ones get an intent (a garbage record due after the intent TTL) and are
 * cut into fresh chunks. The caller commits the metadata, deleting the intent in the same
 * transaction, or calls {@link Written#discard} when it gives up.
 */
final class DataWriter {
    private static final Logger LOG = LoggerFactory.getLogger(DataWriter.class);

    private final MetaKv kv;
    private final BaseStoreClient store;
    private final NamespaceConfig config;
    private final ChunkBuffers buffers;
    private final InstantSource clock;

    DataWriter(MetaKv kv, BaseStoreClient store, NamespaceConfig config, ChunkBuffers buffers, InstantSource clock) {
        this.kv = kv;
        this.store = store;
        this.config = config;
        this.buffers = buffers;
        this.clock = clock;
    }

    /** What a body became: inline bytes, or chunks under an intent. */
    final class Written {
        final Uid uid;
        final long sizeBytes;
        final byte[] md5;
        final byte[] inline;
        final List<ChunkRef> chunks;
        final byte[] intentKey;
        /** The body's additional checksum, or null. */
        final ObjectChecksum checksum;

        Written(
                Uid uid,
                long sizeBytes,
                byte[] md5,
                byte[] inline,
                List<ChunkRef> chunks,
                byte[] intentKey,
                ObjectChecksum checksum) {
            this.uid = uid;
            this.sizeBytes = sizeBytes;
            this.md5 = md5;
            this.inline = inline;
            this.chunks = chunks;
            this.intentKey = intentKey;
            this.checksum = checksum;
        }

        /**
         * Deletes what was written and its intent, unless the commit took the intent after all (a commit
         * answered TIMEOUT may still apply): the intent is claimed first, in a transaction that reads it, so
         * a late commit can no longer take it and the chunks are deleted only once nothing can point at them.
         * A crash after the claim leaves a claimed record, which the collector finishes. Failures leave the
         * intent for the collector.
         */
        void discard(Throwable reason) {
            if (intentKey == null) return;
            try {
                boolean claimed = kv.transact(txn -> {
                    byte[] v = txn.get(intentKey);
                    if (v == null) return false;
                    GarbageRecord r = GarbageRecord.decode(v);
                    if (r.claimed()) return false;
                    txn.put(intentKey, r.claim().encode());
                    return true;
                });
                if (!claimed) {
                    LOG.info("write {}: its intent was taken (by its commit or the collector); data kept", uid);
                    return;
                }
                for (ChunkRef c : chunks) store.deleteChunk(c);
                kv.transact(txn -> {
                    txn.delete(intentKey);
                    return null;
                });
            } catch (RuntimeException e) {
                reason.addSuppressed(e);
                LOG.warn("cleanup of failed write {} left to the collector", uid, e);
            }
        }
    }

    /** Reads exactly {@code lengthBytes} from {@code body} and stores them; verifies the body last. */
    Written write(BodySource body, long lengthBytes, boolean mayInline) {
        MessageDigest md5 = md5();
        if (mayInline && lengthBytes <= config.inlineBytesMax()) {
            ByteBuffer data = ByteBuffer.allocate((int) lengthBytes);
            fill(body, data, md5);
            expectEnd(body);
            byte[] digest = md5.digest();
            body.verify(digest);
            return new Written(Uid.next(), lengthBytes, digest, data.array(), List.of(), null, body.checksum());
        }
        return writeChunks(body, lengthBytes, md5);
    }

    private Written writeChunks(BodySource body, long lengthBytes, MessageDigest md5) {
        Uid uid = Uid.next();
        long chunkCount = Math.max(1, (lengthBytes + config.chunkBytes() - 1) / config.chunkBytes());
        if (chunkCount >= Uid.CHUNKS_MAX)
            throw new NamespaceException(Reason.ENTITY_TOO_LARGE, "size=" + lengthBytes + " needs too many chunks");
        byte[] intentKey = Keys.garbage(clock.millis() + config.intentTtlMillis(), uid.high(), uid.low());
        byte[] intent = new GarbageRecord(false, uid.high(), uid.low(), (int) chunkCount, List.of()).encode();
        kv.transact(txn -> {
            txn.put(intentKey, intent);
            return null;
        });
        List<ChunkRef> chunks = new ArrayList<>((int) chunkCount);
        Written written = new Written(uid, lengthBytes, null, null, chunks, intentKey, null);
        // Every chunked write takes a buffer from the shared budget, whatever its size.
        ByteBuffer buffer = buffers.acquire();
        try {
            long remaining = lengthBytes;
            for (long i = 0; i < chunkCount; i++) {
                int n = (int) Math.min(remaining, config.chunkBytes());
                buffer.clear().limit(n);
                fill(body, buffer, md5);
                buffer.flip();
                chunks.add(store.writeChunk(uid.chunk(i), buffer));
                remaining -= n;
            }
            expectEnd(body);
            byte[] digest = md5.digest();
            body.verify(digest);
            return new Written(uid, lengthBytes, digest, null, chunks, intentKey, body.checksum());
        } catch (RuntimeException e) {
            throw discarded(written, e);
        } finally {
            buffers.release(buffer);
        }
    }

    /** Chunks an intent of a write of unknown length covers at first; it doubles as chunks are written. */
    static final int INTENT_CHUNKS_FIRST = 16;

    /**
     * Reads {@code body} to its end, which must come within {@code maxBytes} (else ENTITY_TOO_LARGE), and
     * stores it: for bodies whose length is not known up front (an HTTP chunked upload, the file of a POST
     * form). A body that ends within the inline limit is stored inline; a longer one goes to chunks under an
     * intent that is rewritten to cover twice as many chunks whenever the chunks written reach its count, so
     * the collector always knows every chunk a crash may leave behind.
     */
    Written writeToEnd(BodySource body, long maxBytes, boolean mayInline) {
        MessageDigest md5 = md5();
        Uid uid = Uid.next();
        byte[] intentKey = Keys.garbage(clock.millis() + config.intentTtlMillis(), uid.high(), uid.low());
        List<ChunkRef> chunks = new ArrayList<>();
        Written written = new Written(uid, 0, null, null, chunks, null, null);
        ByteBuffer buffer = buffers.acquire();
        long covered = 0;
        long size = 0;
        try {
            while (true) {
                buffer.clear().limit(config.chunkBytes());
                boolean ended = fillToEnd(body, buffer, md5);
                buffer.flip();
                size += buffer.remaining();
                if (size > maxBytes)
                    throw new NamespaceException(
                            Reason.ENTITY_TOO_LARGE, "body longer than its limit of " + maxBytes + " bytes");
                if (chunks.isEmpty() && ended && mayInline && size <= config.inlineBytesMax()) {
                    byte[] data = new byte[buffer.remaining()];
                    buffer.get(data);
                    byte[] digest = md5.digest();
                    body.verify(digest);
                    return new Written(uid, size, digest, data, List.of(), null, body.checksum());
                }
                if (ended && !buffer.hasRemaining() && !chunks.isEmpty()) break;
                if (chunks.size() >= Uid.CHUNKS_MAX - 1)
                    throw new NamespaceException(Reason.ENTITY_TOO_LARGE, "body needs too many chunks");
                if (chunks.size() >= covered) {
                    covered = Math.min(Math.max(INTENT_CHUNKS_FIRST, covered * 2), Uid.CHUNKS_MAX - 1);
                    byte[] intent = new GarbageRecord(false, uid.high(), uid.low(), (int) covered, List.of()).encode();
                    kv.transact(txn -> {
                        txn.put(intentKey, intent);
                        return null;
                    });
                    written = new Written(uid, 0, null, null, chunks, intentKey, null);
                }
                chunks.add(store.writeChunk(uid.chunk(chunks.size()), buffer));
                if (ended) break;
            }
            byte[] digest = md5.digest();
            body.verify(digest);
            return new Written(uid, size, digest, null, chunks, intentKey, body.checksum());
        } catch (RuntimeException e) {
            throw discarded(written, e);
        } finally {
            buffers.release(buffer);
        }
    }

    /** Discards a failed write's data; a storage failure becomes UNAVAILABLE. Returns what to throw. */
    private static RuntimeException discarded(Written written, RuntimeException e) {
        RuntimeException failure = e instanceof StorageException
                ? new NamespaceException(Reason.UNAVAILABLE, "storage: " + e.getMessage(), e)
                : e;
        written.discard(failure);
        return failure;
    }

    /** Fills {@code output} from {@code body}; true when the body ended (possibly before it was full). */
    private static boolean fillToEnd(BodySource body, ByteBuffer output, MessageDigest md5) {
        while (output.hasRemaining()) {
            int start = output.position();
            int n = body.read(output);
            if (n < 0) return true;
            md5.update(output.duplicate().position(start).limit(start + n));
        }
        return false;
    }

    private static void fill(BodySource body, ByteBuffer output, MessageDigest md5) {
        while (output.hasRemaining()) {
            int start = output.position();
            int n = body.read(output);
            if (n < 0)
                throw new NamespaceException(
                        Reason.INCOMPLETE_BODY, "body ended " + output.remaining() + " bytes early");
            ByteBuffer view = output.duplicate().position(start).limit(start + n);
            md5.update(view);
        }
    }

    private static void expectEnd(BodySource body) {
        ByteBuffer probe = ByteBuffer.allocate(1);
        int n = body.read(probe);
        if (n > 0) throw new NamespaceException(Reason.INVALID_ARGUMENT, "body longer than its declared length");
    }

    private static final MessageDigest MD5_PROTOTYPE = newMd5();

    /** A fresh MD5 (a clone of a prototype: MessageDigest.getInstance looks the provider up each time). */
    static MessageDigest md5() {
        try {
            return (MessageDigest) MD5_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newMd5();
        }
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }
}
