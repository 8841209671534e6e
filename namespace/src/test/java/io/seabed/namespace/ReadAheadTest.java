package io.seabed.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seabed.namespace.NamespaceException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
    private static final int PIECE = 1000;

    /** Byte {@code i} of the test "object". */
    private static byte at(long i) {
        return (byte) (i * 31 + (i >>> 8));
    }

    private static final ReadAhead.PieceReader BYTES = (position, into) -> {
        while (into.hasRemaining()) into.put(at(position++));
    };

    private static byte[] expected(long offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) out[i] = at(offset + i);
        return out;
    }

    private static final class Collect implements BodySink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int writes;

        @Override
        public void write(ByteBuffer data) {
            writes++;
            while (data.hasRemaining()) bytes.write(data.get());
        }
    }

    private static void awaitBudget(ReadAhead ra, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ra.budgetFree() != expected && System.nanoTime() < deadline) Thread.sleep(5);
        assertEquals(expected, ra.budgetFree(), "read-ahead budget returned");
    }

    @Test
    void streamsEveryRangeInOrder() throws Exception {
        try (ReadAhead ra = new ReadAhead(PIECE, 3, 8)) {
            for (long[] range : new long[][] {{0, 0}, {5, 1}, {0, PIECE}, {17, PIECE + 1}, {123, 10 * PIECE + 77}}) {
                Collect sink = new Collect();
                ra.stream(range[0], range[1], BYTES, sink);
                assertArrayEquals(
                        expected(range[0], (int) range[1]), sink.bytes.toByteArray(), range[0] + "+" + range[1]);
                assertEquals((range[1] + PIECE - 1) / PIECE, sink.writes, "pieces of at most " + PIECE + " bytes");
            }
            awaitBudget(ra, 8);
            assertThrows(IllegalArgumentException.class, () -> ra.stream(0, -1, BYTES, new Collect()));
        }
    }

    @Test
    void withTheBudgetSpentAStreamReadsItself() throws Exception {
        try (ReadAhead ra = new ReadAhead(PIECE, 4, 0)) {
            Collect sink = new Collect();
            ra.stream(3, 5 * PIECE, BYTES, sink);
            assertArrayEquals(expected(3, 5 * PIECE), sink.bytes.toByteArray());
        }
    }

    @Test
    void piecesAheadAreReadAtTheSameTime() throws Exception {
        int depth = 3;
        CountDownLatch allStarted = new CountDownLatch(depth);
        ReadAhead.PieceReader waitsForOthers = (position, into) -> {
            allStarted.countDown();
            try {
                // Each read waits until the reads of the first `depth` pieces have all started: only reads in
                // parallel get past this (a stream reading one piece at a time would wait 5 s here and fail).
                if (!allStarted.await(5, TimeUnit.SECONDS)) throw new IllegalStateException("reads ran one by one");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            BYTES.fill(position, into);
        };
        try (ReadAhead ra = new ReadAhead(PIECE, depth, 16)) {
            Collect sink = new Collect();
            ra.stream(0, 8 * PIECE, waitsForOthers, sink);
            assertArrayEquals(expected(0, 8 * PIECE), sink.bytes.toByteArray());
        }
    }

    @Test
    void aFailedReadReachesTheCallerAndTheBudgetComesBack() throws Exception {
        NamespaceException failure = new NamespaceException(Reason.UNAVAILABLE, "storage: chunk lost");
        ReadAhead.PieceReader failsAtPieceFive = (position, into) -> {
            if (position >= 5 * PIECE) throw failure;
            BYTES.fill(position, into);
        };
        try (ReadAhead ra = new ReadAhead(PIECE, 4, 8)) {
            Collect sink = new Collect();
            NamespaceException thrown =
                    assertThrows(NamespaceException.class, () -> ra.stream(0, 20 * PIECE, failsAtPieceFive, sink));
            assertSame(failure, thrown);
            assertArrayEquals(expected(0, 5 * PIECE), sink.bytes.toByteArray(), "the pieces before the failure");
            awaitBudget(ra, 8);
        }
    }

    @Test
    void aSinkThatGivesUpLeavesNothingHeld() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        ReadAhead.PieceReader counting = (position, into) -> {
            reads.incrementAndGet();
            BYTES.fill(position, into);
        };
        BodySink gone = data -> {
            throw new IllegalStateException("client gone");
        };
        try (ReadAhead ra = new ReadAhead(PIECE, 4, 8)) {
            assertThrows(IllegalStateException.class, () -> ra.stream(0, 100 * PIECE, counting, gone));
            awaitBudget(ra, 8);
            assertTrue(reads.get() <= 5, "reads beyond what was ahead when the sink gave up: " + reads.get());
        }
    }
}
