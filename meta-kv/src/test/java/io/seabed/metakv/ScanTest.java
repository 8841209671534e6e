package io.seabed.metakv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Goal: scans agree with a TreeMap model, across column families, bounds, limits and odd bytes. */
class ScanTest {
    @TempDir
    Path dir;

    RaftMetaKv kv;
    final TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);

    @BeforeEach
    void open() {
        kv = RaftMetaKv.open(TestKv.config(dir));
        List<byte[]> keys = new ArrayList<>();
        for (int t : new int[] {0x10, 0x5F, MetaKv.BODY_TABLE, 0x61, 0xFF}) {
            for (int i = 0; i < 40; i++) keys.add(new byte[] {(byte) t, (byte) (i * 6), (byte) i});
        }
        keys.add(new byte[] {0x10, 1});
        keys.add(new byte[] {0x10, 1, 0});
        keys.add(new byte[] {0x10, 1, 0, 0});
        keys.add(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF});
        keys.add(new byte[] {(byte) 0xFF});
        keys.add(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        for (int i = 0; i < keys.size(); i += 50) {
            List<byte[]> chunk = keys.subList(i, Math.min(keys.size(), i + 50));
            kv.transact(txn -> {
                for (byte[] k : chunk) txn.put(k, k);
                return null;
            });
        }
        for (byte[] k : keys) model.put(k, k);
    }

    @AfterEach
    void close() {
        kv.close();
    }

    @Test
    void scansMatchTheModel() {
        byte[][] bounds = {
            {},
            {0x10},
            {0x10, 1},
            {0x10, 1, 0},
            {0x10, 1, 0, 0, 0},
            {0x5F, 50},
            {MetaKv.BODY_TABLE},
            {MetaKv.BODY_TABLE, 100},
            {0x61},
            {(byte) 0xFF},
            {(byte) 0xFF, (byte) 0xFF},
            {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0},
            null
        };
        for (byte[] from : bounds) {
            if (from == null) continue;
            for (byte[] to : bounds) {
                for (int limit : new int[] {1, 3, 1000}) {
                    for (boolean reverse : new boolean[] {false, true}) {
                        check(from, to, limit, reverse);
                    }
                }
            }
        }
    }

    @Test
    void nonBodyScansNeverReturnBodies() {
        for (KeyValue e : kv.scan(new byte[] {0x10}, new byte[] {MetaKv.BODY_TABLE}, 10_000, false)) {
            assertTrue(e.key()[0] != MetaKv.BODY_TABLE);
        }
        for (KeyValue e : kv.scan(new byte[] {0x61}, null, 10_000, true)) assertTrue(e.key()[0] != MetaKv.BODY_TABLE);
        assertEquals(
                40,
                kv.scan(new byte[] {MetaKv.BODY_TABLE}, new byte[] {0x61}, 10_000, false)
                        .size());
    }

    @Test
    void txnScanMergesOwnWrites() {
        byte[] a = {0x10, 1};
        byte[] added = {0x10, 1, 5};
        List<KeyValue> seen = kv.transact(txn -> {
            txn.delete(a);
            txn.put(added, new byte[] {9});
            txn.deleteRange(new byte[] {0x10, 6}, new byte[] {0x10, 18});
            return txn.scan(new byte[] {0x10}, new byte[] {0x10, 30}, 100, false);
        });
        TreeMap<byte[], byte[]> expected = new TreeMap<>(model.subMap(new byte[] {0x10}, new byte[] {0x10, 30}));
        expected.remove(a);
        expected.put(added, new byte[] {9});
        expected.keySet()
                .removeIf(k -> Arrays.compareUnsigned(k, new byte[] {0x10, 6}) >= 0
                        && Arrays.compareUnsigned(k, new byte[] {0x10, 18}) < 0);
        assertEquals(
                new ArrayList<>(expected.keySet())
                        .stream().map(Arrays::toString).toList(),
                seen.stream().map(e -> Arrays.toString(e.key())).toList());
        assertEquals(
                0,
                kv.scan(new byte[] {0x10, 6}, new byte[] {0x10, 18}, 100, false).size());
    }

    private void check(byte[] from, byte[] to, int limit, boolean reverse) {
        List<byte[]> expected = new ArrayList<>();
        if (to == null || Arrays.compareUnsigned(from, to) < 0) {
            var range = to == null ? model.tailMap(from, true) : model.subMap(from, true, to, false);
            for (byte[] k : reverse ? range.descendingKeySet() : range.keySet()) {
                if (expected.size() == limit) break;
                expected.add(k);
            }
        }
        List<KeyValue> got = kv.scan(from, to, limit, reverse);
        String where = Arrays.toString(from) + ".." + Arrays.toString(to) + " limit=" + limit + " reverse=" + reverse;
        assertEquals(expected.size(), got.size(), where);
        for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i).key(), where);
            assertArrayEquals(expected.get(i), got.get(i).value(), where);
        }
        List<KeyValue> inTxn = kv.transact(txn -> txn.scan(from, to, limit, reverse));
        assertEquals(got.size(), inTxn.size(), where);
    }
}
