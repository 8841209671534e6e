package io.seabed.metakv;

/** Identifies one logical request of one client across retries (DESIGN §3.1, idempotency). */
public record RequestId(long clientHigh, long clientLow, long sequence) {}
