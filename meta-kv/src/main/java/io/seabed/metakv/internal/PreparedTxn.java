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
    /**
     * Key fingerprints for the resolver ({@link KeyFingerprint}), computed here, on the transaction's own thread,
     * so the resolver's single thread does not hash key bytes.
     */
    final long[] readFingerprints;

    final long[] writtenFingerprints;

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
        this.readFingerprints = KeyFingerprint.of(readKeys);
        this.writtenFingerprints = KeyFingerprint.of(writtenKeys);
    }

    boolean hasReads() {
        return !readKeys.isEmpty() || !readRanges.isEmpty();
    }

    @Override
    public ByteString getContent() {
        return content;
    }
}
