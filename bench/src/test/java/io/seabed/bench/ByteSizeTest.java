package io.seabed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void parsesBinaryAndDecimalUnits() {
        assertEquals(4096, ByteSize.parse("4096"));
        assertEquals(0, ByteSize.parse("0"));
        assertEquals(7, ByteSize.parse("7B"));
        assertEquals(4096, ByteSize.parse("4KiB"));
        assertEquals(4096, ByteSize.parse("4k"));
        assertEquals(64L << 20, ByteSize.parse("64MiB"));
        assertEquals(64L << 20, ByteSize.parse("64mib"));
        assertEquals(1L << 30, ByteSize.parse("1GiB"));
        assertEquals(4000, ByteSize.parse("4KB"));
        assertEquals(5_000_000_000L, ByteSize.parse("5GB"));
    }

    @Test
    void rejectsWhatIsNotASize() {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("KiB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1.5MiB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("4XB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("4 KiB x"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("99999999999999999999"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("9000000000000GiB"));
    }

    @Test
    void formatsTheShortestExactUnit() {
        assertEquals("0 B", ByteSize.format(0));
        assertEquals("1000 B", ByteSize.format(1000));
        assertEquals("4 KiB", ByteSize.format(4096));
        assertEquals("64 MiB", ByteSize.format(64L << 20));
        assertEquals("2 GiB", ByteSize.format(2L << 30));
        assertEquals("1025 KiB", ByteSize.format(1025L * 1024));
    }
}
