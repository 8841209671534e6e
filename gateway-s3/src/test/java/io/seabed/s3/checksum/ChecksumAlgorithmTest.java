package io.seabed.s3.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumAlgorithmTest {
    private static final byte[] CHECK_INPUT = "123456789".getBytes(StandardCharsets.US_ASCII);

    @Test
    void crc64nvmeCheckValue() {
        Crc64Nvme crc = new Crc64Nvme();
        crc.update(CHECK_INPUT, 0, CHECK_INPUT.length);
        assertEquals(0xae8b14860a799888L, crc.getValue());
    }

    @Test
    void crc64nvmeOfNothingIsZero() {
        assertEquals(0L, new Crc64Nvme().getValue());
    }

    @Test
    void checkValuesOfEveryCrcAsBase64() {
        assertEquals(base64("cbf43926"), digest(ChecksumAlgorithm.CRC32, CHECK_INPUT));
        assertEquals(base64("e3069283"), digest(ChecksumAlgorithm.CRC32C, CHECK_INPUT));
        assertEquals(base64("ae8b14860a799888"), digest(ChecksumAlgorithm.CRC64NVME, CHECK_INPUT));
        assertEquals(base64("f7c3bc1d808e04732adf679965ccc34ca7ae3441"), digest(ChecksumAlgorithm.SHA1, CHECK_INPUT));
        assertEquals(
                base64("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"),
                digest(ChecksumAlgorithm.SHA256, CHECK_INPUT));
    }

    /** Goal: slicing-by-8 equals the bit-at-a-time definition, for heap and direct buffers split anywhere. */
    @Test
    void crc64nvmeSlicingMatchesBitwiseReference() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            long expected = bitwise(data);
            Crc64Nvme arrays = new Crc64Nvme();
            Crc64Nvme buffers = new Crc64Nvme();
            int offset = 0;
            while (offset < data.length) {
                int length = 1 + random.nextInt(data.length - offset);
                arrays.update(data, offset, length);
                ByteBuffer piece = random.nextBoolean()
                        ? ByteBuffer.wrap(data, offset, length)
                        : ByteBuffer.allocateDirect(length).put(0, data, offset, length);
                buffers.update(piece);
                assertEquals(piece.limit(), piece.position());
                offset += length;
            }
            assertEquals(expected, arrays.getValue(), "seed=" + seed);
            assertEquals(expected, buffers.getValue(), "seed=" + seed);
        }
    }

    @Test
    void namesRoundTrip() {
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            assertEquals(
                    algorithm,
                    ChecksumAlgorithm.fromHeaderName(algorithm.headerName().toUpperCase()));
            assertEquals(algorithm, ChecksumAlgorithm.fromAlgorithmName(algorithm.algorithmName()));
        }
        assertEquals("x-amz-checksum-crc64nvme", ChecksumAlgorithm.CRC64NVME.headerName());
        assertNull(ChecksumAlgorithm.fromHeaderName("x-amz-checksum-md5"));
    }

    private static long bitwise(byte[] data) {
        long crc = -1L;
        for (byte b : data) {
            crc ^= b & 0xff;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ Crc64Nvme.POLYNOMIAL_REFLECTED : crc >>> 1;
            }
        }
        return ~crc;
    }

    private static String digest(ChecksumAlgorithm algorithm, byte[] data) {
        PayloadChecksum checksum = algorithm.newChecksum();
        checksum.update(ByteBuffer.wrap(data));
        return checksum.finishBase64();
    }

    private static String base64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    /** Goal: a value is well-formed only as padded base64 of exactly the algorithm's width. */
    @Test
    void wellFormedValues() {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String value = digest(a, CHECK_INPUT);
            assertTrue(a.isWellFormed(value), a + " " + value);
            assertFalse(a.isWellFormed(value.substring(0, value.length() - 4)), a + " shortened");
            assertFalse(a.isWellFormed(value + "AAAA"), a + " lengthened");
            assertFalse(a.isWellFormed(value.replace('=', 'A')), a + " unpadded or wider");
            assertFalse(a.isWellFormed("!" + value.substring(1)), a + " not base64");
            assertFalse(a.isWellFormed(""), a + " empty");
            assertFalse(a.isWellFormed(null), a + " null");
        }
        assertTrue(ChecksumAlgorithm.CRC32.isWellFormed("AAAAAA=="));
        assertFalse(ChecksumAlgorithm.CRC32.isWellFormed("AAAAAA"));
        assertFalse(ChecksumAlgorithm.CRC32.isWellFormed("not base64!"));
    }
}
