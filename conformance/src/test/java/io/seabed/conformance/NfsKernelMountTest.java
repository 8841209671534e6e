package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A kernel NFS mount of a hierarchical bucket, used with ordinary shell tools (cp, mv, ls -lR, rm -r, dd, sync),
 * checked through S3. Needs root and a kernel that mounts NFS; where it cannot (containers such as CI's), it is
 * skipped with a loud message: libnfs ({@link NfsClientsTest}) is the real client there.
 */
class NfsKernelMountTest {
    private static ExternalClients.Result sh(Path dir, String script) {
        return ExternalClients.run(Map.of(), dir, 300, "sh", "-c", script);
    }

    @Test
    void shellToolsOnAMountedBucket() throws Exception {
        Path work = ExternalClients.tempDir("seabed-mount");
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        try (InProcessSeabed seabed = new InProcessSeabed();
                S3Client s3 = seabed.client()) {
            s3.createBucket(b -> b.bucket("mounted")
                    .overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", "hierarchical")));
            s3.putBucketTagging(b -> b.bucket("mounted")
                    .tagging(t -> t.tagSet(s -> s.key("seabed:nfs").value("rw no_root_squash"))));
            s3.putObject(b -> b.bucket("mounted").key("from-s3/hello.txt"), RequestBody.fromString("hello\n"));
            int port = seabed.server.nfsPort();
            ExternalClients.Result mount = sh(
                    work,
                    "mount -t nfs -o vers=3,proto=tcp,nolock,port=" + port + ",mountport=" + port
                            + ",mountproto=tcp 127.0.0.1:/mounted " + mnt);
            if (mount.exitCode() != 0) {
                String message = "\n*****\n***** kernel NFS mount not possible here ("
                        + mount.output().strip()
                        + "): the shell-tools test is skipped; libnfs tests cover the NFS front\n*****";
                System.err.println(message);
                Assumptions.abort(message);
            }
            try {
                ExternalClients.Result r = sh(
                        mnt,
                        String.join(
                                " && ",
                                "mkdir -p a/b/c",
                                "dd if=/dev/urandom of=a/b/c/rand bs=1M count=8 status=none",
                                "cp a/b/c/rand a/copy",
                                "mv a/copy a/b/moved",
                                "cat from-s3/hello.txt > a/hello",
                                "sync",
                                "cmp a/b/c/rand a/b/moved",
                                "ls -lR . > /dev/null",
                                "mkdir -p gone/x/y && touch gone/x/y/z && rm -r gone"));
                assertEquals(0, r.exitCode(), r.output());
                byte[] rand = Files.readAllBytes(mnt.resolve("a/b/c/rand"));
                assertArrayEquals(
                        rand,
                        s3.getObjectAsBytes(b -> b.bucket("mounted").key("a/b/moved"))
                                .asByteArray());
                assertEquals(
                        "hello\n",
                        s3.getObjectAsBytes(b -> b.bucket("mounted").key("a/hello"))
                                .asUtf8String());
                assertTrue(s3.listObjectsV2(b -> b.bucket("mounted").prefix("gone"))
                        .contents()
                        .isEmpty());
            } finally {
                sh(work, "umount -f " + mnt);
            }
        } finally {
            TestFiles.deleteTree(work);
        }
    }
}
