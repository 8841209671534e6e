package io.seabed.s3.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The SigV4 primitives shared by the verifier, the signer and the chunk codec: hashing, HMAC, key derivation. */
final class SigV4 {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String SERVICE = "s3";
    static final String TERMINATOR = "aws4_request";
    static final String CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
    static final String TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";
    static final String EMPTY_SHA256_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final int SIGNATURE_BYTES = 32;
    static final int SIGNATURE_HEX_CHARS = 2 * SIGNATURE_BYTES;
    static final HexFormat HEX = HexFormat.of();
    private static final String HMAC = "HmacSHA256";

    private SigV4() {}

    private static final MessageDigest SHA256_PROTOTYPE = newSha256();
    private static final Mac HMAC_PROTOTYPE = newHmac();

    /** A fresh SHA-256 (a clone: getInstance looks the provider up on every call, which showed in profiles). */
    static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newSha256();
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    private static Mac newHmac() {
        try {
            return Mac.getInstance(HMAC);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides " + HMAC, e);
        }
    }

    static String sha256Hex(String text) {
        return HEX.formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    static Mac hmac(byte[] key) {
        try {
            Mac mac;
            try {
                mac = (Mac) HMAC_PROTOTYPE.clone(); // the uninitialized prototype: no provider lookup
            } catch (CloneNotSupportedException e) {
                mac = newHmac();
            }
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK provides " + HMAC, e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        return hmac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request"). */
    static byte[] signingKey(String secret, String date, String region) {
        byte[] dateKey = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        byte[] regionKey = hmac(dateKey, region);
        byte[] serviceKey = hmac(regionKey, SERVICE);
        return hmac(serviceKey, TERMINATOR);
    }

    static String scope(String date, String region) {
        return date + "/" + region + "/" + SERVICE + "/" + TERMINATOR;
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest);
    }

    /** The chunk string to sign: previous signature chained, then the hash of the chunk data. */
    static String chunkStringToSign(String amzDate, String scope, String previousSignature, String dataSha256Hex) {
        return CHUNK_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + EMPTY_SHA256_HEX
                + "\n" + dataSha256Hex;
    }

    /** The trailer string to sign (AWS SDK v2 {@code SigV4TrailerProvider}): hash of the canonical trailer lines. */
    static String trailerStringToSign(String amzDate, String scope, String previousSignature, String trailerSha256Hex) {
        return TRAILER_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + trailerSha256Hex;
    }

    /** 64 hex digits (any case) as 32 bytes, or null when {@code hex} is not exactly that. */
    static byte[] parseSignature(String hex) {
        if (hex == null || hex.length() != SIGNATURE_HEX_CHARS) {
            return null;
        }
        for (int i = 0; i < SIGNATURE_HEX_CHARS; i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                return null;
            }
        }
        return HEX.parseHex(hex);
    }
}
