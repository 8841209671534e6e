package io.seabed.namespace;

import java.util.List;
import java.util.Objects;

/**
 * An access control list (S3 ACL) of a bucket or an object: its owner and the grants. The owner
 * always has full control; the grants add to that.
 *
 * @param ownerId canonical id of the owner (the bucket's creator, the object's writer)
 * @param ownerDisplayName the owner's display name when it was written, or null
 */
public record Acl(String ownerId, String ownerDisplayName, List<Grant> grants) {
    public static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    public static final String AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

    public enum Permission {
        FULL_CONTROL,
        READ,
        WRITE,
        READ_ACP,
        WRITE_ACP
    }

    /** Whom a grant is for: a user by canonical id, or a predefined group. */
    public sealed interface Grantee {
        /** @param displayName as resolved when the grant was made, or null */
        record CanonicalUser(String id, String displayName) implements Grantee {
            public CanonicalUser {
                Objects.requireNonNull(id, "id");
            }
        }

        /** @param uri {@link #ALL_USERS} or {@link #AUTHENTICATED_USERS} */
        record Group(String uri) implements Grantee {
            public Group {
                if (!uri.equals(ALL_USERS) && !uri.equals(AUTHENTICATED_USERS))
                    throw new IllegalArgumentException("unknown group " + uri);
            }
        }
    }

    public record Grant(Grantee grantee, Permission permission) {}

    public Acl {
        Objects.requireNonNull(ownerId, "ownerId");
        grants = List.copyOf(grants);
    }

    /** The default ACL: the owner has full control, nobody else anything. */
    public static Acl ownerOnly(String ownerId, String ownerDisplayName) {
        return new Acl(
                ownerId,
                ownerDisplayName,
                List.of(new Grant(new Grantee.CanonicalUser(ownerId, ownerDisplayName), Permission.FULL_CONTROL)));
    }
}
