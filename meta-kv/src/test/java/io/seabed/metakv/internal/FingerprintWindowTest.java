package io.seabed.metakv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: the resolver's fingerprint table behaves as a map of newest sequences. Method: random puts and conditional
 * removes over a small fingerprint space (so probe runs wrap and collide, and the table grows), checked after every
 * step against a HashMap doing the same.
 */
class FingerprintWindowTest {

    @Test
    void matchesAMapUnderRandomPutsAndRemoves() {
        Random random = new Random(11);
        FingerprintWindow window = new FingerprintWindow(16);
        Map<Long, Long> model = new HashMap<>();
        long sequence = 0;
        for (int step = 0; step < 200_000; step++) {
            // Fingerprints that share low bits land in the same slots; a few hundred of them force growth.
            long f = 1 + random.nextInt(600) * 1024L + (random.nextBoolean() ? 0 : 1L << 40);
            if (random.nextInt(3) > 0) {
                long s = ++sequence;
                window.put(f, s);
                model.merge(f, s, Math::max);
            } else {
                Long current = model.get(f);
                long s = current != null && random.nextBoolean() ? current : sequence + 1;
                window.remove(f, s);
                if (current != null && current == s) model.remove(f);
            }
            if (step % 1000 == 0 || step > 199_000) {
                assertEquals(model.size(), window.size(), "size at step " + step);
                for (Map.Entry<Long, Long> e : model.entrySet())
                    assertEquals(e.getValue(), window.get(e.getKey()), "fingerprint " + e.getKey());
            }
            assertEquals(model.getOrDefault(f, -1L), window.get(f));
        }
    }

    @Test
    void fingerprintsAreNeverZeroAndDependOnEveryByte() {
        byte[] key = new byte[37];
        long base = KeyFingerprint.of(key);
        assertNotEquals(0, base);
        for (int i = 0; i < key.length; i++) {
            key[i] = 1;
            assertNotEquals(base, KeyFingerprint.of(key), "byte " + i);
            key[i] = 0;
        }
        assertNotEquals(KeyFingerprint.of(new byte[0]), KeyFingerprint.of(new byte[1]));
    }
}
