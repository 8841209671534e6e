package io.seabed.nfs;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A client network in CIDR form (IPv4 or IPv6), e.g. {@code 10.0.0.0/8} or {@code ::1/128}. */
public record ClientNet(byte[] address, int prefixBits) {
    public ClientNet {
        address = address.clone();
        if (prefixBits < 0 || prefixBits > address.length * 8)
            throw new IllegalArgumentException("prefix /" + prefixBits + " outside [0, " + address.length * 8 + "]");
    }

    /** {@code ADDRESS[/BITS]} with a numeric address; IllegalArgumentException when it is not one. */
    public static ClientNet parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+"))
            throw new IllegalArgumentException("not a numeric address: " + text);
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + text, e);
        }
        int bits = address.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + text, e);
            }
        }
        return new ClientNet(address, bits);
    }

    /** Whether {@code client} lies in this network (an IPv4 client never matches an IPv6 network). */
    public boolean contains(InetAddress client) {
        byte[] a = client.getAddress();
        if (a.length != address.length) return false;
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) if (a[i] != address[i]) return false;
        int rest = prefixBits % 8;
        if (rest == 0) return true;
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (a[full] & mask) == (address[full] & mask);
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + prefixBits;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientNet c && c.prefixBits == prefixBits && java.util.Arrays.equals(c.address, address);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(address) * 31 + prefixBits;
    }
}
