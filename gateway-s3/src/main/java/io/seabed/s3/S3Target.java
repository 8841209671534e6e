package io.seabed.s3;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bucket, key and query of a request, percent-decoded strictly (malformed escapes and invalid
 * UTF-8 are refused, nothing is normalized). Path-style ({@code /bucket/key}) unless the Host names a
 * bucket under one of the endpoint's domains ({@code bucket.domain}, virtual-hosted style: the whole
 * path is the key).
 *
 * @param hostBucket the bucket named by the Host header, or null for path-style
 */
record S3Target(String bucket, String key, Map<String, String> query, String hostBucket) {
    /** Query parameters accepted in one request. */
    static final int QUERY_PARAMS_MAX = 64;

    /** A path-style request. */
    static S3Target parse(String rawPath, String rawQuery) {
        return parse(null, rawPath, rawQuery, List.of());
    }

    /**
     * @param host the Host header (or HTTP/2 authority), with or without a port; null when absent
     * @param domains the endpoint's domains, lower case
     */
    static S3Target parse(String host, String rawPath, String rawQuery, List<String> domains) {
        if (rawPath == null || !rawPath.startsWith("/"))
            throw new S3Exception(S3ErrorCode.INVALID_REQUEST, "The request path must start with /.");
        String hostBucket = hostBucket(host, domains);
        if (hostBucket != null) {
            String key = rawPath.length() > 1 ? decode(rawPath.substring(1), false) : null;
            return new S3Target(hostBucket, key, parseQuery(rawQuery), hostBucket);
        }
        String rest = rawPath.substring(1);
        String bucket = null;
        String key = null;
        if (!rest.isEmpty()) {
            int slash = rest.indexOf('/');
            bucket = decode(slash < 0 ? rest : rest.substring(0, slash), false);
            if (slash >= 0 && slash + 1 < rest.length()) key = decode(rest.substring(slash + 1), false);
        }
        return new S3Target(bucket, key, parseQuery(rawQuery), null);
    }

    /** The bucket of {@code bucket.domain[:port]}, or null when the host is not under a domain. */
    static String hostBucket(String host, List<String> domains) {
        if (host == null || domains.isEmpty()) return null;
        String name = host;
        if (name.startsWith("[")) return null; // an IPv6 literal
        int colon = name.lastIndexOf(':');
        if (colon >= 0) name = name.substring(0, colon);
        name = name.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
        for (String domain : domains) {
            if (name.length() > domain.length() + 1
                    && name.endsWith(domain)
                    && name.charAt(name.length() - domain.length() - 1) == '.')
                return name.substring(0, name.length() - domain.length() - 1);
        }
        return null;
    }

    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) return out;
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) continue;
            if (out.size() == QUERY_PARAMS_MAX)
                throw new S3Exception(
                        S3ErrorCode.INVALID_ARGUMENT, "More than " + QUERY_PARAMS_MAX + " query parameters.");
            int eq = part.indexOf('=');
            String name = decode(eq < 0 ? part : part.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(part.substring(eq + 1), true);
            out.putIfAbsent(name, value);
        }
        return out;
    }

    /** Percent-decodes {@code s} as UTF-8; in a query, '+' means a space. */
    static String decode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
        // Each char is at most 3 UTF-8 bytes (a surrogate pair is 4 for 2 chars); '%XX' shrinks to 1.
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw badUri();
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw badUri();
                out[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out[n++] = ' ';
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, out, n, b.length);
                n += b.length;
                i = end - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw badUri();
        }
    }

    private static S3Exception badUri() {
        return new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "Couldn't parse the specified URI.");
    }
}
