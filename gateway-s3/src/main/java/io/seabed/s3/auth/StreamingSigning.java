package io.seabed.s3.auth;

import java.util.Objects;

/**
 * What verifying (or producing) the chunk and trailer signatures of an {@code aws-chunked} body needs: the derived
 * signing key, the credential scope ({@code 20130524/us-east-1/s3/aws4_request}), the request's {@code X-Amz-Date}
 * and the seed signature (the request's own signature). Holds key material: never log it.
 */
public record StreamingSigning(byte[] signingKey, String scope, String amzDate, String seedSignature) {
    public StreamingSigning {
        Objects.requireNonNull(signingKey, "signingKey");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(amzDate, "amzDate");
        Objects.requireNonNull(seedSignature, "seedSignature");
        signingKey = signingKey.clone();
    }

    @Override
    public byte[] signingKey() {
        return signingKey.clone();
    }

    @Override
    public String toString() {
        return "StreamingSigning[scope=" + scope + ", amzDate=" + amzDate + "]";
    }
}
