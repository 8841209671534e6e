package io.seabed.nfs;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * How a bucket is exported.
 *
 * @param readOnly every change answers NFS3ERR_ROFS
 * @param squash whose identity becomes {@code anonUid}/{@code anonGid}: nobody's, root's, or everyone's
 * @param clients the client networks allowed (empty: any)
 * @param allowAuthNone whether AUTH_NONE calls are served (as the anonymous identity); else refused
 */
public record ExportOptions(
        boolean readOnly, Squash squash, int anonUid, int anonGid, List<ClientNet> clients, boolean allowAuthNone) {
    public enum Squash {
        NONE,
        ROOT,
        ALL
    }

    public static final int NOBODY = 65534;

    public static final ExportOptions DEFAULTS =
            new ExportOptions(false, Squash.ROOT, NOBODY, NOBODY, List.of(), false);

    public ExportOptions {
        clients = List.copyOf(clients);
    }

    /**
     * Parses options separated by commas or spaces (S3 tag values allow no commas): {@code rw}/{@code ro}, {@code root_squash}/{@code no_root_squash}/{@code
     * all_squash}, {@code anonuid=N}, {@code anongid=N}, {@code clients=NET;NET} (CIDR; repeatable), {@code auth_none}. Unset
     * ones take {@link #DEFAULTS}: rw, root_squash, anonymous 65534, any client, AUTH_NONE refused.
     *
     * @throws IllegalArgumentException naming the part that does not parse
     */
    public static ExportOptions parse(String spec) {
        boolean readOnly = DEFAULTS.readOnly;
        Squash squash = DEFAULTS.squash;
        int anonUid = DEFAULTS.anonUid;
        int anonGid = DEFAULTS.anonGid;
        List<ClientNet> clients = new ArrayList<>();
        boolean authNone = false;
        for (String raw : spec.split("[,\\s]+")) {
            String part = raw.trim();
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? null : part.substring(eq + 1);
            switch (name) {
                case "rw" -> readOnly = flag(part, value, false);
                case "ro" -> readOnly = flag(part, value, true);
                case "root_squash" -> squash = flag(part, value, Squash.ROOT);
                case "no_root_squash" -> squash = flag(part, value, Squash.NONE);
                case "all_squash" -> squash = flag(part, value, Squash.ALL);
                case "auth_none" -> authNone = flag(part, value, true);
                case "anonuid" -> anonUid = id(part, value);
                case "anongid" -> anonGid = id(part, value);
                case "clients" -> {
                    if (value == null || value.isEmpty()) throw new IllegalArgumentException("clients needs networks");
                    for (String net : value.split(";")) clients.add(ClientNet.parse(net.trim()));
                }
                default -> throw new IllegalArgumentException("unknown export option '" + part + "'");
            }
        }
        return new ExportOptions(readOnly, squash, anonUid, anonGid, clients, authNone);
    }

    private static <T> T flag(String part, String value, T result) {
        if (value != null) throw new IllegalArgumentException("option '" + part + "' takes no value");
        return result;
    }

    private static int id(String part, String value) {
        try {
            long v = Long.parseLong(value == null ? "" : value);
            if (v < 0 || v > 0xFFFFFFFFL) throw new NumberFormatException();
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option '" + part + "' needs an id in [0, 4294967295]");
        }
    }

    /** Whether {@code client} may use the export. */
    public boolean allows(InetAddress client) {
        if (clients.isEmpty()) return true;
        for (ClientNet net : clients) if (net.contains(client)) return true;
        return false;
    }
}
