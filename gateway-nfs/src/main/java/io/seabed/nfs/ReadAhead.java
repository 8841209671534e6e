package io.seabed.nfs;

import io.seabed.namespace.fs.Attr;
import io.seabed.namespace.fs.FileSystem;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Read-ahead for files read in order: when a READ continues where the file's previous READ ended, the next
 * {@value #WINDOW_BYTES} bytes are read in the background, so the client's next READs are answered from memory
 * while the storage read after them is already on its way. A window is used only while the file's size and mtime
 * are those it was read under (a write through any gateway changes the mtime), for at most a second (NFS clients
 * cache attributes longer), and this gateway's own writes to the file drop it at once. Bounded: {@value #FILES_MAX} files' windows, {@value #READS_MAX} background reads at once.
 */
final class ReadAhead {
    static final int WINDOW_BYTES = 4 << 20;
    static final int FILES_MAX = 32;
    static final int READS_MAX = 4;
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

    /** A file's reader position and up to two windows: the one being read from and the one after it. */
    private static final class State {
        long lastEnd = -1;
        Window current;
        Window next;

        /** Drops windows read under other attributes. */
        void check(Attr attr) {
            if (current != null && !current.matches(attr)) current = null;
            if (next != null && !next.matches(attr)) next = null;
        }
    }

    private final Map<Key, State> files = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, State> eldest) {
            return size() > FILES_MAX;
        }
    };
    private final Semaphore reads = new Semaphore(READS_MAX);
    private final ExecutorService readers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("nfs-read-ahead-", 0).factory());

    /**
     * Reads up to {@code count} bytes at {@code offset} of a file whose attributes are {@code attr} into {@code
     * into} (which has room for them): from a window when one holds them, else from the file system; then, when
     * the reads run in order, starts the next window. Returns the bytes read.
     */
    int read(FileSystem fs, Attr attr, long offset, int count, ByteBuffer into) {
        Key key = new Key(fs.bucketId(), attr.ino());
        int n = (int) Math.max(0, Math.min(count, attr.size() - offset));
        Window hit = null;
        boolean sequential;
        synchronized (this) {
            State s = files.computeIfAbsent(key, k -> new State());
            s.check(attr);
            if (n > 0 && s.next != null && s.next.covers(offset, n)) {
                s.current = s.next;
                s.next = null;
            }
            if (n > 0 && s.current != null && s.current.covers(offset, n)) hit = s.current;
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

    /** Starts reading the window after the reader's position {@code at}, unless enough is read ahead already. */
    private void ahead(FileSystem fs, Key key, Attr attr, long at) {
        if (at >= attr.size()) return;
        Window started;
        synchronized (this) {
            State s = files.get(key);
            if (s == null || s.next != null) return;
            boolean inCurrent = s.current != null && s.current.covers(at, 1);
            if (inCurrent && s.current.end() - at >= WINDOW_BYTES / 2) return; // enough ahead already
            long start = inCurrent ? s.current.end() : at;
            if (start >= attr.size()) return;
            if (!reads.tryAcquire()) return; // busy: no read-ahead this time
            int length = (int) Math.min(WINDOW_BYTES, attr.size() - start);
            started = new Window(
                    start, length, attr.size(), attr.mtimeNanos(), System.nanoTime(), new CompletableFuture<>());
            if (inCurrent) s.next = started;
            else s.current = started;
        }
        try {
            readers.execute(() -> {
                try {
                    ByteBuffer buf = ByteBuffer.allocate(started.length());
                    fs.read(attr.ino(), started.offset(), buf);
                    started.data().complete(buf.array());
                } catch (RuntimeException e) {
                    started.data().complete(null); // the READ that wanted it reads the file system itself
                } finally {
                    reads.release();
                }
            });
        } catch (RuntimeException rejected) {
            reads.release();
            started.data().complete(null);
        }
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
        files.remove(new Key(bucket, ino));
    }

    void close() {
        readers.shutdownNow();
    }
}
