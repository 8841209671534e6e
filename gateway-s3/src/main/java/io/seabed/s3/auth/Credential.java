package io.seabed.s3.auth;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;

/** The parsed {@code <access-key>/<yyyyMMdd>/<region>/s3/aws4_request} of a SigV4 request. */
record Credential(String accessKey, String date, String region) {
    private static final int DATE_CHARS = 8;

    String scope() {
        return SigV4.scope(date, region);
    }

    /**
     * Parses a credential; the access key is everything before the last four components.
     *
     * @param error AuthorizationHeaderMalformed or AuthorizationQueryParametersError, by where it came from
     */
    static Credential parse(String text, S3ErrorCode error) {
        int terminatorSlash = text.lastIndexOf('/');
        int serviceSlash = terminatorSlash <= 0 ? -1 : text.lastIndexOf('/', terminatorSlash - 1);
        int regionSlash = serviceSlash <= 0 ? -1 : text.lastIndexOf('/', serviceSlash - 1);
        int dateSlash = regionSlash <= 0 ? -1 : text.lastIndexOf('/', regionSlash - 1);
        if (dateSlash <= 0) {
            throw new S3Exception(
                    error,
                    "The credential is malformed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        }
        String accessKey = text.substring(0, dateSlash);
        String date = text.substring(dateSlash + 1, regionSlash);
        String region = text.substring(regionSlash + 1, serviceSlash);
        String service = text.substring(serviceSlash + 1, terminatorSlash);
        String terminator = text.substring(terminatorSlash + 1);
        if (date.length() != DATE_CHARS || !date.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3Exception(error, "The credential date \"" + date + "\" is not of the form YYYYMMDD.");
        }
        if (region.isEmpty()) {
            throw new S3Exception(error, "The credential has an empty region.");
        }
        if (!SigV4.SERVICE.equals(service)) {
            throw new S3Exception(
                    error,
                    "The credential is malformed; incorrect service \"" + service
                            + "\". This endpoint belongs to \"s3\".");
        }
        if (!SigV4.TERMINATOR.equals(terminator)) {
            throw new S3Exception(
                    error,
                    "The credential is malformed; incorrect terminal \"" + terminator
                            + "\". This endpoint uses \"aws4_request\".");
        }
        return new Credential(accessKey, date, region);
    }

    @Override
    public String toString() {
        return accessKey + "/" + scope();
    }
}
