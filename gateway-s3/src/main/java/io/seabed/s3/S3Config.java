package io.seabed.s3;

import io.seabed.namespace.Bucket;
import java.util.List;
import java.util.Locale;

/**
 * Limits and tunables of the S3 front, each with a named default.
 *
 * @param requestsInFlightMax requests accepted at once, each handled on a virtual thread of its own; more
 *     answer SlowDown
 * @param headerBytesMax total size of request headers
 * @param xmlBodyBytesMax largest XML request body (CompleteMultipartUpload, CreateBucket)
 * @param bodyIdleMillis how long a request body may stall before the request fails
 * @param region the region reported by GetBucketLocation and accepted in signatures
 * @param domains host names of the endpoint for virtual-hosted-style addressing: a request whose Host is
 *     {@code BUCKET.DOMAIN} names BUCKET; any other Host (a domain itself, an IP address) is path-style
 * @param bucketModeDefault the mode of a bucket whose CreateBucket has no {@value #BUCKET_MODE_HEADER} header
 */
public record S3Config(
        int requestsInFlightMax,
        int headerBytesMax,
        int xmlBodyBytesMax,
        long bodyIdleMillis,
        String region,
        List<String> domains,
        Bucket.Mode bucketModeDefault) {

    /** CreateBucket header choosing a bucket's mode: {@code flat} or {@code hierarchical}. */
    public static final String BUCKET_MODE_HEADER = "x-seabed-bucket-mode";

    public static final int REQUESTS_IN_FLIGHT_MAX_DEFAULT = 1024;
    public static final int HEADER_BYTES_MAX_DEFAULT = 16 * 1024;
    public static final int XML_BODY_BYTES_MAX_DEFAULT = 2 * 1024 * 1024;
    public static final long BODY_IDLE_MILLIS_DEFAULT = 60_000;
    public static final String REGION_DEFAULT = "us-east-1";
    /** {@code http://BUCKET.localhost:PORT/KEY} works out of the box (curl and browsers resolve *.localhost). */
    public static final List<String> DOMAINS_DEFAULT = List.of("localhost");

    /** A front creating flat buckets unless asked otherwise. */
    public S3Config(
            int requestsInFlightMax,
            int headerBytesMax,
            int xmlBodyBytesMax,
            long bodyIdleMillis,
            String region,
            List<String> domains) {
        this(requestsInFlightMax, headerBytesMax, xmlBodyBytesMax, bodyIdleMillis, region, domains, Bucket.Mode.FLAT);
    }

    public S3Config {
        java.util.Objects.requireNonNull(bucketModeDefault, "bucketModeDefault");
        if (requestsInFlightMax < 1) throw new IllegalArgumentException("requestsInFlightMax=" + requestsInFlightMax);
        if (headerBytesMax < 1024) throw new IllegalArgumentException("headerBytesMax=" + headerBytesMax);
        if (xmlBodyBytesMax < 1024) throw new IllegalArgumentException("xmlBodyBytesMax=" + xmlBodyBytesMax);
        if (bodyIdleMillis < 100) throw new IllegalArgumentException("bodyIdleMillis=" + bodyIdleMillis);
        domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        for (String d : domains)
            if (d.isEmpty() || d.startsWith(".") || d.endsWith(".") || d.contains(":") || d.contains("/"))
                throw new IllegalArgumentException("domain '" + d + "' is not a host name");
    }

    public static S3Config defaults() {
        return new S3Config(
                REQUESTS_IN_FLIGHT_MAX_DEFAULT,
                HEADER_BYTES_MAX_DEFAULT,
                XML_BODY_BYTES_MAX_DEFAULT,
                BODY_IDLE_MILLIS_DEFAULT,
                REGION_DEFAULT,
                DOMAINS_DEFAULT);
    }

    public S3Config withDomains(List<String> domains) {
        return new S3Config(
                requestsInFlightMax,
                headerBytesMax,
                xmlBodyBytesMax,
                bodyIdleMillis,
                region,
                domains,
                bucketModeDefault);
    }

    public S3Config withBucketModeDefault(Bucket.Mode mode) {
        return new S3Config(
                requestsInFlightMax, headerBytesMax, xmlBodyBytesMax, bodyIdleMillis, region, domains, mode);
    }
}
