package io.seabed.namespace;

/** A bucket as the fronts see it. */
public record Bucket(long id, String name, long ownerTenantId, String ownerUserId, long createdMillis) {}
