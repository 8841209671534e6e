package io.seabed.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {
    @Test
    void parsesUnits() {
        assertEquals(Duration.ofSeconds(30), DurationText.parse("30s"));
        assertEquals(Duration.ofSeconds(30), DurationText.parse("30"));
        assertEquals(Duration.ofMillis(500), DurationText.parse("500ms"));
        assertEquals(Duration.ofMinutes(2), DurationText.parse("2m"));
        assertEquals(Duration.ofMinutes(2), DurationText.parse("2MIN"));
        assertEquals(Duration.ofHours(1), DurationText.parse("1h"));
        assertEquals(Duration.ZERO, DurationText.parse("0s"));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse(""));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("s"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("-5s"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("1.5s"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("5d"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("9223372036854775807h"));
    }

    @Test
    void formatsSecondsWithMillis() {
        assertEquals("30.000s", DurationText.format(Duration.ofSeconds(30)));
        assertEquals("0.250s", DurationText.format(Duration.ofMillis(250)));
    }
}
