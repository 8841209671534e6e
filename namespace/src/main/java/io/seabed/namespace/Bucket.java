package io.seabed.namespace;

import java.util.Map;

/**
 * A bucket as the fronts see it; {@code acl} is owned by {@code ownerUserId}; {@code tags} in order;
 * {@code hierarchical}: directories and inodes (served over NFS), else flat keys (S3's default).
 */
public record Bucket(
        long id,
        String name,
        long ownerTenantId,
        String ownerUserId,
        long createdMillis,
        Acl acl,
        Map<String, String> tags,
        boolean hierarchical) {
    public Bucket {
        tags = tags == null ? Map.of() : tags;
    }

    public Bucket(long id, String name, long ownerTenantId, String ownerUserId, long createdMillis, Acl acl) {
        this(id, name, ownerTenantId, ownerUserId, createdMillis, acl, Map.of(), false);
    }

    /** How a bucket keeps its objects, chosen at creation. */
    public enum Mode {
        FLAT,
        HIERARCHICAL
    }
}
