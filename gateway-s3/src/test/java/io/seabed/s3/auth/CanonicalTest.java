package io.seabed.s3.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.s3.auth.Canonical.QueryParam;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: the query parser's fast path (a component already in canonical form is kept as sent) gives exactly what
 * decoding then encoding gives, and everything else still takes the full path.
 */
class CanonicalTest {

    @Test
    void canonicalComponentsAreRecognized() {
        assertTrue(Canonical.isCanonical(""));
        assertTrue(Canonical.isCanonical("AKIA%2F20261125%2Fus-east-1%2Fs3%2Faws4_request"));
        assertTrue(Canonical.isCanonical("a-b_c.d~e09"));
        assertFalse(Canonical.isCanonical("a%2fb"), "lowercase hex is not canonical");
        assertFalse(Canonical.isCanonical("%41"), "an escaped unreserved character is not canonical");
        assertFalse(Canonical.isCanonical("a+b"), "a plus is encoded as %2B in canonical form");
        assertFalse(Canonical.isCanonical("a/b"));
        assertFalse(Canonical.isCanonical("%2"), "truncated escape");
        assertFalse(Canonical.isCanonical("%G0"));
    }

    /** Method: random queries over a small alphabet of troublesome characters, parsed, against decode-then-encode. */
    @Test
    void parsedParamsMatchDecodeThenEncode() {
        String[] pieces = {"a", "Z", "0", "-", "_", ".", "~", "%2F", "%2f", "%41", "+", "/", "%20", "%E2%82%AC", "="};
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            StringBuilder raw = new StringBuilder();
            int params = 1 + random.nextInt(3);
            for (int p = 0; p < params; p++) {
                if (p > 0) raw.append('&');
                int length = random.nextInt(6);
                for (int i = 0; i < length; i++) raw.append(pieces[random.nextInt(pieces.length)]);
            }
            List<QueryParam> parsed = Canonical.parseQuery(raw.toString(), 100);
            int at = 0;
            for (String component : raw.toString().split("&", -1)) {
                if (component.isEmpty()) continue;
                QueryParam param = parsed.get(at++);
                int equals = component.indexOf('=');
                String rawName = equals < 0 ? component : component.substring(0, equals);
                String rawValue = equals < 0 ? "" : component.substring(equals + 1);
                assertEquals(slowCanonical(rawName), param.canonicalName(), raw.toString());
                assertEquals(slowCanonical(rawValue), param.canonicalValue(), raw.toString());
                assertEquals(
                        new String(Canonical.percentDecode(rawName), StandardCharsets.UTF_8),
                        param.name(),
                        raw.toString());
                assertEquals(
                        new String(Canonical.percentDecode(rawValue), StandardCharsets.UTF_8),
                        param.value(),
                        raw.toString());
            }
            assertEquals(at, parsed.size());
        }
    }

    @Test
    void percentDecodeRefusesBrokenEscapes() {
        assertNull(Canonical.percentDecode("%"));
        assertNull(Canonical.percentDecode("a%4"));
        assertNull(Canonical.percentDecode("%zz"));
        assertEquals("a b+", new String(Canonical.percentDecode("a%20b+"), StandardCharsets.UTF_8));
    }

    private static String slowCanonical(String raw) {
        return Canonical.uriEncode(Canonical.percentDecode(raw), true);
    }
}
