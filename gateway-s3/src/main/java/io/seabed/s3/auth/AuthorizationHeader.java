package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…} header.
 *
 * @param signedHeaders the lowercase names, in the order given
 * @param signedHeadersText the {@code SignedHeaders} value as given (it is part of the canonical request)
 */
record AuthorizationHeader(
        Credential credential, List<String> signedHeaders, String signedHeadersText, String signature) {
    private static final String CREDENTIAL = "Credential";
    private static final String SIGNED_HEADERS = "SignedHeaders";
    private static final String SIGNATURE = "Signature";

    static AuthorizationHeader parse(String header, int signedHeadersMax) {
        S3ErrorCode malformed = S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED;
        String value = header.strip();
        if (!value.startsWith(SigV4.ALGORITHM + " ")) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Unsupported Authorization Type");
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : value.substring(SigV4.ALGORITHM.length() + 1).split(",", -1)) {
            String component = part.strip();
            int equals = component.indexOf('=');
            String name = equals < 0 ? component : component.substring(0, equals);
            String componentValue = equals < 0 ? null : component.substring(equals + 1);
            if (componentValue == null) {
                throw new S3Exception(malformed, "The authorization header component \"" + name + "\" has no value.");
            }
            switch (name) {
                case CREDENTIAL -> credential = once(credential, componentValue, name);
                case SIGNED_HEADERS -> signedHeaders = once(signedHeaders, componentValue, name);
                case SIGNATURE -> signature = once(signature, componentValue, name);
                default ->
                    throw new S3Exception(
                            malformed, "The authorization header has an unknown component \"" + name + "\".");
            }
        }
        if (credential == null || signedHeaders == null || signature == null) {
            throw new S3Exception(
                    malformed, "The authorization header requires Credential, SignedHeaders and Signature.");
        }
        return new AuthorizationHeader(
                Credential.parse(credential, malformed),
                parseSignedHeaders(signedHeaders, signedHeadersMax, malformed),
                signedHeaders,
                signature);
    }

    private static String once(String previous, String value, String name) {
        if (previous != null) {
            throw new S3Exception(
                    S3ErrorCode.AUTHORIZATION_HEADER_MALFORMED,
                    "The authorization header has \"" + name + "\" more than once.");
        }
        return value;
    }

    static List<String> parseSignedHeaders(String text, int signedHeadersMax, S3ErrorCode error) {
        List<String> names = new ArrayList<>();
        for (String name : text.split(";", -1)) {
            if (name.isEmpty()) {
                throw new S3Exception(error, "SignedHeaders has an empty header name.");
            }
            if (names.size() == signedHeadersMax) {
                throw new S3Exception(
                        error, "SignedHeaders has more than SIGNED_HEADERS_MAX=" + signedHeadersMax + " names.");
            }
            names.add(name.toLowerCase(Locale.ROOT));
        }
        return names;
    }
}
