package io.seabed.s3.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: form parts come out exactly as sent, however the body is split on the wire, including file bytes that
 * look like the start of a delimiter; malformed framing is MalformedPOSTRequest.
 */
class FormDataReaderTest {
    private static final String BOUNDARY = "----seabed-boundary-7e1f";

    /** Delivers {@code body} in pieces of at most {@code step} bytes. */
    private static FormDataReader.Source source(byte[] body, int step) {
        ByteBuffer in = ByteBuffer.wrap(body);
        return out -> {
            if (!in.hasRemaining()) return -1;
            int n = Math.min(step, Math.min(out.remaining(), in.remaining()));
            out.put(in.slice(in.position(), n));
            in.position(in.position() + n);
            return n;
        };
    }

    private static byte[] form(byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "preamble to skip\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"key\"\r\n\r\n"
                + "dir/${filename}\r\n--" + BOUNDARY + "  \r\n"
                + "Content-Disposition: form-data; name=\"x-amz-meta-note\"; filename=\"x-amz-meta-note\"\r\n\r\n"
                + "caf\u00e9\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"q\\\".bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--"
                        + BOUNDARY + "--\r\nepilogue")
                .getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void partsSurviveEverySplit() {
        byte[] file = new byte[200_000];
        new Random(1).nextBytes(file);
        // Bytes that start like a delimiter but are not one.
        byte[] decoy = ("\r\n--" + BOUNDARY.substring(0, 10)).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(decoy, 0, file, 70_000, decoy.length);
        System.arraycopy(decoy, 0, file, file.length - decoy.length, decoy.length);
        byte[] body = form(file);
        for (int step : new int[] {1, 3, 77, 4096, Integer.MAX_VALUE}) {
            FormDataReader r = new FormDataReader(source(body, step), BOUNDARY);
            FormDataReader.Part key = r.next();
            assertEquals("key", key.name());
            assertNull(key.filename());
            assertEquals("dir/${filename}", r.readValue(1024, "key"));
            FormDataReader.Part note = r.next();
            assertEquals("x-amz-meta-note", note.filename());
            assertEquals("caf\u00e9", r.readValue(1024, "note"));
            FormDataReader.Part f = r.next();
            assertEquals("file", f.name());
            assertEquals("a \"q\".bin", f.filename());
            assertEquals("application/octet-stream", f.contentType());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer chunk = ByteBuffer.allocate(step == 1 ? 5 : 10_000);
            for (int n; (n = r.readContent(chunk.clear())) >= 0; ) got.write(chunk.array(), 0, n);
            assertArrayEquals(file, got.toByteArray(), "step " + step);
            assertEquals("after", r.next().name());
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void drainReadsToTheEndWithinItsLimit() {
        byte[] body = form(new byte[10]);
        FormDataReader r = new FormDataReader(source(body, 5), BOUNDARY);
        while (!r.next().name().equals("file")) {}
        while (r.readContent(ByteBuffer.allocate(100)) >= 0) {}
        r.drain(1000);
        FormDataReader tooMuch = new FormDataReader(source(body, 5), BOUNDARY);
        tooMuch.next();
        assertMalformed(() -> tooMuch.drain(10));
    }

    @Test
    void malformedFraming() {
        String ok = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv";
        // Ends inside a part; no CRLF after the boundary; a part without a name; headers that never end.
        for (String bad : new String[] {
            ok,
            "--" + BOUNDARY + "xx\r\n",
            "--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nv\r\n--" + BOUNDARY + "--",
            "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n" + "x".repeat(10_000),
        }) {
            FormDataReader r = new FormDataReader(source(bad.getBytes(StandardCharsets.UTF_8), 7), BOUNDARY);
            assertMalformed(() -> {
                while (r.next() != null) r.readValue(100_000, "a");
            });
        }
        FormDataReader r = new FormDataReader(source((ok + "\r\n--" + BOUNDARY + "--").getBytes(), 7), BOUNDARY);
        r.next();
        assertMalformed(() -> r.readValue(0, "a"));
        assertMalformed(() -> new FormDataReader(source(new byte[0], 1), "x".repeat(71)));
    }

    @Test
    void boundaryAndParameters() {
        assertEquals("abc", FormDataReader.boundary("multipart/form-data; boundary=abc"));
        assertEquals("a b", FormDataReader.boundary("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b\""));
        assertNull(FormDataReader.boundary("multipart/mixed; boundary=abc"));
        assertNull(FormDataReader.boundary("multipart/form-data"));
        assertNull(FormDataReader.boundary(null));
        assertEquals("k", FormDataReader.parameter("form-data; name=\"k\"; filename=\"f\"", "name"));
        assertEquals("f", FormDataReader.parameter("form-data; name=\"k\"; filename=\"f\"", "filename"));
        assertEquals("tok", FormDataReader.parameter("form-data; name=tok", "name"));
        assertNull(FormDataReader.parameter("form-data; name=\"k\"", "filename"));
    }

    private static void assertMalformed(Runnable r) {
        assertEquals(
                S3ErrorCode.MALFORMED_POST_REQUEST,
                assertThrows(S3Exception.class, r::run).code());
    }
}
