package io.seabed.s3.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Test support: requests signed by the AWS SDK v2's own SigV4 signer, turned into {@link AuthRequest}s. */
final class SdkSigning {
    static final String ACCESS_KEY = "AKIDSEABEDTEST000001";
    static final String SECRET = "seabed/Secret+Key/For=Tests0123456789abcd";
    static final SecretLookup SECRETS = key -> key.equals(ACCESS_KEY) ? SECRET : null;

    /** What a signed request looks like on the wire, and its body. */
    record Wire(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        AuthRequest toAuthRequest(InstantSource clock) {
            return AuthRequest.of(method, rawPath, rawQuery, headers, clock);
        }

        Wire withHeader(String name, List<String> values) {
            TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            copy.putAll(headers);
            copy.put(name, values);
            return new Wire(method, rawPath, rawQuery, copy, body);
        }

        Wire withPath(String path) {
            return new Wire(method, path, rawQuery, headers, body);
        }

        Wire withQuery(String query) {
            return new Wire(method, rawPath, query, headers, body);
        }

        Wire withMethod(String newMethod) {
            return new Wire(newMethod, rawPath, rawQuery, headers, body);
        }
    }

    /** Options of one signing. */
    record Options(
            boolean payloadSigning,
            boolean chunked,
            ChecksumAlgorithm trailerChecksum,
            Duration presignExpires,
            String region) {
        static Options header(String region) {
            return new Options(true, false, null, null, region);
        }
    }

    private SdkSigning() {}

    static Wire sign(SdkHttpRequest request, byte[] body, Instant at, Options options) {
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET))
                    .request(request)
                    .payload(body == null ? null : ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, options.region())
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, options.payloadSigning())
                    .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, options.chunked())
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC));
            if (options.trailerChecksum() != null) {
                r.putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, options.trailerChecksum());
            }
            if (options.presignExpires() != null) {
                r.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, options.presignExpires());
            }
        });
        SdkHttpRequest out = signed.request();
        TreeMap<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(out.headers());
        headers.putIfAbsent("Host", List.of(hostHeader(out)));
        byte[] wireBody = signed.payload().map(SdkSigning::readAll).orElse(null);
        return new Wire(
                out.method().name(),
                out.encodedPath(),
                out.encodedQueryParameters().orElse(""),
                headers,
                wireBody);
    }

    static String hostHeader(SdkHttpRequest request) {
        int port = request.port();
        boolean standard = (port == 443 && request.protocol().equals("https"))
                || (port == 80 && request.protocol().equals("http"));
        return standard ? request.host() : request.host() + ":" + port;
    }

    static byte[] readAll(ContentStreamProvider provider) {
        try (InputStream in = provider.newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Characters that stress encoding: reserved, unreserved edge cases, percent, plus, space, unicode. */
    private static final String[] PIECES = {
        "a", "Z", "0", "-", "_", ".", "~", " ", "+", "%", "%2B", "!", "$", "&", "'", "(", ")", "*", ",", ";", "=", ":",
        "@", "/", "?", "#", "[", "]", "\"", "<", ">", "^", "`", "{", "}", "|", "\\", "é", "日本", "😀", "%20", "a b",
        "++", "//"
    };

    static String randomText(Random random, int piecesMax) {
        StringBuilder out = new StringBuilder();
        int pieces = random.nextInt(piecesMax + 1);
        for (int i = 0; i < pieces; i++) {
            out.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return out.toString();
    }

    static String randomHeaderValue(Random random) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(20);
        for (int i = 0; i < length; i++) {
            out.append(random.nextInt(5) == 0 ? ' ' : (char) (0x21 + random.nextInt(0x5e)));
        }
        return out.toString();
    }

    static List<String> randomNames(Random random, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("n" + i + randomText(random, 3));
        }
        return names;
    }
}
