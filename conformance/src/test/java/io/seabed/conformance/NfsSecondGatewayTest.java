package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seabed.nfs.client.NfsClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two NFS gateways of one cluster as processes of their own — the cluster's server and a {@code seabed nfs} beside
 * it (metadata in a meta-kv group of 3, managers and storage nodes as processes): a file handle one gateway gave
 * works on the other, and each sees what the other wrote.
 */
class NfsSecondGatewayTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void handlesFromOneGatewayWorkOnTheOther() throws Exception {
        Path clusterDir = dir.resolve("cluster");
        try (LocalCluster cluster =
                new LocalCluster(clusterDir, "--storage-nodes", "3", "--meta-nodes", "3", "--managers", "2")) {
            Properties p = cluster.properties();
            List<String> meta = new ArrayList<>();
            for (int i = 1; i <= 3; i++) meta.add("127.0.0.1:" + p.getProperty("meta." + i + ".rpc.port"));
            var root = cluster.rootCredentials().resolveCredentials();
            try (S3Client s3 = cluster.s3()) {
                s3.createBucket(b -> b.bucket("shared")
                        .overrideConfiguration(o -> o.putHeader("x-seabed-bucket-mode", "hierarchical")));
                s3.putBucketTagging(b -> b.bucket("shared")
                        .tagging(t -> t.tagSet(s -> s.key("seabed:nfs").value("rw no_root_squash"))));
            }
            // A second gateway needs the cluster's master key (users' secrets are sealed with it).
            Path second = Files.createDirectories(dir.resolve("gateway-2"));
            Files.copy(clusterDir.resolve("server").resolve("master.key"), second.resolve("master.key"));
            byte[] data = TestFiles.bytes(7, 3 * MIB + 17);
            byte[] dirHandle;
            byte[] file;
            try (NfsClient one = new NfsClient("127.0.0.1", Integer.parseInt(p.getProperty("nfs.port")))) {
                dirHandle = one.mkdir(one.mount("/shared"), "d");
                file = one.create(dirHandle, "f");
                for (int at = 0; at < data.length; at += MIB)
                    one.write(
                            file, at, ByteBuffer.wrap(data, at, Math.min(MIB, data.length - at)), NfsClient.FILE_SYNC);
            }
            try (ChildSeabed gateway = new ChildSeabed(
                            "512m",
                            List.of(
                                    "nfs",
                                    "--data",
                                    second.toString(),
                                    "--storage-nodes",
                                    "3",
                                    "--managers",
                                    p.getProperty("managers"),
                                    "--meta-rpc",
                                    "127.0.0.1:0",
                                    "--meta",
                                    String.join(",", meta),
                                    "--nfs",
                                    "127.0.0.1:0"),
                            root.accessKeyId(),
                            root.secretAccessKey());
                    NfsClient two = new NfsClient("127.0.0.1", gateway.nfsPort);
                    NfsClient one = new NfsClient("127.0.0.1", Integer.parseInt(p.getProperty("nfs.port")))) {
                // The first gateway's handles, on the second: no MOUNT, no LOOKUP.
                assertEquals(data.length, two.getattr(file).size());
                byte[] back = new byte[data.length];
                for (int at = 0; at < data.length; at += MIB) {
                    byte[] got = two.read(file, at, MIB).bytes();
                    System.arraycopy(got, 0, back, at, got.length);
                }
                assertArrayEquals(data, back);
                // The second writes; the first sees it, and the handles of what the second made.
                two.write(file, 5, "from two".getBytes(), NfsClient.UNSTABLE);
                two.commit(file);
                byte[] made = two.create(dirHandle, "made-by-two");
                assertEquals("from two", new String(one.read(file, 5, 8).bytes()));
                assertArrayEquals(made, one.lookup(dirHandle, "made-by-two"));
                one.remove(dirHandle, "made-by-two");
                NfsClient.NfsStatus stale = assertThrows(NfsClient.NfsStatus.class, () -> two.getattr(made));
                assertEquals(70, stale.status, "NFS3ERR_STALE");
            }
        }
    }
}
