package io.seabed.s3.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartChecksumTest {
    private static final int MIB5 = 5 << 20;

    /**
     * Goal: a CRC combined from part CRCs equals the CRC computed over the whole object. Method: random
     * data cut into random parts (including empty and one-byte ones), for each CRC algorithm; the seed
     * is printed on failure.
     */
    @Test
    void combinedCrcEqualsDirectCrc() {
        long seed = Long.getLong("seabed.seed", System.nanoTime());
        Random random = new Random(seed);
        for (ChecksumAlgorithm algorithm :
                List.of(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME)) {
            for (int round = 0; round < 20; round++) {
                int parts = 1 + random.nextInt(8);
                long[] sizes = new long[parts];
                List<String> values = new ArrayList<>();
                PayloadChecksum whole = algorithm.newChecksum();
                for (int i = 0; i < parts; i++) {
                    int size =
                            switch (random.nextInt(4)) {
                                case 0 -> random.nextInt(2);
                                case 1 -> random.nextInt(100);
                                default -> random.nextInt(200_000);
                            };
                    byte[] data = new byte[size];
                    random.nextBytes(data);
                    sizes[i] = size;
                    values.add(checksum(algorithm, data));
                    whole.update(ByteBuffer.wrap(data));
                }
                assertEquals(
                        whole.finishBase64(),
                        MultipartChecksum.fullObject(algorithm, values, sizes),
                        algorithm + " sizes=" + Arrays.toString(sizes) + " seed=" + seed);
            }
        }
    }

    /** The values of ceph/s3-tests test_multipart_use_cksum_helper_*: three 5 MiB parts of 'A', 'B', 'C'. */
    @Test
    void s3TestsValues() {
        long[] sizes = {MIB5, MIB5, MIB5};
        assertEquals(
                "WgDhBQ==", MultipartChecksum.fullObject(ChecksumAlgorithm.CRC32, abc(ChecksumAlgorithm.CRC32), sizes));
        assertEquals(
                "xU+Krw==",
                MultipartChecksum.fullObject(ChecksumAlgorithm.CRC32C, abc(ChecksumAlgorithm.CRC32C), sizes));
        assertEquals(
                "i+6LR0y3eFo=",
                MultipartChecksum.fullObject(ChecksumAlgorithm.CRC64NVME, abc(ChecksumAlgorithm.CRC64NVME), sizes));
        assertEquals(
                "uWBwpe1dxI4Vw8Gf0X9ynOdw/SS6VBzfWm9giiv1sf4=-3",
                MultipartChecksum.composite(ChecksumAlgorithm.SHA256, abc(ChecksumAlgorithm.SHA256)));
        assertEquals(
                "sizjvY4eud3MrcHdZM3cQ/ol39o=-3",
                MultipartChecksum.composite(ChecksumAlgorithm.SHA1, abc(ChecksumAlgorithm.SHA1)));
        byte[] a1k = new byte[1024];
        Arrays.fill(a1k, (byte) 'A');
        assertEquals(
                "Ok6Cs5b96ux6+MWQkJO7UBT5sKPBeXBLwvj/hK89smg=-1",
                MultipartChecksum.composite(
                        ChecksumAlgorithm.SHA256, List.of(checksum(ChecksumAlgorithm.SHA256, a1k))));
    }

    @Test
    void digestsHaveNoFullObjectChecksum() {
        assertThrows(
                IllegalArgumentException.class,
                () -> MultipartChecksum.fullObject(ChecksumAlgorithm.SHA256, List.of("x"), new long[] {1}));
    }

    private static List<String> abc(ChecksumAlgorithm algorithm) {
        List<String> out = new ArrayList<>();
        for (char c : new char[] {'A', 'B', 'C'}) {
            byte[] data = new byte[MIB5];
            Arrays.fill(data, (byte) c);
            out.add(checksum(algorithm, data));
        }
        return out;
    }

    private static String checksum(ChecksumAlgorithm algorithm, byte[] data) {
        PayloadChecksum c = algorithm.newChecksum();
        c.update(ByteBuffer.wrap(data));
        return c.finishBase64();
    }
}
