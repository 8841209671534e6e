package io.seabed.namespace;

/** An authenticated principal: one access key of one user of one tenant. */
public record User(
        String accessKey,
        String secretKey,
        long tenantId,
        String tenantName,
        String userName,
        String userId,
        String displayName,
        String email,
        boolean admin) {
    @Override
    public String toString() {
        return "User[" + tenantName + "/" + userName + ", accessKey=" + accessKey + "]";
    }
}
