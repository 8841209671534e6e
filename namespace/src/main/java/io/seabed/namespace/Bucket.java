package io.seabed.namespace;

/** A bucket as the fronts see it; {@code acl} is owned by {@code ownerUserId}. */
public record Bucket(long id, String name, long ownerTenantId, String ownerUserId, long createdMillis, Acl acl) {}
