package io.seabed.namespace.object;

import io.seabed.basestore.ChunkRef;
import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.metakv.Txn;
import io.seabed.namespace.BodySource;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.ChecksumCombiner;
import io.seabed.namespace.NamespaceConfig;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.ObjectMetadata;
import io.seabed.namespace.PartInfo;
import io.seabed.namespace.UploadPart;
import io.seabed.namespace.User;
import io.seabed.namespace.WriteCondition;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.ObjectHead;
import io.seabed.namespace.schema.PartRecord;
import io.seabed.namespace.schema.UploadRecord;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Multipart uploads: each part is written like an object body (intent, chunks, commit of the part
 * record); completion stitches the parts' chunks into one head in a single transaction, with S3's
 * ETag (MD5 of the part MD5s, "-N").
 */
public final class Multipart {
    static final int UPLOAD_ID_BYTES = 16;
    /** S3's largest part. */
    public static final long PART_BYTES_MAX = 5L << 30;

    private final MetaKv kv;
    private final NamespaceConfig config;
    private final DataWriter data;
    private final ObjectWrites writes;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();

    Multipart(MetaKv kv, NamespaceConfig config, DataWriter data, ObjectWrites writes, InstantSource clock) {
        this.kv = kv;
        this.config = config;
        this.data = data;
        this.writes = writes;
        this.clock = clock;
    }

    /**
     * @param checksumAlgorithm the checksum algorithm every part must carry, or null
     * @param checksumType the type of the object's checksum, set exactly when {@code checksumAlgorithm} is
     */
    public String create(
            Bucket bucket,
            String key,
            ObjectMetadata metadata,
            User initiator,
            String checksumAlgorithm,
            ObjectChecksum.Type checksumType) {
        ObjectWrites.checkKey(key, config);
        ObjectWrites.checkMetadata(metadata, config);
        byte[] id = new byte[UPLOAD_ID_BYTES];
        random.nextBytes(id);
        UploadRecord record = new UploadRecord(
                key,
                clock.millis(),
                initiator.userId(),
                metadata.systemMetadata(),
                metadata.userMetadata(),
                checksumAlgorithm,
                checksumType,
                metadata.acl(),
                metadata.tags());
        kv.transact(txn -> {
            Buckets.requireLive(txn, bucket);
            txn.put(Keys.upload(bucket.id(), id), record.encode());
            return null;
        });
        return HexFormat.of().formatHex(id);
    }

