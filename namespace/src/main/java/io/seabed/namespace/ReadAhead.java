package io.seabed.namespace;

import io.seabed.namespace.NamespaceException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Streams a byte range of an object or file to a {@link BodySink} in pieces, reading up to {@code depth} pieces
 * ahead of the sink on virtual threads, so a GET's storage round trips overlap each other and the network
 * writes instead of following one another. Each piece is read into its own buffer and handed to the sink with
 * {@link BodySink#writeOwned} (no copy on the way out).
 *
 * <p>Bounds: at most {@code depth} pieces ahead per stream, and at most {@code budgetPieces} ahead over all
 * streams; a stream that finds the budget spent reads its next piece itself, as without read-ahead, rather
 * than wait. Pieces still in flight when a stream ends early (the client went away, a read failed) return
 * their share of the budget when they finish.
 *
 * <p>Thread safety: {@link #stream} may run on many threads at once; each call is one stream.
 */
final class ReadAhead implements AutoCloseable {
    /** Fills {@code into} (position to limit) with the bytes from {@code position}, or throws. */
    interface PieceReader {
        void fill(long position, ByteBuffer into);
    }

    private final int pieceBytes;
    private final int depth;
    private final Semaphore budget;
    private final ExecutorService readers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("read-ahead-", 0).factory());

    ReadAhead(int pieceBytes, int depth, int budgetPieces) {
        if (pieceBytes < 1 || depth < 0 || budgetPieces < 0)
            throw new IllegalArgumentException(
                    "pieceBytes=" + pieceBytes + " depth=" + depth + " budgetPieces=" + budgetPieces);
        this.pieceBytes = pieceBytes;
        this.depth = depth;
        this.budget = new Semaphore(budgetPieces);
    }

    /** Pieces ahead that no stream holds now (for tests: all of them once every stream and read finished). */
    int budgetFree() {
        return budget.availablePermits();
    }

    /** Writes bytes [offset, offset + length) to {@code sink}, read by {@code reader}. */
    void stream(long offset, long length, PieceReader reader, BodySink sink) {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("range " + offset + "+" + length);
        long end = offset + length;
        // The pieces in flight cover [at, next), in order.
        ArrayDeque<CompletableFuture<ByteBuffer>> ahead = new ArrayDeque<>();
        long next = offset;
        try {
            for (long at = offset; at < end; ) {
                while (ahead.size() < depth && next < end && budget.tryAcquire()) {
                    int bytes = (int) Math.min(pieceBytes, end - next);
                    ahead.add(start(next, bytes, reader));
                    next += bytes;
                }
                ByteBuffer piece;
                if (ahead.isEmpty()) {
                    piece = read(next, (int) Math.min(pieceBytes, end - next), reader);
                    next += piece.remaining();
                } else {
                    CompletableFuture<ByteBuffer> first = ahead.poll();
                    try {
                        piece = await(first);
                    } finally {
                        budget.release();
                    }
                }
                at += piece.remaining();
                sink.writeOwned(piece);
            }
        } finally {
            for (CompletableFuture<ByteBuffer> abandoned : ahead) abandoned.whenComplete((b, e) -> budget.release());
        }
    }

    private CompletableFuture<ByteBuffer> start(long position, int bytes, PieceReader reader) {
        try {
            return CompletableFuture.supplyAsync(() -> read(position, bytes, reader), readers);
        } catch (RuntimeException e) {
            // The executor refused (closed): the piece fails like a read would.
            return CompletableFuture.failedFuture(e);
        }
    }

    private static ByteBuffer read(long position, int bytes, PieceReader reader) {
        ByteBuffer piece = ByteBuffer.allocate(bytes);
        reader.fill(position, piece);
        if (piece.hasRemaining())
            throw new IllegalStateException(
                    "piece at " + position + " filled " + piece.position() + " of " + bytes + " bytes");
        return piece.flip();
    }

    private static ByteBuffer await(CompletableFuture<ByteBuffer> piece) {
        try {
            return piece.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NamespaceException(Reason.UNAVAILABLE, "interrupted while reading ahead");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        readers.close();
    }
}
