package io.seabed.s3;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Acl.Grant;
import io.seabed.namespace.Acl.Grantee;
import io.seabed.namespace.Acl.Permission;
import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.User;
import io.seabed.s3.xml.XmlReader;
import io.seabed.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * S3 ACLs on the wire: the x-amz-acl canned ACLs, the x-amz-grant-* headers and the
 * AccessControlPolicy document, read into a namespace {@link Acl} and written back. Grantees given by
 * id or e-mail address are resolved to users when the ACL is set.
 */
final class Acls {
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    private static final Pattern GRANTEE = Pattern.compile("\\s*([A-Za-z]+)\\s*=\\s*\"([^\"]*)\"\\s*(?:,|$)");
    private static final String[][] GRANT_HEADERS = {
        {"x-amz-grant-read", "READ"},
        {"x-amz-grant-write", "WRITE"},
        {"x-amz-grant-read-acp", "READ_ACP"},
        {"x-amz-grant-write-acp", "WRITE_ACP"},
        {"x-amz-grant-full-control", "FULL_CONTROL"}
    };

    private final Namespace namespace;
    private final S3Config config;

    Acls(Namespace namespace, S3Config config) {
        this.namespace = namespace;
        this.config = config;
    }

    /** PutBucketAcl. */
    void putBucketAcl(S3Request r, Bucket b) {
        namespace.setBucketAcl(b, forPut(r, b.acl(), null));
        r.respond(200, S3Server.headers(), null);
    }

    /** PutObjectAcl: {@code current} is the object's ACL now. */
    void putObjectAcl(S3Request r, Bucket b, String key, Acl current) {
        namespace.setObjectAcl(b, key, forPut(r, current, b.acl()));
        r.respond(200, S3Server.headers(), null);
    }

    /**
     * The ACL a create or write request asks for (x-amz-acl or x-amz-grant-*), owned by {@code owner};
     * without either, the owner's alone; null when the request carries neither and {@code orNull}.
     *
     * @param bucketOwner the bucket's ACL, for bucket-owner-read and bucket-owner-full-control (objects
     *     only; null for a bucket)
     */
    Acl requested(S3Request r, String ownerId, String ownerName, Acl bucketOwner, boolean orNull) {
        String canned = r.http.getHeader("x-amz-acl");
        List<Grant> grants = headerGrants(r);
        if (canned != null && grants != null)
            throw new S3Exception(
                    S3ErrorCode.INVALID_REQUEST, "Specifying both Canned ACLs and Header Grants is not allowed");
        if (grants != null) return new Acl(ownerId, ownerName, grants);
        if (canned != null) return canned(canned.trim(), ownerId, ownerName, bucketOwner);
        return orNull ? null : Acl.ownerOnly(ownerId, ownerName);
    }

    /** A canned ACL; an unknown name is InvalidArgument. */
    static Acl canned(String name, String ownerId, String ownerName, Acl bucketOwner) {
        List<Grant> grants = new ArrayList<>();
        grants.add(new Grant(new Grantee.CanonicalUser(ownerId, ownerName), Permission.FULL_CONTROL));
        switch (name) {
            case "private" -> {}
            case "public-read" -> grants.add(group(Acl.ALL_USERS, Permission.READ));
            case "public-read-write" -> {
                grants.add(group(Acl.ALL_USERS, Permission.READ));
                grants.add(group(Acl.ALL_USERS, Permission.WRITE));
            }
            case "authenticated-read" -> grants.add(group(Acl.AUTHENTICATED_USERS, Permission.READ));
            case "bucket-owner-read", "bucket-owner-full-control" -> {
                if (bucketOwner != null && !bucketOwner.ownerId().equals(ownerId))
                    grants.add(new Grant(
                            new Grantee.CanonicalUser(bucketOwner.ownerId(), bucketOwner.ownerDisplayName()),
                            name.equals("bucket-owner-read") ? Permission.READ : Permission.FULL_CONTROL));
            }
            default -> throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid canned ACL: " + name);
        }
        return new Acl(ownerId, ownerName, grants);
    }

    private static Grant group(String uri, Permission p) {
        return new Grant(new Grantee.Group(uri), p);
    }

    /** The grants of the x-amz-grant-* headers, or null when there are none. */
    private List<Grant> headerGrants(S3Request r) {
        List<Grant> grants = null;
        for (String[] h : GRANT_HEADERS) {
            String value = r.http.getHeader(h[0]);
            if (value == null) continue;
            if (grants == null) grants = new ArrayList<>();
            Permission p = Permission.valueOf(h[1]);
            Matcher m = GRANTEE.matcher(value);
            int at = 0;
            while (at < value.length() && m.find(at) && m.start() == at) {
                grants.add(new Grant(grantee(m.group(1).toLowerCase(Locale.ROOT), m.group(2)), p));
                at = m.end();
            }
            if (at != value.length() || at == 0)
                throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid grant header " + h[0]);
        }
        return grants;
    }

