package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * SigV4 canonicalization as S3 does it: the path as sent (no double encoding, no normalization), query parameters
 * decoded then re-encoded per RFC 3986 (uppercase hex, {@code +} is a literal plus), sorted by name then value.
 */
final class Canonical {
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();
    private static final Comparator<QueryParam> CANONICAL_ORDER =
            Comparator.comparing(QueryParam::canonicalName).thenComparing(QueryParam::canonicalValue);

    private Canonical() {}

    /** One query parameter: decoded for reading, re-encoded for signing. */
    record QueryParam(String name, String value, String canonicalName, String canonicalValue) {}

    /**
     * Parses a raw query. A parameter without {@code =} has the empty value.
     *
     * @throws S3Exception InvalidArgument on bad percent-encoding or more than {@code paramsMax} parameters
     */
    static List<QueryParam> parseQuery(String rawQuery, int paramsMax) {
        List<QueryParam> params = new ArrayList<>();
        if (rawQuery.isEmpty()) {
            return params;
        }
        int start = 0;
        while (start <= rawQuery.length()) {
            int end = rawQuery.indexOf('&', start);
            if (end < 0) {
                end = rawQuery.length();
            }
            if (end > start) {
                if (params.size() == paramsMax) {
                    throw new S3Exception(
                            S3ErrorCode.INVALID_ARGUMENT,
                            "The query has more than QUERY_PARAMS_MAX=" + paramsMax + " parameters.");
                }
                params.add(parseParam(rawQuery.substring(start, end)));
            }
            start = end + 1;
        }
        return params;
    }

    private static QueryParam parseParam(String raw) {
        int equals = raw.indexOf('=');
        String rawName = equals < 0 ? raw : raw.substring(0, equals);
        String rawValue = equals < 0 ? "" : raw.substring(equals + 1);
        // Most parameters arrive already in canonical form (signed presigned URLs always do): keep the raw text.
        if (isCanonical(rawName) && isCanonical(rawValue))
            return new QueryParam(decodeCanonical(rawName), decodeCanonical(rawValue), rawName, rawValue);
        byte[] name = percentDecode(rawName);
        byte[] value = percentDecode(rawValue);
        if (name == null || value == null) {
            throw new S3Exception(S3ErrorCode.INVALID_ARGUMENT, "The query contains an invalid percent-encoding.");
        }
        return new QueryParam(
                new String(name, StandardCharsets.UTF_8),
                new String(value, StandardCharsets.UTF_8),
                uriEncode(name, true),
                uriEncode(value, true));
    }

    /**
     * Whether {@code text} is exactly what {@link #uriEncode(byte[], boolean)} makes of its decoded bytes (with
     * {@code /} encoded): unreserved characters as they are, every other byte as {@code %XX} in uppercase.
     */
    static boolean isCanonical(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (isUnreserved(c)) continue;
            if (c != '%' || i + 2 >= n) return false;
            int high = upperHexDigit(text.charAt(i + 1));
            int low = upperHexDigit(text.charAt(i + 2));
            if (high < 0 || low < 0 || isUnreserved((high << 4) | low)) return false;
            i += 2;
        }
        return true;
    }

    private static int upperHexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** The decoded text of a canonical component (see {@link #isCanonical}). */
    private static String decodeCanonical(String canonical) {
        if (canonical.indexOf('%') < 0) return canonical;
        return new String(percentDecode(canonical), StandardCharsets.UTF_8);
    }

    /** The canonical query string, without the parameter named {@code excludedName} (exact, decoded). */
    static String canonicalQuery(List<QueryParam> params, String excludedName) {
        List<QueryParam> sorted = new ArrayList<>(params.size());
        for (QueryParam param : params) {
            if (!param.name().equals(excludedName)) {
                sorted.add(param);
            }
        }
        sorted.sort(CANONICAL_ORDER);
        StringBuilder out = new StringBuilder();
        for (QueryParam param : sorted) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(param.canonicalName()).append('=').append(param.canonicalValue());
        }
        return out.toString();
    }

    /**
     * The path decoded then encoded the SigV4 way, keeping {@code /}: what a client that encodes more (or less) than
     * it sent would have signed. Null when the path is not valid percent-encoding.
     */
    static String reencodedPath(String rawPath) {
        byte[] decoded = percentDecode(rawPath);
        return decoded == null ? null : uriEncode(decoded, false);
    }

    /**
     * RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is {@code %XX} uppercase;
     * {@code /} is encoded only when {@code encodeSlash}.
     */
    static String uriEncode(byte[] bytes, boolean encodeSlash) {
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (isUnreserved(c) || (c == '/' && !encodeSlash)) {
                out.append((char) c);
            } else {
                out.append('%').append(UPPER_HEX[c >>> 4]).append(UPPER_HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    static String uriEncode(String text, boolean encodeSlash) {
        return uriEncode(text.getBytes(StandardCharsets.UTF_8), encodeSlash);
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '_'
                || c == '.'
                || c == '~';
    }

    /** Decodes {@code %XX} escapes to bytes ({@code +} stays a plus); null on a truncated or non-hex escape. */
    static byte[] percentDecode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (text.indexOf('%') < 0) return utf8;
        byte[] out = new byte[utf8.length];
        int n = 0;
        for (int i = 0; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b != '%') {
                out[n++] = b;
                continue;
            }
            if (i + 2 >= utf8.length) {
                return null;
            }
            int high = Character.digit(utf8[i + 1], 16);
            int low = Character.digit(utf8[i + 2], 16);
            if (high < 0 || low < 0) {
                return null;
            }
            out[n++] = (byte) ((high << 4) | low);
            i += 2;
        }
        return Arrays.copyOf(out, n);
    }

    /** A header value as SigV4 canonicalizes it: trimmed, runs of spaces folded to one. */
    static String headerValue(String value) {
        String trimmed = value.strip();
        StringBuilder out = new StringBuilder(trimmed.length());
        boolean previousSpace = false;
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            boolean space = c == ' ' || c == '\t';
            if (space && previousSpace) {
                continue;
            }
            out.append(space ? ' ' : c);
            previousSpace = space;
        }
        return out.toString();
    }

    /** The canonical headers block: one {@code name:value\n} per signed header, values of repeats joined by ",". */
    static String canonicalHeaders(AuthRequest request, List<String> signedHeaders) {
        StringBuilder out = new StringBuilder();
        for (String name : signedHeaders) {
            out.append(name).append(':');
            List<String> values = request.headers(name);
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(headerValue(values.get(i)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String canonicalRequest(
            String method,
            String canonicalPath,
            String canonicalQuery,
            String canonicalHeaders,
            String signedHeaders,
            String payloadHash) {
        return method + "\n" + canonicalPath + "\n" + canonicalQuery + "\n" + canonicalHeaders + "\n" + signedHeaders
                + "\n" + payloadHash;
    }
}