    public PartInfo uploadPart(
            Bucket bucket, String key, String uploadId, int partNumber, long lengthBytes, BodySource body) {
        byte[] id = parseUploadId(uploadId);
        if (partNumber < 1 || partNumber > config.partsCountMax())
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT,
                    "partNumber=" + partNumber + " outside [1, " + config.partsCountMax() + "]");
        if (lengthBytes > PART_BYTES_MAX)
            throw new NamespaceException(
                    Reason.ENTITY_TOO_LARGE, "part length=" + lengthBytes + " > " + PART_BYTES_MAX);
        requireUpload(kv.get(Keys.upload(bucket.id(), id)), key, uploadId);
        DataWriter.Written w = data.write(body, lengthBytes, false);
        long now = clock.millis();
        PartRecord part = new PartRecord(partNumber, lengthBytes, w.md5, now, w.chunks, w.checksum);
        byte[] partKey = Keys.part(bucket.id(), id, partNumber);
        try {
            kv.transact(txn -> {
                UploadRecord upload = requireUpload(txn.get(Keys.upload(bucket.id(), id)), key, uploadId);
                requirePartChecksum(upload, part);
                ObjectWrites.takeIntent(txn, w.intentKey);
                byte[] old = txn.get(partKey);
                if (old != null) retirePart(txn, PartRecord.decode(old), now);
                txn.put(partKey, part.encode());
                return null;
            });
        } catch (RuntimeException e) {
            w.discard(e);
            throw e;
        }
        return new PartInfo(partNumber, lengthBytes, HexFormat.of().formatHex(w.md5), now, w.checksum);
    }

    /** A part of an upload that declared a checksum algorithm must carry a checksum of that algorithm. */
    private static void requirePartChecksum(UploadRecord upload, PartRecord part) {
        String wanted = upload.checksumAlgorithm();
        if (wanted == null) return;
        ObjectChecksum got = part.checksum();
        if (got == null || !got.algorithm().equals(wanted))
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT,
                    "part " + part.partNumber() + " carries checksum " + (got == null ? "none" : got.algorithm())
                            + " but the upload declared " + wanted);
    }

    /**
     * @param combiner computes the object's checksum when the upload declared an algorithm (may be null
     *     otherwise)
     */
    public ObjectInfo complete(
            Bucket bucket,
            String key,
            String uploadId,
            List<UploadPart> parts,
            WriteCondition condition,
            ChecksumCombiner combiner) {
        byte[] id = parseUploadId(uploadId);
        checkPartList(parts);
        long now = clock.millis();
        byte[] uploadFrom = Keys.upload(bucket.id(), id);
        byte[] uploadTo = Keys.successor(uploadFrom);
        ObjectHead head = kv.transact(txn -> {
            byte[] uploadValue = txn.get(uploadFrom);
            if (uploadValue == null) {
                // Completing an upload that already completed answers the object it made (S3 does).
                ObjectHead done = completedBy(txn.get(Keys.objectHead(bucket.id(), key)), id);
                if (done != null) return done;
            }
            UploadRecord upload = requireUpload(uploadValue, key, uploadId);
            Map<Integer, PartRecord> stored = new HashMap<>();
            for (KeyValue e : txn.scan(uploadFrom, uploadTo, config.partsCountMax() + 1, false)) {
                if (e.key().length == uploadFrom.length) continue;
                PartRecord p = PartRecord.decode(e.value());
                stored.put(p.partNumber(), p);
            }
            ObjectHead stitched = stitch(upload, parts, stored, id, now, combiner);
            // A condition that fails in applyHead aborts this whole transaction: the upload stays.
            for (UploadPart p : parts) stored.remove(p.partNumber());
            for (PartRecord unused : stored.values()) retirePart(txn, unused, now);
            txn.deleteRange(uploadFrom, uploadTo);
            writes.applyHead(txn, bucket, key, stitched, null, now, condition);
            return stitched;
        });
        return ObjectReads.info(key, head);
    }

    /** A completion's list of parts: some, not too many, in ascending order. */
    private void checkPartList(List<UploadPart> parts) {
        if (parts.isEmpty()) throw new NamespaceException(Reason.INVALID_ARGUMENT, "no parts given");
        if (parts.size() > config.partsCountMax())
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT, "parts=" + parts.size() + " > " + config.partsCountMax());
        for (int i = 1; i < parts.size(); i++)
            if (parts.get(i).partNumber() <= parts.get(i - 1).partNumber())
                throw new NamespaceException(Reason.INVALID_PART_ORDER, "part numbers must ascend");
    }

    /** An upload's parts stitched for a hierarchical bucket, whose file gets their bytes copied in. */
    public record Assembled(ObjectHead head, byte[] uploadId, byte[] uploadValue) {}

    /**
     * The first half of CompleteMultipartUpload on a hierarchical bucket: the parts checked and stitched as
     * {@link #complete} does, nothing changed. {@link #finishAssembled} ends the upload in the commit that links
     * the file.
     */
    public Assembled assemble(
            Bucket bucket, String key, String uploadId, List<UploadPart> parts, ChecksumCombiner combiner) {
        byte[] id = parseUploadId(uploadId);
        checkPartList(parts);
        byte[] uploadFrom = Keys.upload(bucket.id(), id);
        byte[] uploadValue = kv.get(uploadFrom);
        UploadRecord upload = requireUpload(uploadValue, key, uploadId);
        Map<Integer, PartRecord> stored = new HashMap<>();
        for (KeyValue e : kv.scan(uploadFrom, Keys.successor(uploadFrom), config.partsCountMax() + 1, false)) {
            if (e.key().length == uploadFrom.length) continue;
            PartRecord p = PartRecord.decode(e.value());
            stored.put(p.partNumber(), p);
        }
        return new Assembled(stitch(upload, parts, stored, id, clock.millis(), combiner), id, uploadValue);
    }

    /**
     * In the commit of an assembled upload: the upload must be as it was (else NO_SUCH_UPLOAD: it was aborted or
     * completed meanwhile); every part's chunks go to the garbage queue (the file has its own copy) and the upload
     * ends.
     */
    public void finishAssembled(Txn txn, Bucket bucket, Assembled assembled) {
        byte[] uploadFrom = Keys.upload(bucket.id(), assembled.uploadId());
        byte[] now = txn.get(uploadFrom);
        if (now == null || !java.util.Arrays.equals(now, assembled.uploadValue()))
            throw new NamespaceException(Reason.NO_SUCH_UPLOAD, "the upload ended while it was being completed");
        long nowMillis = clock.millis();
        byte[] uploadTo = Keys.successor(uploadFrom);
        for (KeyValue e : txn.scan(uploadFrom, uploadTo, config.partsCountMax() + 1, false))
            if (e.key().length > uploadFrom.length) retirePart(txn, PartRecord.decode(e.value()), nowMillis);
        txn.deleteRange(uploadFrom, uploadTo);
    }

    private ObjectHead stitch(
            UploadRecord upload,
            List<UploadPart> parts,
            Map<Integer, PartRecord> stored,
            byte[] id,
            long now,
            ChecksumCombiner combiner) {
        MessageDigest md5OfMd5s = DataWriter.md5();
        List<ChunkRef> chunks = new ArrayList<>();
        List<PartRecord> used = new ArrayList<>(parts.size());
        long[] sizes = new long[parts.size()];
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            UploadPart wanted = parts.get(i);
            PartRecord p = stored.get(wanted.partNumber());
            if (p == null || !HexFormat.of().formatHex(p.md5()).equalsIgnoreCase(wanted.etag()))
                throw new NamespaceException(Reason.INVALID_PART, "part " + wanted.partNumber() + " not found");
            if (i < parts.size() - 1 && p.sizeBytes() < config.partBytesMin())
                throw new NamespaceException(
                        Reason.ENTITY_TOO_SMALL,
                        "part " + p.partNumber() + " is " + p.sizeBytes() + " bytes < " + config.partBytesMin());
            md5OfMd5s.update(p.md5());
            used.add(p);
            chunks.addAll(p.chunks());
            sizes[i] = p.sizeBytes();
            total += p.sizeBytes();
        }
        String etag = HexFormat.of().formatHex(md5OfMd5s.digest()) + "-" + parts.size();
        List<String> partValues = partChecksums(upload, used);
        ObjectChecksum combined = null;
        if (partValues != null) {
            if (combiner == null)
                throw new IllegalArgumentException(
                        "upload declared " + upload.checksumAlgorithm() + " but no combiner was given");
            combined = combiner.combine(upload.checksumAlgorithm(), upload.checksumType(), partValues, sizes);
            if (!combined.algorithm().equals(upload.checksumAlgorithm()))
                throw new IllegalStateException(
                        "combined " + combined.algorithm() + " for an upload of " + upload.checksumAlgorithm());
        }
        ByteBuffer uid = ByteBuffer.wrap(id);
        return new ObjectHead(
                uid.getLong(),
                uid.getLong(),
                total,
                etag,
                now,
                upload.systemMetadata(),
                upload.userMetadata(),
                false,
                chunks,
                sizes,
                combined,
                partValues == null ? List.of() : List.copyOf(partValues),
                upload.acl(),
                upload.tags());
    }

    /** The parts' checksums in order when the upload declared an algorithm, else null. */
    private static List<String> partChecksums(UploadRecord upload, List<PartRecord> parts) {
        if (upload.checksumAlgorithm() == null) return null;
        List<String> values = new ArrayList<>(parts.size());
        for (PartRecord p : parts) {
            // Parts written before the upload record knew checksums (format 1) have none.
            if (p.checksum() == null || !p.checksum().algorithm().equals(upload.checksumAlgorithm()))
                throw new NamespaceException(
                        Reason.INVALID_PART,
                        "part " + p.partNumber() + " has no " + upload.checksumAlgorithm() + " checksum");
            values.add(p.checksum().value());
        }
        return values;
    }

    public void abort(Bucket bucket, String key, String uploadId) {
        byte[] id = parseUploadId(uploadId);
        byte[] uploadFrom = Keys.upload(bucket.id(), id);
        byte[] uploadTo = Keys.successor(uploadFrom);
        long now = clock.millis();
        kv.transact(txn -> {
            requireUpload(txn.get(uploadFrom), key, uploadId);
            for (KeyValue e : txn.scan(uploadFrom, uploadTo, config.partsCountMax() + 1, false))
                if (e.key().length > uploadFrom.length) retirePart(txn, PartRecord.decode(e.value()), now);
            txn.deleteRange(uploadFrom, uploadTo);
            return null;
        });
    }

    private void retirePart(Txn txn, PartRecord part, long now) {
        Uid uid = Uid.next();
        ObjectWrites.retireChunks(txn, uid.high(), uid.low(), part.chunks(), now + config.garbageDelayMillis());
    }

    /** The head {@code headValue} when upload {@code id} made it (its uid is the upload id), else null. */
    private static ObjectHead completedBy(byte[] headValue, byte[] id) {
        if (headValue == null) return null;
        ObjectHead h = ObjectHead.decode(headValue);
        ByteBuffer uid = ByteBuffer.wrap(id);
        return h.partSizes().length > 0 && h.uidHigh() == uid.getLong() && h.uidLow() == uid.getLong() ? h : null;
    }

    static UploadRecord requireUpload(byte[] value, String key, String uploadId) {
        if (value == null) throw new NamespaceException(Reason.NO_SUCH_UPLOAD, "no upload " + uploadId);
        UploadRecord upload = UploadRecord.decode(value);
        if (!upload.key().equals(key))
            throw new NamespaceException(Reason.NO_SUCH_UPLOAD, "upload " + uploadId + " is not for this key");
        return upload;
    }

    static byte[] parseUploadId(String uploadId) {
        if (uploadId == null || uploadId.length() != UPLOAD_ID_BYTES * 2)
            throw new NamespaceException(Reason.NO_SUCH_UPLOAD, "no upload " + uploadId);
        try {
            return HexFormat.of().parseHex(uploadId);
        } catch (IllegalArgumentException e) {
            throw new NamespaceException(Reason.NO_SUCH_UPLOAD, "no upload " + uploadId, e);
        }
    }
}
