package io.seabed.basestore.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.basestore.rpc.RpcClient;
import io.seabed.basestore.rpc.RpcMethod;
import io.seabed.basestore.rpc.RpcPayload;
import io.seabed.metakv.KeyValue;
import io.seabed.metakv.MetaKvConfig;
import io.seabed.metakv.MetaKvException;
import io.seabed.metakv.MetaKvException.Reason;
import io.seabed.metakv.RaftMetaKv;
import io.seabed.metakv.RemoteMetaKv;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A meta-kv group of three members in this JVM, each served by a {@link MetaKvService}, used by a
 * {@link RemoteMetaKv} over {@link RpcMetaKvLink} as a gateway process would: the API works end to end, the
 * leader's loss loses no acknowledged transaction, and malformed requests get INVALID_ARGUMENT and change nothing.
 */
class MetaKvServiceTest {
    private static final int MEMBERS = 3;

    @TempDir
    Path dir;

    private final RaftMetaKv[] members = new RaftMetaKv[MEMBERS];
    private final MetaKvService[] services = new MetaKvService[MEMBERS];
    private final List<String> rpcAddresses = new ArrayList<>();

    @BeforeEach
    void startGroup() throws IOException {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) peers.add("127.0.0.1:" + freePort());
        for (int i = 0; i < MEMBERS; i++) {
            members[i] =
                    RaftMetaKv.open(MetaKvConfig.defaults(dir.resolve("m" + i)).member(peers, i));
            services[i] = MetaKvService.start(members[i], MetaKvService.rpcConfig("127.0.0.1", 0));
            rpcAddresses.add("127.0.0.1:" + services[i].port());
        }
    }

    @AfterEach
    void stopGroup() {
        for (int i = 0; i < MEMBERS; i++) closeMember(i);
    }

    private void closeMember(int i) {
        if (services[i] != null) services[i].close();
        services[i] = null;
        if (members[i] != null) members[i].close();
        members[i] = null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private int awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < MEMBERS; i++) if (members[i] != null && members[i].leads()) return i;
            Thread.sleep(20);
        }
        throw new AssertionError("no member leads after 30 s");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long counter(byte[] value) {
        return value == null ? 0 : ByteBuffer.wrap(value).getLong();
    }

    @Test
    void transactionsReadsScansAndBlindOpsWorkThroughTheService() throws Exception {
        awaitLeader();
        try (RemoteMetaKv kv = new RemoteMetaKv(new RpcMetaKvLink(rpcAddresses))) {
            kv.transact(txn -> {
                for (int i = 0; i < 5; i++) txn.put(b("k" + i), b("v" + i));
                return null;
            });
            assertArrayEquals(b("v3"), kv.get(b("k3")));
            assertNull(kv.get(b("nope")));
            List<byte[]> values = kv.multiGet(List.of(b("k1"), b("nope"), b("k4")));
            assertArrayEquals(b("v1"), values.get(0));
            assertNull(values.get(1));
            assertArrayEquals(b("v4"), values.get(2));
            List<KeyValue> forward = kv.scan(b("k1"), b("k4"), 10, false);
            assertEquals(List.of("k1", "k2", "k3"), keys(forward));
            assertEquals(List.of("k4", "k3"), keys(kv.scan(b("k"), null, 2, true)));
            // A read-modify-write that reads twice and writes: reads go to the leader, the resolver checks them.
            String moved = kv.transact(txn -> {
                byte[] v = txn.get(b("k0"));
                txn.delete(b("k0"));
                txn.put(b("moved"), v);
                return new String(txn.get(b("k1")), StandardCharsets.UTF_8);
            });
            assertEquals("v1", moved);
            assertNull(kv.get(b("k0")));
            assertArrayEquals(b("v0"), kv.get(b("moved")));
            assertEquals(5, kv.add(b("counter"), 5));
            assertEquals(7, kv.add(b("counter"), 2));
            assertEquals(100, kv.max(b("high"), 100));
            assertEquals(100, kv.max(b("high"), 50));
            assertTrue(kv.putIfAbsent(b("once"), b("first")));
            assertFalse(kv.putIfAbsent(b("once"), b("second")));
            assertArrayEquals(b("first"), kv.get(b("once")));
            byte[] big = new byte[io.seabed.metakv.MetaKv.VALUE_BYTES_MAX];
            big[big.length - 1] = 42;
            kv.transact(txn -> {
                txn.put(b("big"), big);
                return null;
            });
            assertArrayEquals(big, kv.get(b("big")));
            MetaKvException tooBig = assertThrows(
                    MetaKvException.class,
                    () -> kv.transact(txn -> {
                        txn.put(b("bigger"), new byte[big.length + 1]);
                        return null;
                    }));
            assertEquals(Reason.INVALID_ARGUMENT, tooBig.reason());
        }
    }

    private static List<String> keys(List<KeyValue> entries) {
        return entries.stream()
                .map(e -> new String(e.key(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void aMemberThatDoesNotLeadAnswersNotLeader() throws Exception {
        int leader = awaitLeader();
        int follower = (leader + 1) % MEMBERS;
        try (RpcMetaKvLink link = new RpcMetaKvLink(rpcAddresses)) {
            MetaKvException e = assertThrows(MetaKvException.class, () -> link.readVersion(follower));
            assertEquals(Reason.NOT_LEADER, e.reason(), e.getMessage());
            assertTrue(link.readVersion(leader) >= 0);
        }
    }

    /**
     * Goal: the leader's loss loses no acknowledged transaction and applies no more than those plus the ones whose
     * outcome was reported unknown. Method: three threads each increment a counter of their own with
     * read-modify-write transactions, counting acknowledged ones and TIMEOUTs; the leader member (its service and
     * its RaftMetaKv) is closed mid-run; the two others elect a leader and the load goes on.
     */
    @Test
    void closingTheLeaderLosesNoAcknowledgedIncrement() throws Exception {
        int leader = awaitLeader();
        int threads = 3;
        AtomicLong[] acked = new AtomicLong[threads];
        AtomicLong[] timeouts = new AtomicLong[threads];
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        try (RemoteMetaKv kv = new RemoteMetaKv(new RpcMetaKvLink(rpcAddresses))) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte[] key = b("counter-" + t);
                AtomicLong ok = acked[t] = new AtomicLong();
                AtomicLong unknown = timeouts[t] = new AtomicLong();
                workers.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        try {
                            kv.transact(txn -> {
                                txn.put(
                                        key,
                                        ByteBuffer.allocate(8)
                                                .putLong(counter(txn.get(key)) + 1)
                                                .array());
                                return null;
                            });
                            ok.incrementAndGet();
                        } catch (MetaKvException e) {
                            if (e.reason() == Reason.TIMEOUT) unknown.incrementAndGet();
                            else errors.add(e.toString());
                        }
                    }
                }));
            }
            Thread.sleep(1_500);
            long before = total(acked);
            assertTrue(before > 10, "increments before the leader closed: " + before);
            closeMember(leader);
            long atClose = total(acked);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (total(acked) < atClose + 50 && System.nanoTime() < deadline) Thread.sleep(50);
            stop.set(true);
            for (Thread w : workers) w.join(60_000);
            assertTrue(total(acked) >= atClose + 50, "increments after the leader closed: " + (total(acked) - atClose));
            assertEquals(List.of(), errors, "errors other than TIMEOUT");
            for (int t = 0; t < threads; t++) {
                long value = counter(kv.get(b("counter-" + t)));
                assertTrue(
                        value >= acked[t].get() && value <= acked[t].get() + timeouts[t].get(),
                        "counter " + t + "=" + value + ", acknowledged " + acked[t] + ", timeouts " + timeouts[t]);
            }
            System.out.println("leader " + leader + " closed: acknowledged " + total(acked) + " (" + atClose
                    + " before), timeouts " + total(timeouts));
        }
    }

    private static long total(AtomicLong[] counts) {
        long sum = 0;
        for (AtomicLong c : counts) sum += c.get();
        return sum;
    }

    @Test
    void malformedRequestsGetInvalidArgumentAndChangeNothing() throws Exception {
        int leader = awaitLeader();
        try (RemoteMetaKv kv = new RemoteMetaKv(new RpcMetaKvLink(rpcAddresses));
                RpcClient raw = RpcClient.connect("127.0.0.1", services[leader].port(), RpcClient.Config.defaults())) {
            kv.transact(txn -> {
                txn.put(b("a"), b("1"));
                return null;
            });
            long version = members[leader].serveReadVersion();
            List<KeyValue> everything = kv.scan(new byte[] {0}, null, 1000, false);
            byte[] garbage = new byte[300];
            new java.util.SplittableRandom(1).nextBytes(garbage);
            byte[] badScanLimit = MetaKvWire.encodeScan(b("a"), null, MetaKvWire.SCAN_ENTRIES_MAX + 1, false);
            byte[] truncatedKeys = ByteBuffer.allocate(8).putInt(3).putInt(1).array();
            List<Object[]> requests = List.of(
                    new Object[] {RpcMethod.META_COMMIT, garbage},
                    new Object[] {RpcMethod.META_COMMIT, new byte[0]},
                    new Object[] {RpcMethod.META_COMMIT, new byte[] {0, 0, 0, 0, 0, 0, 0, 1}},
                    new Object[] {RpcMethod.META_VALIDATE, garbage},
                    new Object[] {RpcMethod.META_SCAN, badScanLimit},
                    new Object[] {RpcMethod.META_SCAN, new byte[] {7}},
                    new Object[] {RpcMethod.META_MULTI_GET, truncatedKeys},
                    new Object[] {RpcMethod.META_GET, new byte[0]},
                    new Object[] {RpcMethod.META_GET, new byte[io.seabed.metakv.MetaKv.KEY_BYTES_MAX + 1]},
                    new Object[] {RpcMethod.META_READ_VERSION, new byte[] {1}});
            for (Object[] r : requests) {
                RpcMethod method = (RpcMethod) r[0];
                byte[] payload = (byte[]) r[1];
                try (RpcClient.Result reply = raw.call(method, new byte[0], RpcPayload.of(payload), 5_000)
                        .get(10, TimeUnit.SECONDS)) {
                    byte[] header = reply.header();
                    assertEquals(
                            MetaKvWire.status(Reason.INVALID_ARGUMENT),
                            header[0],
                            method + " of " + payload.length + " B: " + MetaKvWire.message(header));
                    assertFalse(MetaKvWire.message(header).contains("\tat "), "no stack on the wire");
                }
            }
            // The link refuses a request over the frame limit before sending it.
            MetaKvException tooLarge;
            try (RpcMetaKvLink link = new RpcMetaKvLink(rpcAddresses)) {
                tooLarge = assertThrows(
                        MetaKvException.class, () -> link.commit(leader, new byte[MetaKvWire.REQUEST_BYTES_MAX + 1]));
            }
            assertEquals(Reason.INVALID_ARGUMENT, tooLarge.reason());
            assertEquals(version, members[leader].serveReadVersion(), "nothing was applied");
            List<KeyValue> after = kv.scan(new byte[] {0}, null, 1000, false);
            assertEquals(everything.size(), after.size());
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(everything.get(i).key(), after.get(i).key());
                assertArrayEquals(everything.get(i).value(), after.get(i).value());
            }
        }
    }
}
