package io.seabed.conformance;

import io.seabed.s3.auth.SigV4Signer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a raw socket, signing with SigV4, so tests can send exactly the
 * bytes they mean (wrong lengths, truncated bodies) and read exactly what comes back.
 */
final class RawS3 {
    final int port;
    final SigV4Signer signer;

    RawS3(int port, String accessKey, String secretKey, InstantSource clock) {
        this.port = port;
        this.signer = new SigV4Signer(accessKey, secretKey, "us-east-1", clock);
    }

    /** Status of an exchange where the server closed the connection without answering. */
    static final int NO_RESPONSE = -1;

    record Response(int status, Map<String, String> headers, String body) {
        String errorCode() {
            int a = body.indexOf("<Code>");
            int b = body.indexOf("</Code>");
            return a < 0 || b < 0 ? null : body.substring(a + 6, b);
        }
    }

    /** Signs (payload hash of {@code body}) and sends; {@code sendBytes} of the body go out (may be fewer). */
    Response send(String method, String rawPath, String rawQuery, byte[] body, long contentLength, int sendBytes) {
        String host = "127.0.0.1:" + port;
        Map<String, List<String>> headers = new LinkedHashMap<>();
        var signed = signer.sign(method, host, rawPath, rawQuery, headers, sha256Hex(body));
        StringBuilder req = new StringBuilder();
        req.append(method).append(' ').append(rawPath);
        if (!rawQuery.isEmpty()) req.append('?').append(rawQuery);
        req.append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        signed.headers().forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("Content-Length: ").append(contentLength).append("\r\nConnection: close\r\n\r\n");
        return exchange(req.toString().getBytes(StandardCharsets.UTF_8), body, sendBytes);
    }

    Response send(String method, String rawPath, String rawQuery, byte[] body) {
        return send(method, rawPath, rawQuery, body, body.length, body.length);
    }

    /** Sends a request given as text (no signing) and reads the response. */
    Response sendRaw(String head, byte[] body) {
        return exchange(head.getBytes(StandardCharsets.UTF_8), body, body.length);
    }

    private Response exchange(byte[] head, byte[] body, int sendBytes) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(body, 0, sendBytes);
            out.flush();
            if (sendBytes < body.length) socket.shutdownOutput();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) return new Response(NO_RESPONSE, Map.of(), "");
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) throw new IOException("no HTTP response: " + text);
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(),
                    lines[i].substring(colon + 1).trim());
        }
        return new Response(status, headers, text.substring(end + 4));
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
