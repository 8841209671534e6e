package io.seabed.server;

/** A HOST:PORT option value. */
public record HostPort(String host, int port) {
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port of '" + text + "' is not a number", e);
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " outside [0, 65535]");
        return new HostPort(host, port);
    }

    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
