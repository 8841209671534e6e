package io.seabed.s3;

import io.seabed.namespace.ObjectInfo;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;

/**
 * HTTP conditional headers (RFC 9110 §13.2.2, as S3 applies them) evaluated against an object's
 * ETag and Last-Modified: If-Match, else If-Unmodified-Since, decides 412; then If-None-Match, else
 * If-Modified-Since, decides 304. So If-Match true with If-Unmodified-Since false proceeds, and
 * If-None-Match false with If-Modified-Since true is 304. Dates that do not parse are ignored.
 */
final class Preconditions {
    /** The outcome of evaluating the conditions of a request. */
    enum Outcome {
        PROCEED,
        NOT_MODIFIED,
        FAILED
    }

    /** Names of the four headers, plain (GET/HEAD) or with the x-amz-copy-source- prefix (copies). */
    record Headers(String ifMatch, String ifNoneMatch, String ifModifiedSince, String ifUnmodifiedSince) {
        static final Headers PLAIN =
                new Headers("If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since");
        static final Headers COPY_SOURCE = new Headers(
                "x-amz-copy-source-if-match",
                "x-amz-copy-source-if-none-match",
                "x-amz-copy-source-if-modified-since",
                "x-amz-copy-source-if-unmodified-since");
    }

    private Preconditions() {}

    static Outcome evaluate(S3Request r, Headers names, ObjectInfo info) {
        String ifMatch = r.http.getHeader(names.ifMatch());
        String ifNoneMatch = r.http.getHeader(names.ifNoneMatch());
        long modifiedSeconds = Math.floorDiv(info.lastModifiedMillis(), 1000);
        if (ifMatch != null) {
            if (!matches(ifMatch, info.etag())) return Outcome.FAILED;
        } else {
            long since = epochSeconds(r.http.getHeader(names.ifUnmodifiedSince()));
            if (since != Long.MIN_VALUE && modifiedSeconds > since) return Outcome.FAILED;
        }
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, info.etag())) return Outcome.NOT_MODIFIED;
        } else {
            long since = epochSeconds(r.http.getHeader(names.ifModifiedSince()));
            if (since != Long.MIN_VALUE && modifiedSeconds <= since) return Outcome.NOT_MODIFIED;
        }
        return Outcome.PROCEED;
    }

    /**
     * Whether a list of entity tags ("a", W/"b", c, or *) names {@code etag}; quotes are optional
     * and weak tags compare by their value, as S3 does.
     */
    static boolean matches(String header, String etag) {
        int count = 0;
        for (String part : header.split(",")) {
            if (++count > ETAGS_MAX) return false;
            String t = part.trim();
            if (t.equals("*")) return true;
            if (t.startsWith("W/")) t = t.substring(2);
            if (unquote(t).equals(etag)) return true;
        }
        return false;
    }

    /** Entity tags read from one header; more are ignored (no match). */
    static final int ETAGS_MAX = 100;

    static String unquote(String etag) {
        String t = etag.trim();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) t = t.substring(1, t.length() - 1);
        return t;
    }

    /** The HTTP date in seconds since the epoch, or Long.MIN_VALUE when absent or unparseable. */
    static long epochSeconds(String httpDate) {
        if (httpDate == null) return Long.MIN_VALUE;
        try {
            return ZonedDateTime.parse(httpDate.trim(), S3Request.HTTP_DATE).toEpochSecond();
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }
}
