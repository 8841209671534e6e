package io.seabed.nfs;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * File handles (DESIGN §5): version, bucket id, inode id, generation and a MAC over them keyed by the cluster's
 * handle key (HMAC-SHA256, first 16 bytes), so any gateway with the key serves them, across restarts, and a forged
 * or altered handle is refused.
 */
final class Handles {
    static final int VERSION = 1;
    static final int BYTES = 1 + 8 + 8 + 8 + 16;
    private static final int MAC_BYTES = 16;

    /** A handle's parts. */
    record Handle(long bucket, long ino, long generation) {}

    /** A handle that is not one of ours. */
    static final class BadHandle extends Exception {
        BadHandle(String why) {
            super(why, null, false, false);
        }
    }

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    Handles(byte[] handleKey) {
        if (handleKey.length < 16) throw new IllegalArgumentException("handle key of " + handleKey.length + " bytes");
        key = new SecretKeySpec(handleKey.clone(), "HmacSHA256");
        macs = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    byte[] make(long bucket, long ino, long generation) {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.put((byte) VERSION).putLong(bucket).putLong(ino).putLong(generation);
        b.put(mac(b.array(), 25), 0, MAC_BYTES);
        return b.array();
    }

    Handle parse(byte[] handle) throws BadHandle {
        if (handle.length != BYTES) throw new BadHandle("handle of " + handle.length + " bytes");
        if (handle[0] != VERSION) throw new BadHandle("handle version " + handle[0]);
        byte[] want = mac(handle, 25);
        if (!MessageDigest.isEqual(
                java.util.Arrays.copyOf(want, MAC_BYTES), java.util.Arrays.copyOfRange(handle, 25, BYTES)))
            throw new BadHandle("handle MAC does not match");
        ByteBuffer b = ByteBuffer.wrap(handle, 1, 24);
        return new Handle(b.getLong(), b.getLong(), b.getLong());
    }

    private byte[] mac(byte[] data, int length) {
        Mac m = macs.get();
        m.update(data, 0, length);
        return m.doFinal();
    }
}
