package io.seabed.namespace.schema;

import io.seabed.namespace.Acl;
import io.seabed.namespace.Acl.Grant;
import io.seabed.namespace.Acl.Grantee;
import io.seabed.namespace.Acl.Permission;
import java.util.ArrayList;
import java.util.List;

/** The stored form of an {@link Acl} (inside bucket, object head and upload values); null allowed. */
public final class AclCodec {
    private static final int GRANTEE_USER = 1;
    private static final int GRANTEE_GROUP = 2;

    private AclCodec() {}

    /** An ACL or null: the owner id (null string for none), display name, then the grants. */
    public static void write(ValueWriter w, Acl acl) {
        if (acl == null) {
            w.string(null);
            return;
        }
        w.string(acl.ownerId())
                .string(acl.ownerDisplayName())
                .varLong(acl.grants().size());
        for (Grant g : acl.grants()) {
            switch (g.grantee()) {
                case Grantee.CanonicalUser u ->
                    w.u8(GRANTEE_USER).string(u.id()).string(u.displayName());
                case Grantee.Group group -> w.u8(GRANTEE_GROUP).string(group.uri());
            }
            w.u8(permissionCode(g.permission()));
        }
    }

    public static Acl read(ValueReader r) {
        String owner = r.string();
        if (owner == null) return null;
        String displayName = r.string();
        int n = r.varInt();
        List<Grant> grants = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = r.u8();
            Grantee grantee =
                    switch (kind) {
                        case GRANTEE_USER -> new Grantee.CanonicalUser(r.string(), r.string());
                        case GRANTEE_GROUP -> new Grantee.Group(r.string());
                        default -> throw new IllegalStateException("grantee kind=" + kind);
                    };
            grants.add(new Grant(grantee, permission(r.u8())));
        }
        return new Acl(owner, displayName, grants);
    }

    /** Stable codes of permissions (stored values; never renumber). */
    static int permissionCode(Permission p) {
        return switch (p) {
            case FULL_CONTROL -> 1;
            case READ -> 2;
            case WRITE -> 3;
            case READ_ACP -> 4;
            case WRITE_ACP -> 5;
        };
    }

    static Permission permission(int code) {
        return switch (code) {
            case 1 -> Permission.FULL_CONTROL;
            case 2 -> Permission.READ;
            case 3 -> Permission.WRITE;
            case 4 -> Permission.READ_ACP;
            case 5 -> Permission.WRITE_ACP;
            default -> throw new IllegalStateException("permission code=" + code);
        };
    }
}
