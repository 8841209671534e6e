package io.seabed.metakv.internal;

import java.util.List;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * A transaction ready for the resolver: its encoded entry, the sequence it read at and what it read
 * and wrote. It travels in-process as the {@link Message} of a Ratis client request, so the state
 * machine's {@code startTransaction} gets the read set without decoding it; only {@link #entry} goes
 * to the log. The resolver writes its decision into {@link #entry} in place, before Ratis serializes
 * the log entry (see {@link KvStateMachine#preAppendTransaction}).
 */
final class PreparedTxn implements Message {
    final byte[] entry;
    final long readVersion;
    final List<byte[]> readKeys;
    final List<KeyRange> readRanges;
    final List<byte[]> writtenKeys;
    final List<KeyRange> writtenRanges;
    private final ByteString content;
    private long[] readFingerprints;
    private long[] writtenFingerprints;

    PreparedTxn(
            byte[] entry,
            long readVersion,
            List<byte[]> readKeys,
            List<KeyRange> readRanges,
            List<byte[]> writtenKeys,
            List<KeyRange> writtenRanges) {
        this.entry = entry;
        this.readVersion = readVersion;
        this.readKeys = readKeys;
        this.readRanges = readRanges;
        this.writtenKeys = writtenKeys;
        this.writtenRanges = writtenRanges;
        this.content = UnsafeByteOperations.unsafeWrap(entry);
    }

    /**
     * Computes the key fingerprints the resolver uses, on the caller's thread (the transaction's own), so the
     * resolver's single thread does not. Call before submitting.
     */
    PreparedTxn fingerprint() {
        readFingerprints = KeyFingerprint.of(readKeys);
        writtenFingerprints = KeyFingerprint.of(writtenKeys);
        return this;
    }

    long[] readFingerprints() {
        if (readFingerprints == null) readFingerprints = KeyFingerprint.of(readKeys);
        return readFingerprints;
    }

    long[] writtenFingerprints() {
        if (writtenFingerprints == null) writtenFingerprints = KeyFingerprint.of(writtenKeys);
        return writtenFingerprints;
    }

    boolean hasReads() {
        return !readKeys.isEmpty() || !readRanges.isEmpty();
    }

    @Override
    public ByteString getContent() {
        return content;
    }
}