    /** A grantee of a header (type id, emailaddress or uri) or of a document, resolved. */
    private Grantee grantee(String type, String value) {
        return switch (type) {
            case "id" -> {
                User u = namespace.tenants().userById(value);
                if (u == null) throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid id");
                yield new Grantee.CanonicalUser(u.userId(), u.displayName());
            }
            case "emailaddress" -> {
                User u = namespace.tenants().userByEmail(value);
                if (u == null) throw new S3Exception(S3ErrorCode.UNRESOLVABLE_GRANT_BY_EMAIL_ADDRESS);
                yield new Grantee.CanonicalUser(u.userId(), u.displayName());
            }
            case "uri" -> {
                if (!value.equals(Acl.ALL_USERS) && !value.equals(Acl.AUTHENTICATED_USERS))
                    throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid group uri");
                yield new Grantee.Group(value);
            }
            default -> throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Invalid grantee type " + type);
        };
    }

    /**
     * The ACL of a PutBucketAcl or PutObjectAcl: canned or grant headers, or else the
     * AccessControlPolicy document, whose owner must be the resource's.
     */
    private Acl forPut(S3Request r, Acl current, Acl bucketAcl) {
        byte[] body = BucketOps.xmlBody(r, config.xmlBodyBytesMax());
        Acl fromHeaders = requested(r, current.ownerId(), current.ownerDisplayName(), bucketAcl, true);
        if (fromHeaders != null) {
            if (body.length > 0) throw new S3Exception(S3ErrorCode.UNEXPECTED_CONTENT);
            return fromHeaders;
        }
        if (body.length == 0) throw new S3Exception(S3ErrorCode.MALFORMED_ACL_ERROR);
        XmlReader.Element root;
        try {
            root = XmlReader.parse(body);
        } catch (S3Exception e) {
            throw new S3Exception(S3ErrorCode.MALFORMED_ACL_ERROR);
        }
        if (!root.name().equals("AccessControlPolicy")) throw new S3Exception(S3ErrorCode.MALFORMED_ACL_ERROR);
        XmlReader.Element owner = root.child("Owner");
        XmlReader.Element list = root.child("AccessControlList");
        if (owner == null || owner.childText("ID") == null || list == null)
            throw new S3Exception(S3ErrorCode.MALFORMED_ACL_ERROR);
        if (!owner.childText("ID").equals(current.ownerId())) throw new S3Exception(S3ErrorCode.ACCESS_DENIED);
        List<Grant> grants = new ArrayList<>();
        for (XmlReader.Element g : list.all("Grant")) {
            XmlReader.Element grantee = g.child("Grantee");
            String permission = g.childText("Permission");
            if (grantee == null || permission == null || !isPermission(permission))
                throw new S3Exception(S3ErrorCode.MALFORMED_ACL_ERROR);
            grants.add(new Grant(documentGrantee(grantee), Permission.valueOf(permission)));
        }
        return new Acl(current.ownerId(), current.ownerDisplayName(), grants);
    }

    private Grantee documentGrantee(XmlReader.Element e) {
        if (e.childText("ID") != null) return grantee("id", e.childText("ID"));
        if (e.childText("EmailAddress") != null) return grantee("emailaddress", e.childText("EmailAddress"));
        if (e.childText("URI") != null) return grantee("uri", e.childText("URI"));
        throw new S3Exception(S3ErrorCode.MALFORMED_ACL_ERROR);
    }

    private static boolean isPermission(String s) {
        for (Permission p : Permission.values()) if (p.name().equals(s)) return true;
        return false;
    }

    /** GetBucketAcl and GetObjectAcl: the AccessControlPolicy document. */
    void render(S3Request r, Acl acl) {
        XmlWriter x = new XmlWriter()
                .openRoot("AccessControlPolicy")
                .open("Owner")
                .element("ID", acl.ownerId())
                .element("DisplayName", displayName(acl.ownerId(), acl.ownerDisplayName()))
                .close("Owner")
                .open("AccessControlList");
        // Group grants first, then grants to users, each in stored order (RGW's order; s3-tests relies on it).
        List<Grant> ordered = new ArrayList<>(acl.grants());
        ordered.sort(Comparator.comparingInt(g -> g.grantee() instanceof Grantee.Group ? 0 : 1));
        for (Grant g : ordered) {
            x.open("Grant");
            switch (g.grantee()) {
                case Grantee.CanonicalUser u ->
                    x.open("Grantee", "xmlns:xsi", XSI, "xsi:type", "CanonicalUser")
                            .element("ID", u.id())
                            .element("DisplayName", displayName(u.id(), u.displayName()));
                case Grantee.Group group ->
                    x.open("Grantee", "xmlns:xsi", XSI, "xsi:type", "Group").element("URI", group.uri());
            }
            x.close("Grantee").element("Permission", g.permission().name()).close("Grant");
        }
        BucketOps.xml(r, x.close("AccessControlList").close("AccessControlPolicy"));
    }

    /** The display name stored with the ACL, else the user's now, else the id. */
    private String displayName(String id, String stored) {
        if (stored != null) return stored;
        User u = namespace.tenants().userById(id);
        return u != null && u.displayName() != null ? u.displayName() : id;
    }

    /** The ACL of a bucket created by {@code owner} as the request asks. */
    Acl forBucket(S3Request r, User owner) {
        return requested(r, owner.userId(), owner.displayName(), null, false);
    }

    /** The ACL of an object written into {@code b} as the request asks; an anonymous writer's object is the bucket owner's. */
    Acl forObject(S3Request r, Bucket b) {
        String ownerId = r.user != null ? r.user.userId() : b.ownerUserId();
        String ownerName = r.user != null ? r.user.displayName() : b.acl().ownerDisplayName();
        return requested(r, ownerId, ownerName, b.acl(), false);
    }
}
