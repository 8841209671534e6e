package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Checks a single-shot body against its signed {@code x-amz-content-sha256} (payload mode SIGNED): feed every body
 * buffer to {@link #update}, then call {@link #finish} before the write is committed. One per request, not
 * thread-safe.
 */
public final class PayloadVerifier {
    private final byte[] expectedSha256;
    private final MessageDigest digest = SigV4.sha256();
    private long bodyBytes;
    private boolean finished;

    /** @param expectedSha256Hex 64 hex digits, e.g. {@link AuthResult.Authenticated#contentSha256Hex()} */
    public PayloadVerifier(String expectedSha256Hex) {
        if (!PayloadMode.isSha256Hex(expectedSha256Hex)) {
            throw new IllegalArgumentException("expectedSha256Hex is not 64 hex digits");
        }
        this.expectedSha256 = SigV4.HEX.parseHex(expectedSha256Hex.toLowerCase(Locale.ROOT));
    }

    /** Hashes {@code body} from its position to its limit; the buffer's position is not moved. */
    public void update(ByteBuffer body) {
        if (finished) {
            throw new IllegalStateException("update after finish");
        }
        bodyBytes += body.remaining();
        digest.update(body.duplicate());
    }

    /** @throws S3Exception XAmzContentSHA256Mismatch when the body's hash differs from the declared one */
    public void finish() {
        if (finished) {
            throw new IllegalStateException("finish called twice");
        }
        finished = true;
        if (!MessageDigest.isEqual(digest.digest(), expectedSha256)) {
            throw new S3Exception(
                    S3ErrorCode.X_AMZ_CONTENT_SHA256_MISMATCH,
                    "The provided 'x-amz-content-sha256' header does not match what was computed over the " + bodyBytes
                            + " bytes received.");
        }
    }

    public long bodyBytes() {
        return bodyBytes;
    }
}
