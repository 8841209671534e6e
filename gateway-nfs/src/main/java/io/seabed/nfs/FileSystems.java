package io.seabed.nfs;

import io.seabed.namespace.fs.FileSystem;
import java.util.List;

/** The buckets the NFS front may serve, as file systems. Methods may block; thread-safe. */
public interface FileSystems {
    /** The file system of the bucket with this name, or null when there is none. */
    FileSystem open(String bucketName);

    /** By bucket id (from a file handle), or null when the bucket is gone. */
    FileSystem byId(long bucketId);

    /** Names of the buckets that could be exported (for MOUNT EXPORT). */
    List<String> buckets();
}
