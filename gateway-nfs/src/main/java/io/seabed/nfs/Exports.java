package io.seabed.nfs;

/** Which buckets are exported, and how. Thread-safe. */
public interface Exports {
    /** The options of bucket {@code bucketName}'s export, or null when it is not exported. */
    ExportOptions optionsFor(String bucketName);

    /** Every bucket exported with the same options. */
    static Exports all(ExportOptions options) {
        return bucketName -> options;
    }
}
