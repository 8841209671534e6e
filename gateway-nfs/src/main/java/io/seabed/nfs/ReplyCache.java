package io.seabed.nfs;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The duplicate-request cache (DESIGN §5): replies to non-idempotent calls (CREATE, REMOVE, RENAME, …) by (client
 * address, xid, procedure), so a call the client retransmits after a lost reply is answered with the first reply
 * instead of running again (a second REMOVE would answer NOENT). A retransmission that arrives while the first is
 * running is dropped: the first one's reply answers it. Bounded in entries and age.
 */
final class ReplyCache {
    static final int ENTRIES_MAX = 8192;
    static final long AGE_MAX_NANOS = 120_000_000_000L;

    private record Key(InetAddress client, int xid, int procedure) {}

    /** A cached call: running (no reply yet) or done. */
    private static final class Entry {
        final long atNanos = System.nanoTime();
        XdrOut reply;
    }

    private final Map<Key, Entry> entries = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ReplyCache.Entry> eldest) {
            return size() > ENTRIES_MAX || System.nanoTime() - eldest.getValue().atNanos > AGE_MAX_NANOS;
        }
    };

    /** What to do with a call. */
    sealed interface Verdict {}

    /** First time: run it, then {@link #done}. */
    record Run() implements Verdict {}

    /** Seen and answered: send this reply again. */
    record Replay(XdrOut reply) implements Verdict {}

    /** Seen and still running: drop this copy. */
    record Drop() implements Verdict {}

    synchronized Verdict begin(InetAddress client, int xid, int procedure) {
        Key key = new Key(client, xid, procedure);
        Entry e = entries.get(key);
        if (e != null && System.nanoTime() - e.atNanos <= AGE_MAX_NANOS)
            return e.reply != null ? new Replay(e.reply) : new Drop();
        entries.put(key, new Entry());
        return new Run();
    }

    synchronized void done(InetAddress client, int xid, int procedure, XdrOut reply) {
        Entry e = entries.get(new Key(client, xid, procedure));
        if (e != null) e.reply = reply;
    }

    /** The call failed without a reply (dropped): forget it so a retransmission runs it. */
    synchronized void forget(InetAddress client, int xid, int procedure) {
        entries.remove(new Key(client, xid, procedure));
    }
}
