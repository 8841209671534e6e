package io.seabed.s3;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Acl.Grant;
import io.seabed.namespace.Acl.Grantee;
import io.seabed.namespace.Acl.Permission;

/**
 * The one authorization rule of the S3 front, pure: whether a caller (a user id, or null for an
 * anonymous request) holds a permission on a bucket or an object under its ACL. The owner always has
 * full control; otherwise a grant to the caller's id, to AuthenticatedUsers (any signed request) or to
 * AllUsers (anyone) of the permission or of FULL_CONTROL allows it.
 */
final class Access {
    private Access() {}

    static boolean allows(Acl acl, String callerId, Permission needed) {
        if (callerId != null && callerId.equals(acl.ownerId())) return true;
        for (Grant g : acl.grants())
            if ((g.permission() == needed || g.permission() == Permission.FULL_CONTROL)
                    && covers(g.grantee(), callerId)) return true;
        return false;
    }

    /**
     * The ACL deciding access to an object: its own, or for an object written without one (before
     * ACLs existed) the bucket owner's alone.
     */
    static Acl objectAcl(Acl bucketAcl, Acl objectAcl) {
        return objectAcl != null ? objectAcl : Acl.ownerOnly(bucketAcl.ownerId(), bucketAcl.ownerDisplayName());
    }

    private static boolean covers(Grantee grantee, String callerId) {
        return switch (grantee) {
            case Grantee.CanonicalUser u -> u.id().equals(callerId);
            case Grantee.Group g -> g.uri().equals(Acl.ALL_USERS) || callerId != null;
        };
    }
}
