package io.seabed.nfs;

import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.FileSystem;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Read-ahead for files read in order: when a READ continues where the file's previous READ ended, up to
 * {@value #DEPTH} windows of {@value #WINDOW_BYTES} bytes from the reader on are read in the background, so the
 * client's next READs are answered from memory while the storage reads after them are already on their way (one
 * window at a time left a single client waiting on each window's storage read). A window is used only while the
 * file's size and mtime are those it was read under (a write through any gateway changes the mtime), for at most a
 * second (NFS clients cache attributes longer), and this gateway's own writes to the file drop it at once. Bounded:
 * {@value #FILES_MAX} files, {@value #READS_MAX} background reads at once, {@value #BUDGET_BYTES} bytes of windows
 * held over all files.
 */
final class ReadAhead {
    static final int WINDOW_BYTES = 4 << 20;
    static final int DEPTH = 3;
    static final int FILES_MAX = 32;
    static final int READS_MAX = 6;
    static final long BUDGET_BYTES = 96L << 20;
    /** How long a window may answer: bounds what a write through another gateway at an equal mtime can hide. */
    static final long VALID_NANOS = 1_000_000_000L;

    private record Key(long bucket, long ino) {}

    /** Bytes [offset, offset + length) of a file as of (size, mtime), arriving in {@code data}. */
    private record Window(
            long offset, int length, long size, long mtimeNanos, long bornNanos, CompletableFuture<byte[]> data) {
        boolean matches(Attr attr) {
            return size == attr.size()
                    && mtimeNanos == attr.mtimeNanos()
                    && System.nanoTime() - bornNanos < VALID_NANOS;
        }

        boolean covers(long from, int n) {
            return from >= offset && from + n <= offset + length;
        }

        long end() {
            return offset + length;
        }
    }

    /** A file's reader position and its windows, in file order and adjacent, the first holding the reader. */
    private static final class State {
        long lastEnd = -1;
        final ArrayDeque<Window> windows = new ArrayDeque<>(DEPTH);
    }

    private final Map<Key, State> files = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, State> eldest) {
            if (size() <= FILES_MAX) return false;
            dropAll(eldest.getValue());
            return true;
        }
    };
    /** Bytes of the windows held in {@link #files}; guarded by this. */
    private long heldBytes;

    private final Semaphore reads = new Semaphore(READS_MAX);
    private final ExecutorService readers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("nfs-read-ahead-", 0).factory());

    /**
     * Reads up to {@code count} bytes at {@code offset} of a file whose attributes are {@code attr} into {@code
     * into} (which has room for them): from a window when one holds them, else from the file system; then, when
     * the reads run in order, starts the windows after them. Returns the bytes read.
     */
    int read(FileSystem fs, Attr attr, long offset, int count, ByteBuffer into) {
        Key key = new Key(fs.bucketId(), attr.ino());
        int n = (int) Math.max(0, Math.min(count, attr.size() - offset));
        Window hit = null;
        boolean sequential;
        synchronized (this) {
            State s = files.computeIfAbsent(key, k -> new State());
            for (var it = s.windows.iterator(); it.hasNext(); ) {
                Window w = it.next();
                if (w.matches(attr)) continue;
                it.remove();
                heldBytes -= w.length();
            }
            if (n > 0)
                for (Window w : s.windows)
                    if (w.covers(offset, n)) {
                        hit = w;
                        break;
                    }
            sequential = offset == s.lastEnd || offset == 0;
            s.lastEnd = offset + n;
        }
        int got = -1;
        if (hit != null) {
            byte[] bytes = await(hit.data());
            if (bytes != null) {
                into.put(bytes, (int) (offset - hit.offset()), n);
                got = n;
            }
        }
        if (got < 0) got = fs.read(attr.ino(), offset, into);
        if (sequential) ahead(fs, key, attr, offset + got);
        return got;
    }

    /** Keeps up to {@link #DEPTH} windows from the reader's position {@code at} on, starting those missing. */
    private void ahead(FileSystem fs, Key key, Attr attr, long at) {
        if (at >= attr.size()) return;
        List<Window> started = new ArrayList<>(DEPTH);
        synchronized (this) {
            State s = files.get(key);
            if (s == null) return;
            while (!s.windows.isEmpty() && s.windows.peekFirst().end() <= at)
                heldBytes -= s.windows.pollFirst().length(); // read past
            if (!s.windows.isEmpty() && !s.windows.peekFirst().covers(at, 1)) dropAll(s); // the reader jumped
            long start = s.windows.isEmpty() ? at : s.windows.peekLast().end();
            while (s.windows.size() < DEPTH && start < attr.size()) {
                int length = (int) Math.min(WINDOW_BYTES, attr.size() - start);
                if (heldBytes + length > BUDGET_BYTES || !reads.tryAcquire()) break; // busy: no more read-ahead now
                Window w = new Window(
                        start, length, attr.size(), attr.mtimeNanos(), System.nanoTime(), new CompletableFuture<>());
                s.windows.addLast(w);
                heldBytes += length;
                started.add(w);
                start = w.end();
            }
        }
        for (Window w : started) {
            try {
                readers.execute(() -> {
                    try {
                        ByteBuffer buf = ByteBuffer.allocate(w.length());
                        fs.read(attr.ino(), w.offset(), buf);
                        w.data().complete(buf.array());
                    } catch (RuntimeException e) {
                        w.data().complete(null); // the READ that wanted it reads the file system itself
                    } finally {
                        reads.release();
                    }
                });
            } catch (RuntimeException rejected) {
                reads.release();
                w.data().complete(null);
            }
        }
    }

    /** Drops a file's windows; called holding this. */
    private void dropAll(State s) {
        for (Window w : s.windows) heldBytes -= w.length();
        s.windows.clear();
    }

    private static byte[] await(CompletableFuture<byte[]> data) {
        try {
            return data.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    /** This gateway changed the file: its window is no longer its bytes. */
    synchronized void forget(long bucket, long ino) {
        State s = files.remove(new Key(bucket, ino));
        if (s != null) dropAll(s);
    }

    void close() {
        readers.shutdownNow();
    }
}
