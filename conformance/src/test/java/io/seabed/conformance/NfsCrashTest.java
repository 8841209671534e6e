package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.nfs.client.NfsClient;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The NFS gateway killed with SIGKILL in the middle of a large UNSTABLE write: after the restart the old handles
 * still work, COMMIT answers a new write verifier, so the client sends its uncommitted writes again, and then the
 * file is whole through NFS and S3. A FILE_SYNC write acknowledged before the kill needs no resend.
 */
class NfsCrashTest {
    private static final int MIB = 1 << 20;
    private static final int FILE_MIB = 48;
    private static final int SENT_BEFORE_KILL_MIB = 40;

    @TempDir
    Path data;

    private static void send(NfsClient c, byte[] file, byte[] bytes, int fromMib, int toMib) throws Exception {
        for (int i = fromMib; i < toMib; i++)
            c.write(file, (long) i * MIB, ByteBuffer.wrap(bytes, i * MIB, MIB), NfsClient.UNSTABLE);
    }

    @Test
    void unstableWriteCutBySigkillIsResentAfterTheVerifierChanges() throws Exception {
        byte[] big = TestFiles.bytes(41, FILE_MIB * MIB);
        byte[] small = TestFiles.bytes(42, 3 * MIB + 5);
        byte[] bigHandle;
        byte[] smallHandle;
        byte[] verifierBefore;
        try (ChildSeabed child = new ChildSeabed(data);
                S3Client s3 = CrashTest.client(child)) {
            s3.createBucket(b ->
                    b.bucket("files").overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", "hierarchical")));
            s3.putBucketTagging(b -> b.bucket("files")
                    .tagging(t -> t.tagSet(s -> s.key("seabed:nfs").value("rw no_root_squash"))));
            try (NfsClient c = new NfsClient("127.0.0.1", child.nfsPort)) {
                byte[] root = c.mount("/files");
                byte[] dir = c.mkdir(root, "ckpt");
                smallHandle = c.create(dir, "synced");
                for (int at = 0; at < small.length; at += MIB)
                    c.write(
                            smallHandle,
                            at,
                            ByteBuffer.wrap(small, at, Math.min(MIB, small.length - at)),
                            NfsClient.FILE_SYNC);
                bigHandle = c.create(dir, "big");
                verifierBefore = c.write(bigHandle, 0, ByteBuffer.wrap(big, 0, MIB), NfsClient.UNSTABLE)
                        .verifier();
                send(c, bigHandle, big, 1, SENT_BEFORE_KILL_MIB);
            }
            child.kill();
        }
        try (ChildSeabed child = new ChildSeabed(data);
                S3Client s3 = CrashTest.client(child);
                NfsClient c = new NfsClient("127.0.0.1", child.nfsPort)) {
            // The acknowledged stable writes are there, through the handle from before the kill.
            assertArrayEquals(small, readAll(c, smallHandle, small.length));
            byte[] verifierAfter = c.commit(bigHandle);
            assertFalse(Arrays.equals(verifierBefore, verifierAfter), "a new verifier tells the client to resend");
            // The client resends everything it has not seen committed, then the rest, and commits.
            send(c, bigHandle, big, 0, FILE_MIB);
            assertArrayEquals(verifierAfter, c.commit(bigHandle));
            assertArrayEquals(big, readAll(c, bigHandle, big.length));
            assertTrue(
                    Arrays.equals(
                            big,
                            s3.getObjectAsBytes(b -> b.bucket("files").key("ckpt/big"))
                                    .asByteArray()),
                    "S3 GET of the file");
        }
    }

    private static byte[] readAll(NfsClient c, byte[] file, int length) throws Exception {
        byte[] out = new byte[length];
        int at = 0;
        while (at < length) {
            int n = c.read(file, at, ByteBuffer.wrap(out, at, Math.min(MIB, length - at)));
            if (n <= 0) break;
            at += n;
        }
        return at == length ? out : Arrays.copyOf(out, at);
    }
}
