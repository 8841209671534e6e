package io.seabed.s3.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Derived SigV4 signing keys by (secret, date, region): four HMACs saved per request. Bounded, least recently used
 * evicted; thread-safe (one short lock, no work under it besides the map).
 */
final class SigningKeyCache {
    private record Key(String secret, String date, String region) {
        @Override
        public String toString() {
            return "Key[date=" + date + ", region=" + region + "]";
        }
    }

    private final int entriesMax;
    private final LinkedHashMap<Key, byte[]> keys;

    SigningKeyCache(int entriesMax) {
        if (entriesMax <= 0) {
            throw new IllegalArgumentException("entriesMax=" + entriesMax + " must be > 0");
        }
        this.entriesMax = entriesMax;
        this.keys = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, byte[]> eldest) {
                return size() > SigningKeyCache.this.entriesMax;
            }
        };
    }

    /** The signing key; callers must not modify the returned array. */
    byte[] signingKey(String secret, String date, String region) {
        Key key = new Key(secret, date, region);
        synchronized (keys) {
            byte[] cached = keys.get(key);
            if (cached != null) {
                return cached;
            }
        }
        byte[] derived = SigV4.signingKey(secret, date, region);
        synchronized (keys) {
            keys.put(key, derived);
        }
        return derived;
    }

    int size() {
        synchronized (keys) {
            return keys.size();
        }
    }
}
