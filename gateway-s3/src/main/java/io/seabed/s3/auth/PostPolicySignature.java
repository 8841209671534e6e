package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a browser POST upload's policy: the form signs the base64 policy document as sent, with
 * SigV2 (base64 HMAC-SHA1 under the secret: fields AWSAccessKeyId, signature) or SigV4 (hex HMAC-SHA256 under
 * the signing key of x-amz-credential's date and region: fields x-amz-algorithm, x-amz-credential,
 * x-amz-signature).
 */
public final class PostPolicySignature {
    private PostPolicySignature() {}

    /** Verifies a SigV2 policy signature; returns the access key. */
    public static String verifyV2(SecretLookup secrets, String accessKey, String policyBase64, String signature) {
        String secret = secrets.secretFor(accessKey);
        if (secret == null) throw new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            expected = Base64.getEncoder().encode(mac.doFinal(policyBase64.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK provides HmacSHA1", e);
        }
        if (!MessageDigest.isEqual(expected, signature.trim().getBytes(StandardCharsets.UTF_8)))
            throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        return accessKey;
    }

    /** Verifies a SigV4 policy signature; returns the access key of the credential. */
    public static String verifyV4(
            SecretLookup secrets, String algorithm, String credential, String policyBase64, String signatureHex) {
        if (!SigV4.ALGORITHM.equals(algorithm))
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Unsupported x-amz-algorithm: " + algorithm);
        Credential c = Credential.parse(credential, S3ErrorCode.INVALID_ARGUMENT);
        String secret = secrets.secretFor(c.accessKey());
        if (secret == null) throw new S3Exception(S3ErrorCode.INVALID_ACCESS_KEY_ID);
        byte[] expected = SigV4.hmac(SigV4.signingKey(secret, c.date(), c.region()), policyBase64);
        byte[] provided;
        try {
            provided = SigV4.HEX.parseHex(signatureHex.trim());
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        }
        if (!MessageDigest.isEqual(expected, provided)) throw new S3Exception(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH);
        return c.accessKey();
    }
}
