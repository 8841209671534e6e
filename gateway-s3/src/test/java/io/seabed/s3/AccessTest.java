package io.seabed.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Acl.Grant;
import io.seabed.namespace.Acl.Grantee;
import io.seabed.namespace.Acl.Permission;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The authorization rule: owner, user grants, groups, anonymous callers. */
class AccessTest {
    private static final String OWNER = "owner-id";
    private static final String ALT = "alt-id";

    private static Acl acl(Grant... grants) {
        return new Acl(OWNER, "Owner", List.of(grants));
    }

    private static Grant user(String id, Permission p) {
        return new Grant(new Grantee.CanonicalUser(id, null), p);
    }

    private static Grant group(String uri, Permission p) {
        return new Grant(new Grantee.Group(uri), p);
    }

    @Test
    void ownerAlwaysHasFullControl() {
        Acl none = acl();
        for (Permission p : Permission.values()) assertTrue(Access.allows(none, OWNER, p), p.name());
        assertFalse(Access.allows(none, ALT, Permission.READ));
        assertFalse(Access.allows(none, null, Permission.READ));
    }

    @Test
    void privateAllowsNobodyElse() {
        Acl acl = Acls.canned("private", OWNER, "Owner", null);
        for (Permission p : Permission.values()) {
            assertFalse(Access.allows(acl, ALT, p));
            assertFalse(Access.allows(acl, null, p));
        }
    }

    @Test
    void userGrantsGiveTheirPermissionOrAllWithFullControl() {
        Acl acl = acl(user(ALT, Permission.READ), user("third", Permission.FULL_CONTROL));
        assertTrue(Access.allows(acl, ALT, Permission.READ));
        assertFalse(Access.allows(acl, ALT, Permission.WRITE));
        assertFalse(Access.allows(acl, ALT, Permission.READ_ACP));
        for (Permission p : Permission.values()) assertTrue(Access.allows(acl, "third", p));
        assertFalse(Access.allows(acl, null, Permission.READ));
    }

    @Test
    void allUsersIncludesAnonymousAuthenticatedUsersDoesNot() {
        Acl publicRead = Acls.canned("public-read", OWNER, "Owner", null);
        assertTrue(Access.allows(publicRead, null, Permission.READ));
        assertTrue(Access.allows(publicRead, ALT, Permission.READ));
        assertFalse(Access.allows(publicRead, null, Permission.WRITE));
        Acl publicWrite = Acls.canned("public-read-write", OWNER, "Owner", null);
        assertTrue(Access.allows(publicWrite, null, Permission.WRITE));
        assertFalse(Access.allows(publicWrite, null, Permission.WRITE_ACP));
        Acl authenticated = Acls.canned("authenticated-read", OWNER, "Owner", null);
        assertTrue(Access.allows(authenticated, ALT, Permission.READ));
        assertFalse(Access.allows(authenticated, null, Permission.READ));
        assertTrue(Access.allows(acl(group(Acl.AUTHENTICATED_USERS, Permission.WRITE)), ALT, Permission.WRITE));
    }

    @Test
    void bucketOwnerCannedAclsGrantTheBucketOwner() {
        Acl bucket = Acl.ownerOnly(OWNER, "Owner");
        Acl read = Acls.canned("bucket-owner-read", ALT, "Alt", bucket);
        assertEquals(ALT, read.ownerId());
        assertTrue(Access.allows(read, OWNER, Permission.READ));
        assertFalse(Access.allows(read, OWNER, Permission.WRITE_ACP));
        Acl full = Acls.canned("bucket-owner-full-control", ALT, "Alt", bucket);
        assertTrue(Access.allows(full, OWNER, Permission.WRITE_ACP));
        assertEquals(
                1,
                Acls.canned("bucket-owner-read", OWNER, "Owner", bucket)
                        .grants()
                        .size());
    }

    @Test
    void objectWithoutItsOwnAclIsTheBucketOwners() {
        Acl bucket = Acls.canned("public-read", OWNER, "Owner", null);
        Acl effective = Access.objectAcl(bucket, null);
        assertTrue(Access.allows(effective, OWNER, Permission.READ));
        assertFalse(Access.allows(effective, null, Permission.READ));
        Acl own = Acl.ownerOnly(ALT, null);
        assertEquals(own, Access.objectAcl(bucket, own));
    }

    @Test
    void unknownCannedAclIsInvalidArgument() {
        S3Exception e = assertThrows(S3Exception.class, () -> Acls.canned("public-ish", OWNER, null, null));
        assertEquals(S3ErrorCode.INVALID_ARGUMENT, e.code());
    }
}
