package io.seabed.s3.auth;

import java.util.Objects;

/** The outcome of {@link SigV4Verifier#verify}: anonymous, or authenticated with what the body check needs. */
public sealed interface AuthResult permits AuthResult.Anonymous, AuthResult.Authenticated {

    /** The request carried no credentials at all; the gateway allows it only where an ACL grants AllUsers. */
    record Anonymous() implements AuthResult {}

    /**
     * A valid signature by {@code accessKey}.
     *
     * @param contentSha256Hex the declared lowercase hex SHA-256 of the body when {@code payloadMode} is SIGNED, else
     *     null
     * @param streaming the chunk-signing context for the streaming modes, else null
     * @param presigned true when authenticated by query parameters (presigned URL)
     */
    record Authenticated(
            String accessKey,
            String region,
            PayloadMode payloadMode,
            String contentSha256Hex,
            StreamingSigning streaming,
            boolean presigned)
            implements AuthResult {
        public Authenticated {
            Objects.requireNonNull(accessKey, "accessKey");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(payloadMode, "payloadMode");
            if ((payloadMode == PayloadMode.SIGNED) != (contentSha256Hex != null)) {
                throw new IllegalArgumentException("contentSha256Hex must be given exactly when payloadMode=SIGNED");
            }
            if (payloadMode.chunkSigned() && streaming == null) {
                throw new IllegalArgumentException("payloadMode=" + payloadMode + " needs a streaming context");
            }
        }
    }
}
