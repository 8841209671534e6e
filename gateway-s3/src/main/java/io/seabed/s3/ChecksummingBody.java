package io.seabed.s3;

import io.seabed.namespace.BodySource;
import io.seabed.namespace.ObjectChecksum;
import io.seabed.s3.checksum.ChecksumAlgorithm;
import io.seabed.s3.checksum.PayloadChecksum;
import java.nio.ByteBuffer;

/**
 * A body whose additional checksum is computed here as it is read (UploadPartCopy into an upload that
 * declared an algorithm: the copied bytes carry no checksum of their own).
 */
final class ChecksummingBody implements BodySource {
    private final BodySource inner;
    private final ChecksumAlgorithm algorithm;
    private final PayloadChecksum checksum;
    private String base64;

    ChecksummingBody(BodySource inner, ChecksumAlgorithm algorithm) {
        this.inner = inner;
        this.algorithm = algorithm;
        this.checksum = algorithm.newChecksum();
    }

    @Override
    public int read(ByteBuffer output) {
        int start = output.position();
        int n = inner.read(output);
        if (n > 0) checksum.update(output.duplicate().position(start).limit(start + n));
        return n;
    }

    @Override
    public void verify(byte[] md5) {
        inner.verify(md5);
        base64 = checksum.finishBase64();
    }

    @Override
    public ObjectChecksum checksum() {
        if (base64 == null) throw new IllegalStateException("checksum() before verify()");
        return new ObjectChecksum(algorithm.algorithmName(), ObjectChecksum.Type.FULL_OBJECT, base64);
    }
}
