package io.seabed.s3.checksum;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.zip.Checksum;

/** An incremental checksum over a payload; one per payload, not thread-safe. Made by {@link ChecksumAlgorithm}. */
public sealed interface PayloadChecksum permits PayloadChecksum.Crc, PayloadChecksum.Digest {

    /** Consumes {@code buffer} from its position to its limit; the position ends at the limit. */
    void update(ByteBuffer buffer);

    /** The checksum of everything consumed so far, big-endian bytes. Ends this checksum (call once). */
    byte[] finish();

    /** {@link #finish()} as base64, the form of {@code x-amz-checksum-*} headers. */
    default String finishBase64() {
        return Base64.getEncoder().encodeToString(finish());
    }

    /** A CRC of {@code widthBytes} (4 or 8), big-endian. */
    final class Crc implements PayloadChecksum {
        private final Checksum crc;
        private final int widthBytes;

        Crc(Checksum crc, int widthBytes) {
            if (widthBytes != Integer.BYTES && widthBytes != Long.BYTES) {
                throw new IllegalArgumentException("widthBytes=" + widthBytes + " is neither 4 nor 8");
            }
            this.crc = crc;
            this.widthBytes = widthBytes;
        }

        @Override
        public void update(ByteBuffer buffer) {
            crc.update(buffer);
        }

        @Override
        public byte[] finish() {
            long value = crc.getValue();
            byte[] out = new byte[widthBytes];
            for (int i = widthBytes - 1; i >= 0; i--) {
                out[i] = (byte) value;
                value >>>= 8;
            }
            return out;
        }
    }

    /** A message digest (SHA-1, SHA-256). */
    final class Digest implements PayloadChecksum {
        private final MessageDigest digest;

        Digest(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void update(ByteBuffer buffer) {
            digest.update(buffer);
        }

        @Override
        public byte[] finish() {
            return digest.digest();
        }
    }
}
