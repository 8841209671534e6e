package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadVerifierTest {
    private static final byte[] BODY = "The quick brown fox".getBytes(StandardCharsets.UTF_8);

    @Test
    void matchingBodyInPiecesPassesAndKeepsBufferPositions() {
        PayloadVerifier verifier =
                new PayloadVerifier(SigV4.sha256Hex("The quick brown fox").toUpperCase());
        ByteBuffer first = ByteBuffer.wrap(BODY, 0, 5);
        verifier.update(first);
        assertEquals(0, first.position());
        verifier.update(ByteBuffer.wrap(BODY, 5, BODY.length - 5));
        verifier.finish();
        assertEquals(BODY.length, verifier.bodyBytes());
    }

    @Test
    void differentBodyIsAMismatch() {
        PayloadVerifier verifier = new PayloadVerifier(SigV4.EMPTY_SHA256_HEX);
        verifier.update(ByteBuffer.wrap(BODY));
        S3Exception e = assertThrows(S3Exception.class, verifier::finish);
        assertEquals(S3ErrorCode.X_AMZ_CONTENT_SHA256_MISMATCH, e.code());
        assertThrows(IllegalStateException.class, () -> verifier.update(ByteBuffer.wrap(BODY)));
    }
}
