package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Bodies stream end to end: a 1 GiB object goes in with one PutObject and comes back with one
 * GetObject through a server whose heap and direct memory are 384 MiB each, so it cannot hold the
 * object; the bytes must match.
 */
class LargeObjectTest {
    static final long SIZE = 1L << 30;

    @TempDir
    Path data;

    @Test
    void oneGibibytePutAndGetStream() throws Exception {
        try (ChildSeabed child = new ChildSeabed(data, "384m");
                S3Client s3 = S3Client.builder()
                        .endpointOverride(child.endpoint)
                        .region(Region.US_EAST_1)
                        .credentialsProvider(
                                InProcessSeabed.credentials(InProcessSeabed.ACCESS_KEY, InProcessSeabed.SECRET_KEY))
                        .forcePathStyle(true)
                        .build()) {
            s3.createBucket(b -> b.bucket("large"));
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            s3.putObject(
                    b -> b.bucket("large").key("gib"),
                    RequestBody.fromContentProvider(
                            () -> new PatternStream(SIZE, sent), SIZE, "application/octet-stream"));
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long n = 0;
            try (ResponseInputStream<GetObjectResponse> in =
                    s3.getObject(b -> b.bucket("large").key("gib"))) {
                byte[] buf = new byte[1 << 20];
                for (int r; (r = in.read(buf)) > 0; n += r) received.update(buf, 0, r);
            }
            assertEquals(SIZE, n);
            assertArrayEquals(sent.digest(), received.digest());
        }
    }

    /** {@code size} bytes of a cheap pattern, hashed as they are read. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private final MessageDigest digest;
        private long position;

        PatternStream(long size, MessageDigest digest) {
            this.size = size;
            this.digest = digest;
            digest.reset();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) return -1;
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                b[off + i] = (byte) (p ^ (p >>> 11) ^ (p >>> 23));
            }
            digest.update(b, off, n);
            position += n;
            return n;
        }
    }
}
