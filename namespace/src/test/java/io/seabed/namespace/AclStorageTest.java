package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seabed.namespace.Acl.Grant;
import io.seabed.namespace.Acl.Grantee;
import io.seabed.namespace.Acl.Permission;
import io.seabed.namespace.schema.BucketRecord;
import io.seabed.namespace.schema.ObjectHead;
import io.seabed.namespace.schema.UploadRecord;
import io.seabed.namespace.schema.ValueWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ACLs stored with buckets, object heads and uploads; older formats read as "the owner's alone". */
class AclStorageTest extends NamespaceTestBase {
    private static final Acl PUBLIC = new Acl(
            "owner",
            "Owner",
            List.of(
                    new Grant(new Grantee.CanonicalUser("owner", "Owner"), Permission.FULL_CONTROL),
                    new Grant(new Grantee.CanonicalUser("alt", null), Permission.WRITE_ACP),
                    new Grant(new Grantee.Group(Acl.ALL_USERS), Permission.READ)));

    @Test
    void bucketAclRoundTripsAndFormat1ReadsAsOwnerOnly() {
        BucketRecord r = new BucketRecord(7, "b", 1, "owner", 99, PUBLIC);
        assertEquals(r, BucketRecord.decode(r.encode()));
        byte[] format1 = new ValueWriter(64)
                .u8(1)
                .fixedLong(7)
                .string("b")
                .fixedLong(1)
                .string("owner")
                .varLong(99)
                .toByteArray();
        assertEquals(Acl.ownerOnly("owner", null), BucketRecord.decode(format1).acl());
    }

    @Test
    void uploadAclRoundTrips() {
        UploadRecord u = new UploadRecord("k", 9, "owner", Map.of(), Map.of(), null, null, PUBLIC);
        assertEquals(PUBLIC, UploadRecord.decode(u.encode()).acl());
    }

    @Test
    void bucketAndObjectAclsThroughTheNamespace() {
        Bucket b = f.ns.createBucket(f.user, "acls");
        assertEquals(Acl.ownerOnly(f.user.userId(), f.user.displayName()), b.acl());
        Acl bucketAcl =
                new Acl(f.user.userId(), null, List.of(new Grant(new Grantee.Group(Acl.ALL_USERS), Permission.READ)));
        assertEquals(bucketAcl, f.ns.setBucketAcl(b, bucketAcl).acl());
        assertEquals(bucketAcl, f.ns.bucket("acls").acl());

        f.ns.putObject(b, "plain", 1, ObjectMetadata.EMPTY, NamespaceFixture.body(new byte[] {1}));
        assertNull(f.ns.openObject(b, "plain", false).info().acl());
        byte[] data = {1, 2, 3};
        f.ns.putObject(b, "k", 3, new ObjectMetadata(Map.of(), Map.of(), PUBLIC), NamespaceFixture.body(data));
        assertEquals(PUBLIC, f.ns.openObject(b, "k", false).info().acl());
        Acl mine = Acl.ownerOnly("owner", "Owner");
        f.ns.setObjectAcl(b, "k", mine);
        ObjectHead head = f.ns.openObject(b, "k", true).head();
        assertEquals(mine, head.acl());
        assertEquals(3, head.sizeBytes());
        NamespaceException e = assertThrows(NamespaceException.class, () -> f.ns.setObjectAcl(b, "nope", mine));
        assertEquals(NamespaceException.Reason.NO_SUCH_KEY, e.reason());
    }
}
