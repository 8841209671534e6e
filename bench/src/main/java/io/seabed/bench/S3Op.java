package io.seabed.bench;

import java.util.Locale;

/** One kind of S3 request the load generator sends; each touches one object of the key space, or lists the bucket. */
public enum S3Op {
    PUT,
    GET,
    HEAD,
    LIST,
    DELETE;

    /** The lower-case name used on the command line and in reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The op named {@code label} (case-insensitive). */
    public static S3Op parse(String label) {
        for (S3Op op : values()) {
            if (op.label().equalsIgnoreCase(label.strip())) return op;
        }
        throw new IllegalArgumentException("op '" + label + "' is not one of put, get, head, list, delete");
    }
}
