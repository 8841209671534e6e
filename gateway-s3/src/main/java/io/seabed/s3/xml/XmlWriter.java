package io.seabed.s3.xml;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Writes S3 response XML: elements with escaped text, in the S3 namespace. Not thread safe. */
public final class XmlWriter {
    public static final String S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final StringBuilder sb = new StringBuilder(256);

    public XmlWriter() {
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    public XmlWriter open(String name) {
        sb.append('<').append(name).append('>');
        return this;
    }

    /** An element with attributes: {@code attributes} are name, value pairs (values escaped). */
    public XmlWriter open(String name, String... attributes) {
        if (attributes.length % 2 != 0) throw new IllegalArgumentException("attributes come in name, value pairs");
        sb.append('<').append(name);
        for (int i = 0; i < attributes.length; i += 2) {
            sb.append(' ').append(attributes[i]).append("=\"");
            escape(attributes[i + 1]);
            sb.append('"');
        }
        sb.append('>');
        return this;
    }

    /** The document's root element, in the S3 namespace. */
    public XmlWriter openRoot(String name) {
        sb.append('<').append(name).append(" xmlns=\"").append(S3_NAMESPACE).append("\">");
        return this;
    }

    public XmlWriter close(String name) {
        sb.append("</").append(name).append('>');
        return this;
    }

    /** Escaped text inside the element opened last. */
    public XmlWriter text(String text) {
        escape(text);
        return this;
    }

    public XmlWriter element(String name, String text) {
        open(name);
        escape(text);
        return close(name);
    }

    public XmlWriter element(String name, long value) {
        return element(name, Long.toString(value));
    }

    public XmlWriter element(String name, boolean value) {
        return element(name, Boolean.toString(value));
    }

    /** An element only when {@code text} is not null. */
    public XmlWriter optional(String name, String text) {
        return text == null ? this : element(name, text);
    }

    public static String isoTime(long millis) {
        return ISO.format(Instant.ofEpochMilli(millis));
    }

    private void escape(String s) {
        if (s == null) return;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                        sb.append("&#").append((int) c).append(';');
                    else sb.append(c);
                }
            }
        }
    }

    public byte[] toBytes() {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
