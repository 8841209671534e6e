package io.seabed.namespace;

import java.util.List;

/**
 * Computes a multipart object's checksum from the checksums of its parts; the gateway supplies it,
 * since it knows the algorithms. Called inside the completion's metadata transaction: it must be
 * pure CPU work (no I/O), and it may throw to refuse the completion (the upload then stays).
 */
@FunctionalInterface
public interface ChecksumCombiner {
    /**
     * @param algorithm the upload's checksum algorithm
     * @param type the checksum type the upload declared
     * @param partChecksums the stored part checksums (base64), in the order of the completion's parts
     * @param partSizes the parts' sizes in bytes, in the same order
     * @return the object's checksum
     */
    ObjectChecksum combine(String algorithm, ObjectChecksum.Type type, List<String> partChecksums, long[] partSizes);
}
