package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AccessControlPolicy;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.GetBucketAclResponse;
import software.amazon.awssdk.services.s3.model.GetObjectAclResponse;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.Grantee;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Owner;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Type;

/** ACLs through the AWS SDK v2: canned ACLs, grants, Get/Put*Acl, and what they allow. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AclTest {
    private static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    private static final String AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private static final String ALT_KEY = "ACLALTACCESSKEY00001";
    private static final String ALT_SECRET = "acl-alt-secret-key-0123456789abcdefghij";
    private static final String ALT_ID = "56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234";
    private static final String ALT_NAME = "john.doe";
    private static final String ALT_EMAIL = "john.doe@example.com";

    private InProcessSeabed seabed;
    private S3Client s3;
    private S3Client alt;
    private S3Client anonymous;
    private String mainId;
    private String mainName;

    @BeforeAll
    void start() {
        seabed = new InProcessSeabed();
        s3 = seabed.client();
        var tenants = seabed.server.namespace().tenants();
        tenants.createTenant("alt");
        tenants.createUser("alt", "john", ALT_KEY, ALT_SECRET, ALT_ID, ALT_NAME, ALT_EMAIL, false);
        alt = seabed.client(ALT_KEY, ALT_SECRET);
        anonymous = S3Client.builder()
                .endpointOverride(seabed.endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .forcePathStyle(true)
                .build();
        s3.createBucket(b -> b.bucket("acl-owner"));
        Owner owner = s3.getBucketAcl(b -> b.bucket("acl-owner")).owner();
        mainId = owner.id();
        mainName = owner.displayName();
    }

    @AfterAll
    void stop() {
        anonymous.close();
        alt.close();
        s3.close();
        seabed.close();
    }

    private static Set<String> grants(List<Grant> grants) {
        return grants.stream()
                .map(g -> g.grantee().type() + ":"
                        + (g.grantee().type() == Type.GROUP
                                ? g.grantee().uri()
                                : g.grantee().id() + "/" + g.grantee().displayName())
                        + ":" + g.permissionAsString())
                .collect(Collectors.toSet());
    }

    private String me(String permission) {
        return "CanonicalUser:" + mainId + "/" + mainName + ":" + permission;
    }

    private static String altUser(String permission) {
        return "CanonicalUser:" + ALT_ID + "/" + ALT_NAME + ":" + permission;
    }

    private static String group(String uri, String permission) {
        return "Group:" + uri + ":" + permission;
    }

    private static void denied(Executable e) {
        S3Exception x = assertThrows(S3Exception.class, e);
        assertEquals(403, x.statusCode());
        assertEquals("AccessDenied", x.awsErrorDetails().errorCode());
    }

    private void putObject(S3Client c, String bucket, String key) {
        c.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("body of " + key));
    }

    private String get(S3Client c, String bucket, String key) {
        return c.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    private String bucketWith(String name, BucketCannedACL canned) {
        s3.createBucket(b -> b.bucket(name).acl(canned));
        putObject(s3, name, "k");
        return name;
    }

    @Test
    void defaultAclIsOwnerFullControl() {
        GetBucketAclResponse r = s3.getBucketAcl(b -> b.bucket("acl-owner"));
        assertEquals(Set.of(me("FULL_CONTROL")), grants(r.grants()));
        putObject(s3, "acl-owner", "obj");
        GetObjectAclResponse o = s3.getObjectAcl(b -> b.bucket("acl-owner").key("obj"));
        assertEquals(mainId, o.owner().id());
        assertEquals(Set.of(me("FULL_CONTROL")), grants(o.grants()));
        denied(() -> get(alt, "acl-owner", "obj"));
        denied(() -> get(anonymous, "acl-owner", "obj"));
        denied(() -> alt.listObjectsV2(b -> b.bucket("acl-owner")));
        denied(() -> anonymous.listObjectsV2(b -> b.bucket("acl-owner")));
        denied(() -> putObject(alt, "acl-owner", "x"));
        denied(() -> alt.getBucketAcl(b -> b.bucket("acl-owner")));
        denied(() -> alt.deleteBucket(b -> b.bucket("acl-owner")));
    }

    @Test
    void cannedBucketAclsRoundTrip() {
        Function<BucketCannedACL, Set<String>> roundTrip = canned -> {
            s3.putBucketAcl(b -> b.bucket("acl-owner").acl(canned));
            return grants(s3.getBucketAcl(b -> b.bucket("acl-owner")).grants());
        };
        assertEquals(
                Set.of(me("FULL_CONTROL"), group(ALL_USERS, "READ")), roundTrip.apply(BucketCannedACL.PUBLIC_READ));
        assertEquals(
                Set.of(me("FULL_CONTROL"), group(ALL_USERS, "READ"), group(ALL_USERS, "WRITE")),
                roundTrip.apply(BucketCannedACL.PUBLIC_READ_WRITE));
        assertEquals(
                Set.of(me("FULL_CONTROL"), group(AUTHENTICATED, "READ")),
                roundTrip.apply(BucketCannedACL.AUTHENTICATED_READ));
        assertEquals(Set.of(me("FULL_CONTROL")), roundTrip.apply(BucketCannedACL.PRIVATE));
    }

    @Test
    void publicReadBucketAndObject() {
        String bucket = bucketWith("acl-public-read", BucketCannedACL.PUBLIC_READ);
        assertEquals(1, anonymous.listObjectsV2(b -> b.bucket(bucket)).keyCount());
        assertEquals(1, alt.listObjectsV2(b -> b.bucket(bucket)).keyCount());
        denied(() -> get(anonymous, bucket, "k")); // the object is private
        denied(() -> putObject(anonymous, bucket, "anon"));
        denied(() -> putObject(alt, bucket, "alt"));
        S3Exception missing = assertThrows(S3Exception.class, () -> get(anonymous, bucket, "missing"));
        assertEquals(404, missing.statusCode());

        s3.putObject(
                b -> b.bucket(bucket).key("public").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("for all"));
        assertEquals("for all", get(anonymous, bucket, "public"));
        assertEquals("for all", get(alt, bucket, "public"));
        assertEquals(
                Set.of(me("FULL_CONTROL"), group(ALL_USERS, "READ")),
                grants(s3.getObjectAcl(b -> b.bucket(bucket).key("public")).grants()));
        denied(() -> anonymous.getObjectAcl(b -> b.bucket(bucket).key("public")));
    }

    @Test
    void privateBucketHidesMissingKeys() {
        S3Exception e = assertThrows(S3Exception.class, () -> get(anonymous, "acl-owner", "missing"));
        assertEquals(403, e.statusCode());
        S3Exception nb = assertThrows(S3Exception.class, () -> get(anonymous, "acl-no-such-bucket", "k"));
        assertEquals(404, nb.statusCode());
        assertEquals("NoSuchBucket", nb.awsErrorDetails().errorCode());
    }

    @Test
    void publicReadWriteBucketTakesAnonymousAndAltWrites() {
        String bucket = bucketWith("acl-public-rw", BucketCannedACL.PUBLIC_READ_WRITE);
        putObject(anonymous, bucket, "from-anonymous");
        putObject(alt, bucket, "from-alt");
        // alt owns what it wrote: the bucket owner may not read it unless granted.
        assertEquals(
                ALT_ID,
                alt.getObjectAcl(b -> b.bucket(bucket).key("from-alt")).owner().id());
        denied(() -> get(s3, bucket, "from-alt"));
        alt.putObject(
                b -> b.bucket(bucket).key("for-owner").acl(ObjectCannedACL.BUCKET_OWNER_READ),
                RequestBody.fromString("x"));
        assertEquals("x", get(s3, bucket, "for-owner"));
        assertEquals(
                Set.of(altUser("FULL_CONTROL"), me("READ")),
                grants(alt.getObjectAcl(b -> b.bucket(bucket).key("for-owner")).grants()));
        assertEquals(3 + 1, anonymous.listObjectsV2(b -> b.bucket(bucket)).keyCount());
        // The SDK's defaults (flexible checksums) work unsigned too.
        try (S3Client defaults = S3Client.builder()
                .endpointOverride(seabed.endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .forcePathStyle(true)
                .build()) {
            putObject(defaults, bucket, "from-anonymous");
            assertEquals("body of from-anonymous", get(s3, bucket, "from-anonymous")); // the bucket owner's
        }
        anonymous.deleteObject(b -> b.bucket(bucket).key("from-anonymous"));
        denied(() -> anonymous.putBucketAcl(b -> b.bucket(bucket).acl(BucketCannedACL.PRIVATE)));
    }

    @Test
    void authenticatedReadAllowsSignedCallersOnly() {
        String bucket = "acl-auth-read";
        s3.createBucket(b -> b.bucket(bucket).acl(BucketCannedACL.AUTHENTICATED_READ));
        s3.putObject(
                b -> b.bucket(bucket).key("k").acl(ObjectCannedACL.AUTHENTICATED_READ), RequestBody.fromString("v"));
        assertEquals("v", get(alt, bucket, "k"));
        assertEquals(1, alt.listObjectsV2(b -> b.bucket(bucket)).keyCount());
        denied(() -> get(anonymous, bucket, "k"));
        denied(() -> anonymous.listObjectsV2(b -> b.bucket(bucket)));
    }

    @Test
    void grantsByIdAndEmail() {
        String bucket = "acl-grants";
        s3.createBucket(b -> b.bucket(bucket).grantRead("id=\"" + ALT_ID + "\""));
        assertEquals(
                Set.of(altUser("READ")),
                grants(s3.getBucketAcl(b -> b.bucket(bucket)).grants()));
        putObject(s3, bucket, "k");
        assertEquals(1, alt.listObjectsV2(b -> b.bucket(bucket)).keyCount());
        denied(() -> get(alt, bucket, "k"));

        s3.putObjectAcl(b -> b.bucket(bucket).key("k").grantRead("emailAddress=\"" + ALT_EMAIL + "\""));
        assertEquals("body of k", get(alt, bucket, "k"));
        denied(() -> alt.getObjectAcl(b -> b.bucket(bucket).key("k")));

        // An AccessControlPolicy document: alt gets READ_ACP and WRITE on the bucket.
        Owner owner = Owner.builder().id(mainId).displayName(mainName).build();
        AccessControlPolicy policy = AccessControlPolicy.builder()
                .owner(owner)
                .grants(
                        Grant.builder()
                                .grantee(Grantee.builder()
                                        .type(Type.CANONICAL_USER)
                                        .id(ALT_ID)
                                        .build())
                                .permission(Permission.READ_ACP)
                                .build(),
                        Grant.builder()
                                .grantee(Grantee.builder()
                                        .type(Type.AMAZON_CUSTOMER_BY_EMAIL)
                                        .emailAddress(ALT_EMAIL)
                                        .build())
                                .permission(Permission.WRITE)
                                .build())
                .build();
        s3.putBucketAcl(b -> b.bucket(bucket).accessControlPolicy(policy));
        assertEquals(
                Set.of(altUser("READ_ACP"), altUser("WRITE")),
                grants(alt.getBucketAcl(b -> b.bucket(bucket)).grants()));
        putObject(alt, bucket, "by-alt");
        denied(() -> alt.listObjectsV2(b -> b.bucket(bucket)));
        denied(() -> alt.putBucketAcl(b -> b.bucket(bucket).acl(BucketCannedACL.PUBLIC_READ)));
    }

    @Test
    void badGrantsAndCannedAcls() {
        S3Exception e = assertThrows(
                S3Exception.class,
                () -> s3.putBucketAcl(b -> b.bucket("acl-owner").grantRead("id=\"_foo\"")));
        assertEquals(400, e.statusCode());
        assertEquals("InvalidArgument", e.awsErrorDetails().errorCode());
        e = assertThrows(
                S3Exception.class,
                () -> s3.putBucketAcl(b -> b.bucket("acl-owner").grantRead("emailAddress=\"nobody@example.invalid\"")));
        assertEquals("UnresolvableGrantByEmailAddress", e.awsErrorDetails().errorCode());
    }

    @Test
    void unknownCannedAclIsInvalidArgument() {
        for (Executable request : List.<Executable>of(
                () -> s3.putBucketAcl(b -> b.bucket("acl-owner").acl("public-ish")),
                () -> s3.createBucket(b -> b.bucket("acl-bad-canned").acl("public-ish")),
                () -> s3.putObject(
                        b -> b.bucket("acl-owner").key("bad").acl("public-ish"), RequestBody.fromString("x")))) {
            S3Exception e = assertThrows(S3Exception.class, request);
            assertEquals(400, e.statusCode());
            assertEquals("InvalidArgument", e.awsErrorDetails().errorCode());
        }
    }

    @Test
    void cannedAclOnMultipartAndCopy() {
        String bucket = "acl-mpu";
        s3.createBucket(b -> b.bucket(bucket));
        String upload = s3.createMultipartUpload(
                        b -> b.bucket(bucket).key("mpu").acl(ObjectCannedACL.PUBLIC_READ))
                .uploadId();
        String etag = s3.uploadPart(
                        b -> b.bucket(bucket).key("mpu").uploadId(upload).partNumber(1),
                        RequestBody.fromString("part one"))
                .eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket)
                .key("mpu")
                .uploadId(upload)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag))));
        assertEquals("part one", get(anonymous, bucket, "mpu"));

        s3.copyObject(b -> b.sourceBucket(bucket)
                .sourceKey("mpu")
                .destinationBucket(bucket)
                .destinationKey("copy"));
        denied(() -> get(anonymous, bucket, "copy")); // a copy does not take its source's ACL
        s3.copyObject(b -> b.sourceBucket(bucket)
                .sourceKey("mpu")
                .destinationBucket(bucket)
                .destinationKey("public-copy")
                .acl(ObjectCannedACL.PUBLIC_READ));
        assertEquals("part one", get(anonymous, bucket, "public-copy"));
    }
}
