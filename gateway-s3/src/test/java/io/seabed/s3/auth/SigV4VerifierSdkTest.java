package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Goal: our verifier agrees with the AWS SDK v2 signer. Method: many random requests (paths and query values full
 * of reserved, unicode, "+", "%" and space characters; headers with runs of spaces; repeated headers) signed by
 * {@code AwsV4HttpSigner} must verify, and every single mutation of one signed part must not. Seeded: replay with
 * -Dseabed.seed=N.
 */
class SigV4VerifierSdkTest {
    private static final int ROUNDS = 300;
    private static final SigV4Verifier VERIFIER = new SigV4Verifier(SdkSigning.SECRETS, AuthLimits.DEFAULTS);

    @Test
    void acceptsSdkSignedHeaderRequestsAndRejectsEveryMutation() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            Instant at = randomInstant(random);
            byte[] body = SdkSigning.randomText(random, 8).getBytes(StandardCharsets.UTF_8);
            boolean payloadSigning = random.nextInt(4) != 0;
            SdkSigning.Options options = new SdkSigning.Options(payloadSigning, false, null, null, region(random));
            SdkSigning.Wire wire = SdkSigning.sign(randomRequest(random), body, at, options);
            InstantSource clock = InstantSource.fixed(at.plusSeconds(random.nextInt(1790) - 895));
            String context = "seed=" + seed + " round=" + round + " wire=" + wire;
            AuthResult result = verify(wire, clock, context);
            AuthResult.Authenticated authenticated = assertInstanceOf(AuthResult.Authenticated.class, result, context);
            assertEquals(SdkSigning.ACCESS_KEY, authenticated.accessKey(), context);
            assertEquals(payloadSigning ? PayloadMode.SIGNED : PayloadMode.UNSIGNED, authenticated.payloadMode());
            for (UnaryOperator<SdkSigning.Wire> mutation : headerMutations(wire, random)) {
                SdkSigning.Wire mutated = mutation.apply(wire);
                S3Exception e = assertThrows(
                        S3Exception.class,
                        () -> VERIFIER.verify(mutated.toAuthRequest(clock)),
                        context + " mutated=" + mutated);
                assertEquals(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, e.code(), context + " mutated=" + mutated);
            }
        }
    }

    @Test
    void acceptsSdkPresignedRequestsAndRejectsEveryMutation() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            Instant at = randomInstant(random);
            long expiresSeconds = 1 + random.nextInt(AuthLimits.PRESIGNED_EXPIRES_SECONDS_MAX);
            SdkSigning.Options options =
                    new SdkSigning.Options(false, false, null, Duration.ofSeconds(expiresSeconds), region(random));
            SdkSigning.Wire wire = SdkSigning.sign(randomRequest(random), null, at, options);
            InstantSource clock = InstantSource.fixed(at.plusSeconds((long) (random.nextDouble() * expiresSeconds)));
            String context = "seed=" + seed + " round=" + round + " wire=" + wire;
            AuthResult.Authenticated result =
                    assertInstanceOf(AuthResult.Authenticated.class, verify(wire, clock, context), context);
            assertTrue(result.presigned());
            assertEquals(PayloadMode.UNSIGNED, result.payloadMode());
            assertNull(result.streaming());
            for (UnaryOperator<SdkSigning.Wire> mutation : presignedMutations(wire)) {
                SdkSigning.Wire mutated = mutation.apply(wire);
                S3Exception e = assertThrows(
                        S3Exception.class,
                        () -> VERIFIER.verify(mutated.toAuthRequest(clock)),
                        context + " mutated=" + mutated);
                assertEquals(S3ErrorCode.SIGNATURE_DOES_NOT_MATCH, e.code(), context + " mutated=" + mutated);
            }
            InstantSource afterExpiry = InstantSource.fixed(at.plusSeconds(expiresSeconds + 1));
            S3Exception expired =
                    assertThrows(S3Exception.class, () -> VERIFIER.verify(wire.toAuthRequest(afterExpiry)));
            assertEquals(S3ErrorCode.ACCESS_DENIED, expired.code());
            assertEquals("Request has expired", expired.getMessage());
        }
    }

    /** Our signer produces exactly the SDK's Authorization header for the same request and time. */
    @Test
    void ourSignerMatchesTheSdkSigner() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            Instant at = randomInstant(random);
            String region = region(random);
            byte[] body = SdkSigning.randomText(random, 8).getBytes(StandardCharsets.UTF_8);
            SdkSigning.Wire wire = SdkSigning.sign(randomRequest(random), body, at, SdkSigning.Options.header(region));
            Map<String, List<String>> headers = new TreeMap<>();
            wire.headers().forEach((name, values) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!lower.equals("authorization")
                        && !lower.equals("host")
                        && !lower.equals("x-amz-date")
                        && !lower.equals("x-amz-content-sha256")) {
                    headers.put(name, values);
                }
            });
            SigV4Signer signer =
                    new SigV4Signer(SdkSigning.ACCESS_KEY, SdkSigning.SECRET, region, InstantSource.fixed(at));
            SigV4Signer.Signed signed = signer.sign(
                    wire.method(),
                    wire.headers().get("Host").getFirst(),
                    wire.rawPath(),
                    wire.rawQuery(),
                    headers,
                    wire.headers().get("x-amz-content-sha256").getFirst());
            assertEquals(
                    wire.headers().get("Authorization").getFirst(),
                    signed.headers().get("Authorization"),
                    "seed=" + seed + " round=" + round);
        }
    }

    private static AuthResult verify(SdkSigning.Wire wire, InstantSource clock, String context) {
        try {
            return VERIFIER.verify(wire.toAuthRequest(clock));
        } catch (S3Exception e) {
            return fail(context + " failed with " + e.code() + ": " + e.getMessage());
        }
    }

    static SdkHttpRequest randomRequest(Random random) {
        String key = "k" + SdkSigning.randomText(random, 12);
        String bucket = "bucket-" + random.nextInt(100);
        String path = random.nextBoolean()
                ? "/" + bucket + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key)
                : "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key);
        SdkHttpRequest.Builder builder = SdkHttpRequest.builder()
                .method(random.nextBoolean() ? SdkHttpMethod.PUT : SdkHttpMethod.GET)
                .protocol("https")
                .host(bucket + ".s3.example.test")
                .port(random.nextBoolean() ? 443 : 9000)
                .encodedPath(path);
        List<String> names = SdkSigning.randomNames(random, random.nextInt(5));
        for (String name : names) {
            int values = 1 + (random.nextInt(4) == 0 ? 1 : 0);
            for (int i = 0; i < values; i++) {
                builder.appendRawQueryParameter(name, SdkSigning.randomText(random, 6));
            }
        }
        int metas = random.nextInt(4);
        for (int i = 0; i < metas; i++) {
            builder.putHeader("x-amz-meta-m" + i, SdkSigning.randomHeaderValue(random));
        }
        if (random.nextBoolean()) {
            builder.appendHeader("X-Amz-Meta-Repeated", SdkSigning.randomHeaderValue(random));
            builder.appendHeader("X-Amz-Meta-Repeated", SdkSigning.randomHeaderValue(random));
        }
        if (random.nextBoolean()) {
            builder.putHeader("Content-Type", "text/plain;   charset=utf-8  ");
        }
        return builder.build();
    }

    private static List<UnaryOperator<SdkSigning.Wire>> headerMutations(SdkSigning.Wire wire, Random random) {
        List<UnaryOperator<SdkSigning.Wire>> mutations = commonMutations(wire);
        mutations.add(w -> w.withHeader(
                "x-amz-date", List.of(shiftedDate(w.headers().get("x-amz-date").getFirst()))));
        String hash = wire.headers().get("x-amz-content-sha256").getFirst();
        mutations.add(w -> w.withHeader(
                "x-amz-content-sha256",
                List.of(hash.equals("UNSIGNED-PAYLOAD") ? SigV4.EMPTY_SHA256_HEX : "UNSIGNED-PAYLOAD")));
        mutations.add(w -> w.withHeader("x-amz-content-sha256", List.of(SigV4.sha256Hex("other" + random.nextInt()))));
        String authorization = wire.headers().get("Authorization").getFirst();
        mutations.add(w -> w.withHeader("Authorization", List.of(flipLastHex(authorization))));
        for (String name : wire.headers().keySet()) {
            if (name.toLowerCase(Locale.ROOT).startsWith("x-amz-meta-")) {
                mutations.add(
                        w -> w.withHeader(name, List.of(w.headers().get(name).getFirst() + "x")));
            }
        }
        return mutations;
    }

    private static List<UnaryOperator<SdkSigning.Wire>> presignedMutations(SdkSigning.Wire wire) {
        List<UnaryOperator<SdkSigning.Wire>> mutations = commonMutations(wire);
        mutations.add(w -> w.withQuery(w.rawQuery()
                .replace("X-Amz-Date=" + dateOf(w.rawQuery()), "X-Amz-Date=" + shiftedDate(dateOf(w.rawQuery())))));
        mutations.add(w -> w.withQuery(w.rawQuery().replaceFirst("X-Amz-Expires=(\\d+)", "X-Amz-Expires=0$1")));
        mutations.add(w -> w.withQuery(flipLastHex(w.rawQuery())));
        return mutations;
    }

    private static List<UnaryOperator<SdkSigning.Wire>> commonMutations(SdkSigning.Wire wire) {
        List<UnaryOperator<SdkSigning.Wire>> mutations = new ArrayList<>();
        mutations.add(w -> w.withPath(w.rawPath() + "x"));
        mutations.add(w -> w.withPath(w.rawPath() + "%2B"));
        mutations.add(w -> w.withQuery(w.rawQuery().isEmpty() ? "extra=1" : w.rawQuery() + "&extra=1"));
        if (wire.rawQuery().startsWith("n")) {
            // The random parameters are named n0…, n1…; change the value of the first one.
            mutations.add(w -> w.withQuery(w.rawQuery().replaceFirst("=", "=z")));
        }
        mutations.add(w -> w.withMethod(w.method().equals("PUT") ? "POST" : "HEAD"));
        mutations.add(w -> w.withHeader("Host", List.of("other.example.test")));
        return mutations;
    }

    private static String dateOf(String query) {
        int start = query.indexOf("X-Amz-Date=") + "X-Amz-Date=".length();
        return query.substring(start, start + 16);
    }

    /** One second off, within the same minute. */
    private static String shiftedDate(String amzDate) {
        int seconds = Integer.parseInt(amzDate.substring(13, 15));
        return amzDate.substring(0, 13) + String.format("%02d", seconds == 59 ? 58 : seconds + 1) + "Z";
    }

    private static String flipLastHex(String authorization) {
        char last = authorization.charAt(authorization.length() - 1);
        return authorization.substring(0, authorization.length() - 1) + (last == '0' ? '1' : '0');
    }

    static Instant randomInstant(Random random) {
        long day = 18_000 + random.nextInt(5_000);
        return Instant.ofEpochSecond(day * 86_400 + random.nextInt(86_000));
    }

    static String region(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> "us-east-1";
            case 1 -> "eu-west-3";
            default -> "seabed";
        };
    }
}
