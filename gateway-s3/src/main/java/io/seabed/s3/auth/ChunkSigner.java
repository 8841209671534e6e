package io.seabed.s3.auth;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import javax.crypto.Mac;

/**
 * The rolling signatures of an {@code aws-chunked} body: each chunk's signature chains the previous one, starting
 * from the seed (the request signature); the trailer signature chains the final chunk's. One per body, not
 * thread-safe.
 */
final class ChunkSigner {
    private final Mac mac;
    private final String amzDate;
    private final String scope;
    private String previousSignature;

    ChunkSigner(StreamingSigning signing) {
        this.mac = SigV4.hmac(signing.signingKey());
        this.amzDate = signing.amzDate();
        this.scope = signing.scope();
        this.previousSignature = signing.seedSignature();
    }

    /** The signature of the next chunk, whose data hashes to {@code dataSha256}; it becomes the previous one. */
    byte[] nextChunk(byte[] dataSha256) {
        String stringToSign =
                SigV4.chunkStringToSign(amzDate, scope, previousSignature, SigV4.HEX.formatHex(dataSha256));
        byte[] signature = mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8));
        previousSignature = SigV4.HEX.formatHex(signature);
        return signature;
    }

    /**
     * The trailer signature over {@code trailers} (lowercase name to trimmed value, sorted by name, the
     * signature itself excluded): hash of the lines {@code name:value\n}, as the AWS SDK v2 signs it.
     */
    byte[] trailer(SortedMap<String, String> trailers) {
        StringBuilder canonical = new StringBuilder();
        for (Map.Entry<String, String> trailer : trailers.entrySet()) {
            canonical
                    .append(trailer.getKey())
                    .append(':')
                    .append(trailer.getValue())
                    .append('\n');
        }
        String stringToSign =
                SigV4.trailerStringToSign(amzDate, scope, previousSignature, SigV4.sha256Hex(canonical.toString()));
        byte[] signature = mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8));
        previousSignature = SigV4.HEX.formatHex(signature);
        return signature;
    }
}
