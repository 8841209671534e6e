package io.seabed.s3.http;

import io.seabed.s3.S3ErrorCode;
import io.seabed.s3.S3Exception;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A {@code multipart/form-data} body (RFC 7578, RFC 2046 §5.1) read as a stream on a worker thread: part
 * headers one at a time, each part's content through {@link #readContent}, so a form's file streams to storage
 * while only a window of {@link #WINDOW_BYTES} is held here. Malformed framing is MalformedPOSTRequest.
 */
public final class FormDataReader {
    /** Where the body's bytes come from ({@link RequestBody#read} in the server). */
    public interface Source {
        /** Copies bytes into {@code output}; -1 at the end of the body. */
        int read(ByteBuffer output);
    }

    /**
     * One part's Content-Disposition and Content-Type.
     *
     * @param name the form field's name, as sent
     * @param filename the file name, or null when the part names none
     * @param contentType the part's Content-Type, or null
     */
    public record Part(String name, String filename, String contentType) {}

    static final int WINDOW_BYTES = 64 * 1024;
    /** Longest boundary RFC 2046 allows. */
    static final int BOUNDARY_CHARS_MAX = 70;
    /** Bytes of one part's header block. */
    static final int PART_HEADER_BYTES_MAX = 8 * 1024;

    private final Source source;
    private final byte[] delimiter;
    private final ByteBuffer window;
    private boolean sourceEnded;
    private boolean finished;
    private boolean inContent;

    /** @param boundary the boundary parameter of the request's Content-Type */
    public FormDataReader(Source source, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > BOUNDARY_CHARS_MAX)
            throw malformed("The boundary of the multipart/form-data body is missing or too long.");
        this.source = source;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.window = ByteBuffer.allocate(WINDOW_BYTES + delimiter.length);
        // The first delimiter has no CRLF before it; give it one, so every delimiter looks the same.
        window.put((byte) '\r').put((byte) '\n').flip();
        inContent = true; // the preamble, skipped like a part's content
    }

    /** The boundary parameter of a {@code multipart/form-data} Content-Type, or null when it is not one. */
    public static String boundary(String contentType) {
        if (contentType == null) return null;
        String[] params = contentType.split(";");
        if (!params[0].trim().equalsIgnoreCase("multipart/form-data")) return null;
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                String v = p.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                return v;
            }
        }
        return null;
    }

    /** The next part's headers, skipping what is left of the current part; null after the closing delimiter. */
    public Part next() {
        while (inContent) skipContent();
        if (finished) return null;
        // After a delimiter: "--" closes the body; else optional padding, then CRLF and the part's headers.
        fill(2);
        if (available() >= 2 && window.get(window.position()) == '-' && window.get(window.position() + 1) == '-') {
            finished = true;
            return null;
        }
        String headers = headerBlock();
        String name = null;
        String filename = null;
        String contentType = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String field = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (field.equals("content-type")) contentType = value;
            if (!field.equals("content-disposition")) continue;
            name = parameter(value, "name");
            filename = parameter(value, "filename");
        }
        if (name == null) throw malformed("A part of the form has no Content-Disposition name.");
        inContent = true;
        return new Part(name, filename, contentType);
    }

    /** Copies the current part's content into {@code output}; -1 at the part's end. */
    public int readContent(ByteBuffer output) {
        if (!inContent) return -1;
        while (true) {
            fill(delimiter.length);
            int at = indexOfDelimiter();
            int end;
            if (at >= 0) end = at;
            else if (sourceEnded) throw malformed("The multipart/form-data body ends inside a part.");
            else end = window.limit() - (delimiter.length - 1);
            int n = Math.min(output.remaining(), end - window.position());
            if (n > 0) {
                output.put(window.slice(window.position(), n));
                window.position(window.position() + n);
                return n;
            }
            if (at == window.position()) {
                window.position(at + delimiter.length);
                inContent = false;
                return -1;
            }
            if (!output.hasRemaining()) return 0;
            // Not enough bytes to tell content from a delimiter yet: read more.
            refill();
        }
    }

    /** The current part's content as text, at most {@code limitBytes} (else MalformedPOSTRequest). */
    public String readValue(int limitBytes, String what) {
        ByteBuffer out = ByteBuffer.allocate(Math.min(limitBytes + 1, 4096));
        while (true) {
            if (!out.hasRemaining()) {
                if (out.capacity() > limitBytes) throw malformed("The form field " + what + " is too long.");
                ByteBuffer bigger = ByteBuffer.allocate(Math.min(out.capacity() * 2, limitBytes + 1));
                bigger.put(out.flip());
                out = bigger;
            }
            if (readContent(out) < 0) break;
        }
        if (out.position() > limitBytes) throw malformed("The form field " + what + " is too long.");
        return new String(out.array(), 0, out.position(), StandardCharsets.UTF_8);
    }

    /** Reads to the end of the body (parts after the file are ignored, as S3 does), at most {@code limitBytes}. */
    public void drain(long limitBytes) {
        long seen = 0;
        while (true) {
            seen += window.remaining();
            if (seen > limitBytes) throw malformed("Too much form data after the file.");
            window.position(window.limit());
            if (sourceEnded) return;
            refill();
        }
    }

    private void skipContent() {
        ByteBuffer sink = ByteBuffer.allocate(8192);
        while (readContent(sink.clear()) >= 0) {}
    }

    private String headerBlock() {
        StringBuilder sb = new StringBuilder();
        // Transport padding after the boundary, then CRLF.
        while (true) {
            fill(1);
            if (available() == 0) throw malformed("The multipart/form-data body ends after a boundary.");
            byte b = window.get();
            if (b == ' ' || b == '\t') continue;
            if (b == '\r') {
                fill(1);
                if (available() > 0 && window.get() == '\n') break;
            }
            throw malformed("A boundary of the multipart/form-data body is not followed by CRLF.");
        }
        int matched = 2; // of "\r\n\r\n": the line end after the boundary counts
        while (matched < 4) {
            fill(1);
            if (available() == 0) throw malformed("The multipart/form-data body ends inside a part's headers.");
            byte b = window.get();
            sb.append((char) (b & 0xFF));
            if (sb.length() > PART_HEADER_BYTES_MAX) throw malformed("A part's headers are too long.");
            if ((matched % 2 == 0 && b == '\r') || (matched % 2 == 1 && b == '\n')) matched++;
            else matched = b == '\r' ? 1 : 0;
        }
        byte[] raw = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        return new String(raw, StandardCharsets.UTF_8).trim();
    }

    /** The value of {@code name=...} in a Content-Disposition (quoted or token), or null. */
    static String parameter(String disposition, String name) {
        int i = 0;
        int n = disposition.length();
        while (i < n) {
            int semi = disposition.indexOf(';', i);
            if (semi < 0) return null;
            i = semi + 1;
            while (i < n && disposition.charAt(i) == ' ') i++;
            int eq = disposition.indexOf('=', i);
            if (eq < 0) return null;
            String key = disposition.substring(i, eq).trim();
            i = eq + 1;
            String value;
            if (i < n && disposition.charAt(i) == '"') {
                StringBuilder v = new StringBuilder();
                i++;
                while (i < n && disposition.charAt(i) != '"') {
                    char c = disposition.charAt(i);
                    if (c == '\\' && i + 1 < n && disposition.charAt(i + 1) == '"') c = disposition.charAt(++i);
                    v.append(c);
                    i++;
                }
                i++;
                value = v.toString();
            } else {
                int end = disposition.indexOf(';', i);
                value = (end < 0 ? disposition.substring(i) : disposition.substring(i, end)).trim();
                i = end < 0 ? n : end;
            }
            if (key.equalsIgnoreCase(name)) return value;
        }
        return null;
    }

    private int available() {
        return window.remaining();
    }

    /** Reads until {@code bytes} are buffered or the body ends. */
    private void fill(int bytes) {
        while (available() < bytes && !sourceEnded) refill();
    }

    private void refill() {
        window.compact();
        try {
            if (!window.hasRemaining()) return;
            int n = source.read(window);
            if (n < 0) sourceEnded = true;
        } finally {
            window.flip();
        }
    }

    private int indexOfDelimiter() {
        int last = window.limit() - delimiter.length;
        byte first = delimiter[0];
        outer:
        for (int i = window.position(); i <= last; i++) {
            if (window.get(i) != first) continue;
            for (int j = 1; j < delimiter.length; j++) if (window.get(i + j) != delimiter[j]) continue outer;
            return i;
        }
        return -1;
    }

    static S3Exception malformed(String message) {
        return new S3Exception(S3ErrorCode.MALFORMED_POST_REQUEST, message);
    }
}
