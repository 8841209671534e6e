package io.seabed.s3.auth;

/** Finds the secret key of an access key. Called on the request thread: it must not block (cache it). */
@FunctionalInterface
public interface SecretLookup {

    /** The secret of {@code accessKey}, or null when the key is unknown (or disabled). */
    String secretFor(String accessKey);
}
