package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Goal: the hand-written X-Amz-Date reader accepts exactly the ISO 8601 basic format with real dates. */
class AmzDateTest {

    @Test
    void readsValidDates() {
        assertEquals(Instant.parse("2026-11-25T10:31:14Z"), SigV4Verifier.parseOrNull("20261125T103114Z"));
        assertEquals(Instant.parse("2024-02-29T23:59:59Z"), SigV4Verifier.parseOrNull("20240229T235959Z"));
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {
            "",
            "20261125T103114",
            "20261125t103114Z",
            "20261125T103114z",
            "2026112 T103114Z",
            "20261325T103114Z",
            "20230229T000000Z",
            "20261125T243114Z",
            "20261125T106014Z",
            "+0261125T103114Z",
            "2026-11-25T10:31",
            "20261125T1031140Z"
        }) assertNull(SigV4Verifier.parseOrNull(bad), bad);
    }
}
