package io.seabed.s3;

import io.seabed.namespace.Bucket;
import io.seabed.namespace.Namespace;
import io.seabed.namespace.ObjectInfo;
import io.seabed.namespace.PartInfo;
import io.seabed.namespace.UploadPart;
import io.seabed.s3.xml.XmlReader;
import io.seabed.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;

/** CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload. */
final class MultipartOps {
    private final Namespace namespace;
    private final S3Config config;

    MultipartOps(Namespace namespace, S3Config config, ObjectOps objects) {
        this.namespace = namespace;
        this.config = config;
    }

    void create(S3Request r, Bucket b, String key) {
        String uploadId = namespace.createUpload(b, key, ObjectOps.metadata(r), r.user);
        BucketOps.xml(
                r,
                new XmlWriter()
                        .openRoot("InitiateMultipartUploadResult")
                        .element("Bucket", b.name())
                        .element("Key", key)
                        .element("UploadId", uploadId)
                        .close("InitiateMultipartUploadResult"));
    }

    void uploadPart(S3Request r, Bucket b, S3Op.UploadPart op) {
        int partNumber = partNumber(op.partNumber());
        long length = ObjectOps.bodyLength(r);
        PartInfo part = namespace.uploadPart(b, op.key(), op.uploadId(), partNumber, length, ObjectOps.body(r));
        r.respond(200, S3Server.headers().add("ETag", ObjectOps.quote(part.etag())), null);
    }

    void complete(S3Request r, Bucket b, S3Op.CompleteMultipartUpload op) {
        byte[] body = r.body.readAll(config.xmlBodyBytesMax(), S3ErrorCode.MALFORMED_XML);
        XmlReader.Element root = XmlReader.parse(body);
        if (!root.name().equals("CompleteMultipartUpload")) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
        List<UploadPart> parts = new ArrayList<>();
        for (XmlReader.Element p : root.all("Part")) {
            String number = p.childText("PartNumber");
            String etag = p.childText("ETag");
            if (number == null || etag == null) throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            int n;
            try {
                n = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw new S3Exception(S3ErrorCode.MALFORMED_XML);
            }
            parts.add(new UploadPart(n, unquote(etag)));
        }
        if (parts.isEmpty()) throw new S3Exception(S3ErrorCode.MALFORMED_XML, "You must specify at least one part.");
        ObjectInfo info = namespace.completeUpload(b, op.key(), op.uploadId(), parts);
        BucketOps.xml(
                r,
                new XmlWriter()
                        .openRoot("CompleteMultipartUploadResult")
                        .element("Location", "/" + b.name() + "/" + op.key())
                        .element("Bucket", b.name())
                        .element("Key", op.key())
                        .element("ETag", ObjectOps.quote(info.etag()))
                        .close("CompleteMultipartUploadResult"));
    }

    void abort(S3Request r, Bucket b, S3Op.AbortMultipartUpload op) {
        namespace.abortUpload(b, op.key(), op.uploadId());
        r.respond(204, S3Server.headers(), null);
    }

    private static int partNumber(String text) {
        int n = text != null && text.matches("[0-9]{1,5}") ? Integer.parseInt(text) : -1;
        if (n < 1 || n > 10_000)
            throw new S3Exception(
                    S3ErrorCode.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive");
        return n;
    }

    private static String unquote(String etag) {
        String t = etag.trim();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) t = t.substring(1, t.length() - 1);
        return t;
    }
}
