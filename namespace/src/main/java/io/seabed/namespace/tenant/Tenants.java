package io.seabed.namespace.tenant;

import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKv;
import io.seabed.namespace.NamespaceException;
import io.seabed.namespace.NamespaceException.Reason;
import io.seabed.namespace.User;
import io.seabed.namespace.schema.Keys;
import io.seabed.namespace.schema.TenantRecord;
import io.seabed.namespace.schema.UserRecord;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Tenants and their users' access keys. Thread safe. */
public final class Tenants {
    public static final String ROOT_TENANT = "root";
    public static final String ROOT_USER = "root";
    /** Access keys resolved recently, kept this long so every request needs no metadata read. */
    static final long USER_CACHE_MILLIS = 5_000;

    static final int USER_CACHE_ENTRIES_MAX = 10_000;
    /** Access keys one listing reads at most (the access-key table is scanned whole). */
    public static final int USERS_LISTED_MAX = 100_000;

    static final int EMAIL_CHARS_MAX = 254;
    static final int DISPLAY_NAME_CHARS_MAX = 256;
    static final int USER_ID_CHARS_MAX = 128;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern ACCESS_KEY = Pattern.compile("[A-Za-z0-9._+/=-]{3,128}");
    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private final MetaKv kv;
    private final SecretSealer sealer;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > USER_CACHE_ENTRIES_MAX;
        }
    };

    private record Cached(User user, long expiresMillis) {}

    public Tenants(MetaKv kv, SecretSealer sealer, InstantSource clock) {
        this.kv = kv;
        this.sealer = sealer;
        this.clock = clock;
    }

    public TenantRecord createTenant(String name) {
        checkName("tenant", name);
        long id = kv.add(Keys.ALLOCATOR_TENANT_ID, 1);
        TenantRecord record = new TenantRecord(id, name, clock.millis());
        boolean created = kv.putIfAbsent(Keys.tenant(name), record.encode());
        if (!created) throw new NamespaceException(Reason.TENANT_EXISTS, "tenant " + name + " exists");
        return record;
    }

    public TenantRecord tenant(String name) {
        byte[] v = kv.get(Keys.tenant(name));
        if (v == null) throw new NamespaceException(Reason.NO_SUCH_TENANT, "no tenant " + name);
        return TenantRecord.decode(v);
    }

    public List<TenantRecord> tenants() {
        List<TenantRecord> out = new ArrayList<>();
        for (KeyValue e : kv.scan(Keys.tenantTable(), Keys.tableEnd(Keys.TENANT), 100_000, false))
            out.add(TenantRecord.decode(e.value()));
        return out;
    }

    /**
     * Adds an access key for {@code userName} of {@code tenantName}; generates the key and secret when
     * null. Fails with USER_EXISTS when the access key is taken.
     */
    public User createUser(
            String tenantName,
            String userName,
            String accessKey,
            String secretKey,
            String userId,
            String displayName,
            boolean admin) {
        return createUser(tenantName, userName, accessKey, secretKey, userId, displayName, null, admin);
    }

    /** As above, with an e-mail address (or null). */
    public User createUser(
            String tenantName,
            String userName,
            String accessKey,
            String secretKey,
            String userId,
            String displayName,
            String email,
            boolean admin) {
        checkName("user", userName);
        TenantRecord tenant = tenant(tenantName);
        String ak = accessKey != null ? accessKey : generate(KEY_ALPHABET, 20);
        String sk = secretKey != null ? secretKey : generate(SECRET_ALPHABET, 40);
        if (!ACCESS_KEY.matcher(ak).matches())
            throw new NamespaceException(Reason.INVALID_ARGUMENT, "access key must match " + ACCESS_KEY);
        if (sk.length() < 8 || sk.length() > 128)
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT, "secret key length " + sk.length() + " not in [8,128]");
        String id = userId != null ? userId : HexFormat.of().formatHex(randomBytes(32));
        String display = displayName != null ? displayName : userName;
        if (email != null && (email.length() > EMAIL_CHARS_MAX || !email.contains("@")))
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT, "email must contain @ and be at most " + EMAIL_CHARS_MAX + " characters");
        if (display.length() > DISPLAY_NAME_CHARS_MAX || id.length() > USER_ID_CHARS_MAX)
            throw new NamespaceException(
                    Reason.INVALID_ARGUMENT,
                    "display name must be at most " + DISPLAY_NAME_CHARS_MAX + " and id at most " + USER_ID_CHARS_MAX
                            + " characters");
        UserRecord record = new UserRecord(
                ak, tenant.id(), tenant.name(), userName, id, display, email, sealer.seal(sk), admin, clock.millis());
        kv.transact(txn -> {
            // Reading the tenant makes a concurrent deleteTenant conflict with this creation.
            if (txn.get(Keys.tenant(tenantName)) == null)
                throw new NamespaceException(Reason.NO_SUCH_TENANT, "no tenant " + tenantName);
            if (txn.get(Keys.accessKey(ak)) != null)
                throw new NamespaceException(Reason.USER_EXISTS, "access key " + ak + " exists");
            txn.put(Keys.accessKey(ak), record.encode());
            return null;
        });
        return toUser(record, sk);
    }

    /** The user holding {@code accessKey}, or null. */
    public User userByAccessKey(String accessKey) {
        long now = clock.millis();
        synchronized (cache) {
            Cached c = cache.get(accessKey);
            if (c != null && c.expiresMillis > now) return c.user;
        }
        byte[] v = kv.get(Keys.accessKey(accessKey));
        if (v == null) return null;
        UserRecord r = UserRecord.decode(v);
        User user = toUser(r, sealer.open(r.sealedSecret()));
        synchronized (cache) {
            cache.put(accessKey, new Cached(user, now + USER_CACHE_MILLIS));
        }
        return user;
    }

    public void deleteAccessKey(String accessKey) {
        kv.transact(txn -> {
            if (txn.get(Keys.accessKey(accessKey)) == null)
                throw new NamespaceException(Reason.NO_SUCH_USER, "no access key " + accessKey);
            txn.delete(Keys.accessKey(accessKey));
            return null;
        });
        synchronized (cache) {
            cache.remove(accessKey);
        }
    }

    /**
     * Makes sure the root tenant and its admin user exist. With keys given, that access key is made
     * (or kept) the root user's key with that secret; without, the existing root key is kept or a new
     * one generated. Returns the root user and whether its keys were generated now.
     */
    public RootUser ensureRoot(String accessKey, String secretKey) {
        if (kv.get(Keys.tenant(ROOT_TENANT)) == null) {
            try {
                createTenant(ROOT_TENANT);
            } catch (NamespaceException e) {
                if (e.reason() != Reason.TENANT_EXISTS) throw e;
            }
        }
        if (accessKey != null) {
            User existing = userByAccessKey(accessKey);
            if (existing != null && existing.secretKey().equals(secretKey)) return new RootUser(existing, false);
            if (existing != null) {
                UserRecord r = UserRecord.decode(kv.get(Keys.accessKey(accessKey)));
                UserRecord updated = new UserRecord(
                        r.accessKey(),
                        r.tenantId(),
                        r.tenantName(),
                        r.userName(),
                        r.userId(),
                        r.displayName(),
                        r.email(),
                        sealer.seal(secretKey),
                        r.admin(),
                        r.createdMillis());
                kv.transact(txn -> {
                    txn.put(Keys.accessKey(accessKey), updated.encode());
                    return null;
                });
                synchronized (cache) {
                    cache.remove(accessKey);
                }
                return new RootUser(userByAccessKey(accessKey), false);
            }
            return new RootUser(createUser(ROOT_TENANT, ROOT_USER, accessKey, secretKey, null, "root", true), false);
        }
        for (KeyValue e : kv.scan(new byte[] {Keys.ACCESS_KEY}, Keys.tableEnd(Keys.ACCESS_KEY), 100_000, false)) {
            UserRecord r = UserRecord.decode(e.value());
            if (r.tenantName().equals(ROOT_TENANT) && r.userName().equals(ROOT_USER) && r.admin())
                return new RootUser(toUser(r, sealer.open(r.sealedSecret())), false);
        }
        return new RootUser(createUser(ROOT_TENANT, ROOT_USER, null, null, null, "root", true), true);
    }

    /** A user (secret left out) whose canonical id is {@code userId}, of any tenant, or null. */
    public User userById(String userId) {
        return findUser(r -> userId.equals(r.userId()));
    }

    /** A user (secret left out) whose e-mail address is {@code email} (ignoring case), of any tenant, or null. */
    public User userByEmail(String email) {
        return findUser(r -> email.equalsIgnoreCase(r.email()));
    }

    /** Scans the access keys (ACL changes only: there is no index by id or e-mail). */
    private User findUser(java.util.function.Predicate<UserRecord> match) {
        for (KeyValue e :
                kv.scan(new byte[] {Keys.ACCESS_KEY}, Keys.tableEnd(Keys.ACCESS_KEY), USERS_LISTED_MAX, false)) {
            UserRecord r = UserRecord.decode(e.value());
            if (match.test(r)) return toUser(r, null);
        }
        return null;
    }

    /** The access keys of {@code tenantName}'s users (secrets left out), in access-key order. */
    public List<User> users(String tenantName) {
        TenantRecord tenant = tenant(tenantName);
        List<User> out = new ArrayList<>();
        List<KeyValue> all =
                kv.scan(new byte[] {Keys.ACCESS_KEY}, Keys.tableEnd(Keys.ACCESS_KEY), USERS_LISTED_MAX, false);
        for (KeyValue e : all) {
            UserRecord r = UserRecord.decode(e.value());
            if (r.tenantId() == tenant.id()) out.add(toUser(r, null));
        }
        return out;
    }

    /**
     * Deletes a tenant that has no access keys and no buckets left ({@code bucketIndexFrom/To}: the
     * range of its bucket index, read in the same transaction so a bucket created meanwhile
     * conflicts).
     */
    public void deleteTenant(String name, byte[] bucketIndexFrom, byte[] bucketIndexTo) {
        if (name.equals(ROOT_TENANT)) throw new NamespaceException(Reason.INVALID_ARGUMENT, "the root tenant stays");
        kv.transact(txn -> {
            byte[] v = txn.get(Keys.tenant(name));
            if (v == null) throw new NamespaceException(Reason.NO_SUCH_TENANT, "no tenant " + name);
            long id = TenantRecord.decode(v).id();
            int keys = 0;
            for (KeyValue e :
                    txn.scan(new byte[] {Keys.ACCESS_KEY}, Keys.tableEnd(Keys.ACCESS_KEY), USERS_LISTED_MAX, false))
                if (UserRecord.decode(e.value()).tenantId() == id) keys++;
            int buckets = txn.scan(bucketIndexFrom, bucketIndexTo, 1, false).size();
            if (keys > 0 || buckets > 0)
                throw new NamespaceException(
                        Reason.INVALID_ARGUMENT,
                        "tenant " + name + " still has " + keys + " access keys and "
                                + (buckets > 0 ? "buckets" : "no buckets"));
            txn.delete(Keys.tenant(name));
            return null;
        });
    }

    /** The root user, and whether its keys were generated by this call. */
    public record RootUser(User user, boolean generated) {}

    private User toUser(UserRecord r, String secret) {
        return new User(
                r.accessKey(),
                secret,
                r.tenantId(),
                r.tenantName(),
                r.userName(),
                r.userId(),
                r.displayName(),
                r.email(),
                r.admin());
    }

    private static void checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches())
            throw new NamespaceException(Reason.INVALID_ARGUMENT, what + " name must match " + NAME.pattern());
    }

    private String generate(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return sb.toString();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
