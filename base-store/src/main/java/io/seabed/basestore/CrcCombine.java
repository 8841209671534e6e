package io.seabed.basestore;

/**
 * The CRC of a concatenation from the CRCs of its pieces: {@code crc(A + B)} from {@code crc(A)},
 * {@code crc(B)} and {@code len(B)}, for reflected CRCs whose initial value and final xor are all ones
 * (CRC-32, CRC-32C, CRC-64/NVME). The method of zlib's {@code crc32_combine}: {@code crc(A)} is run
 * through {@code len(B)} zero bytes by repeated squaring of the GF(2) matrix of one zero bit, then xored
 * with {@code crc(B)} (the all-ones conditioning cancels out). O(width² · log len) per combination.
 */
public final class CrcCombine {
    private CrcCombine() {}

    /**
     * @param crc1 the CRC of the first piece
     * @param crc2 the CRC of the second piece
     * @param length2Bytes the length of the second piece
     * @param polynomialReflected the CRC's reflected polynomial
     * @param widthBits 32 or 64
     */
    public static long combine(long crc1, long crc2, long length2Bytes, long polynomialReflected, int widthBits) {
        if (widthBits != 32 && widthBits != 64) throw new IllegalArgumentException("widthBits=" + widthBits);
        if (length2Bytes < 0) throw new IllegalArgumentException("length2Bytes=" + length2Bytes + " < 0");
        if (length2Bytes == 0) return crc1;
        long[] even = new long[widthBits];
        long[] odd = new long[widthBits];
        odd[0] = polynomialReflected; // the operator of one zero bit
        long row = 1;
        for (int n = 1; n < widthBits; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        long crc = crc1;
        long length = length2Bytes;
        // The first square gives one zero byte (eight bits); each later one doubles it.
        do {
            square(even, odd);
            if ((length & 1) != 0) crc = times(even, crc);
            length >>>= 1;
            if (length == 0) break;
            square(odd, even);
            if ((length & 1) != 0) crc = times(odd, crc);
            length >>>= 1;
        } while (length != 0);
        return crc ^ crc2;
    }

    private static long times(long[] matrix, long vector) {
        long sum = 0;
        long v = vector;
        for (int i = 0; v != 0; i++, v >>>= 1) if ((v & 1) != 0) sum ^= matrix[i];
        return sum;
    }

    private static void square(long[] square, long[] matrix) {
        for (int n = 0; n < matrix.length; n++) square[n] = times(matrix, matrix[n]);
    }
}
