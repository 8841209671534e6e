package io.seabed.nfs;

import io.seabed.namespace.fs.FileSystem;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UNSTABLE writes gathered per file (DESIGN §5). When a file holds {@code bytesPerFile} its bytes are written
 * behind, on a background thread (at most {@value #BEHIND_MAX} at once), so the client's next WRITEs are not held
 * up; when all files hold {@code bytesTotal}, or no background thread is free, the writing call writes its file
 * itself (backpressure). COMMIT writes what is left and waits for any write behind of the file. Until written,
 * bytes live only here: a crash loses them, and the write verifier (new at every start) tells clients to send them
 * again. Reads and attributes of a file wait for its bytes first, so nobody sees it without them.
 */
final class WriteGather {
    private static final Logger LOG = LoggerFactory.getLogger(WriteGather.class);

    /** Largest single write handed to the file system: four of its 8 MiB chunks, written at once. */
    static final int WRITE_PIECE_BYTES = 32 << 20;

    /** Files written behind at once. */
    static final int BEHIND_MAX = 8;

    private record Key(long bucket, long ino) {}

    private record Piece(long offset, byte[] data) {}

    private static final class Pending {
        FileSystem fs;
        final List<Piece> pieces = new ArrayList<>();
        long bytes;
        long end;
        boolean behind;
    }

    private final int bytesPerFile;
    private final long bytesTotal;
    /** Gathered, not yet taken by a flush. */
    private final Map<Key, Pending> files = new HashMap<>();
    /** Taken by a flush that is writing them. */
    private final Map<Key, Pending> writing = new HashMap<>();
    /** Bytes gathered or being written. */
    private long total;

    private final Object[] stripes = new Object[64];
    private final Semaphore behindSlots = new Semaphore(BEHIND_MAX);
    private final ExecutorService behind = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("nfs-write-behind-", 0).factory());

    WriteGather(int bytesPerFile, long bytesTotal) {
        this.bytesPerFile = bytesPerFile;
        this.bytesTotal = bytesTotal;
        for (int i = 0; i < stripes.length; i++) stripes[i] = new Object();
    }

    /** Holds a write; starts writing the file behind when it holds enough, or writes it now when memory is full. */
    void add(FileSystem fs, long ino, long offset, byte[] data) {
        Key key = new Key(fs.bucketId(), ino);
        boolean writeBehind = false;
        boolean writeNow;
        synchronized (this) {
            Pending p = files.computeIfAbsent(key, k -> new Pending());
            p.fs = fs;
            p.pieces.add(new Piece(offset, data));
            p.bytes += data.length;
            p.end = Math.max(p.end, offset + data.length);
            total += data.length;
            writeNow = total >= bytesTotal;
            if (!writeNow && p.bytes >= bytesPerFile && !p.behind) {
                p.behind = true;
                writeBehind = true;
            }
        }
        if (writeBehind && behindSlots.tryAcquire()) {
            try {
                behind.execute(() -> {
                    try {
                        flush(fs, ino);
                    } catch (RuntimeException e) {
                        // The bytes stay gathered; COMMIT (or the next read) writes them again and reports the error.
                        LOG.warn("writing behind inode {} of bucket {} failed: {}", ino, fs.bucketName(), e.toString());
                    } finally {
                        behindSlots.release();
                    }
                });
                return;
            } catch (RuntimeException rejected) {
                behindSlots.release(); // shutting down: write it here
            }
        }
        if (writeBehind || writeNow) flush(fs, ino);
    }

    /** The end of the bytes of a file not yet written (0 when none), for the size its attributes report. */
    synchronized long pendingEnd(long bucket, long ino) {
        Key key = new Key(bucket, ino);
        Pending p = files.get(key);
        Pending w = writing.get(key);
        return Math.max(p == null ? 0 : p.end, w == null ? 0 : w.end);
    }

    /** Whether a file has bytes gathered or being written. */
    synchronized boolean holds(long bucket, long ino) {
        Key key = new Key(bucket, ino);
        return files.containsKey(key) || writing.containsKey(key);
    }

    /**
     * Writes the file's gathered bytes (in arrival order, so later writes win) durably through the file system,
     * after any flush of the same file already running (waited for): when it returns, every byte gathered before
     * the call is written. On a failure the bytes not written stay gathered, before any gathered since.
     */
    void flush(FileSystem fs, long ino) {
        Key key = new Key(fs.bucketId(), ino);
        synchronized (stripes[Math.floorMod(key.hashCode(), stripes.length)]) {
            Pending p;
            synchronized (this) {
                p = files.remove(key);
                if (p == null) return;
                writing.put(key, p);
            }
            int done = 0;
            try {
                done = write(fs, ino, p.pieces);
            } finally {
                synchronized (this) {
                    writing.remove(key);
                    total -= p.bytes;
                    if (done < p.pieces.size()) restore(key, p.fs, p.pieces.subList(done, p.pieces.size()));
                }
            }
        }
    }

    /** Writes every file's gathered bytes (at shutdown); returns how many files failed, which keep their bytes. */
    int flushAll() {
        behind.shutdown();
        try {
            if (!behind.awaitTermination(60, TimeUnit.SECONDS)) LOG.warn("writes behind still running after 60 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Map.Entry<Key, FileSystem>> held = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Key, Pending> e : files.entrySet()) held.add(Map.entry(e.getKey(), e.getValue().fs));
        }
        int failed = 0;
        for (Map.Entry<Key, FileSystem> e : held) {
            try {
                flush(e.getValue(), e.getKey().ino());
            } catch (RuntimeException ex) {
                LOG.warn(
                        "writing gathered bytes of inode {} failed: {}",
                        e.getKey().ino(),
                        ex.toString());
                failed++;
            }
        }
        return failed;
    }

    /** Puts back pieces a failed flush did not write, before any gathered since. Holds the monitor. */
    private void restore(Key key, FileSystem fs, List<Piece> unwritten) {
        Pending back = new Pending();
        back.fs = fs;
        for (Piece piece : unwritten) {
            back.pieces.add(piece);
            back.bytes += piece.data().length;
            back.end = Math.max(back.end, piece.offset() + piece.data().length);
        }
        Pending since = files.remove(key);
        if (since != null) {
            back.pieces.addAll(since.pieces);
            back.bytes += since.bytes;
            back.end = Math.max(back.end, since.end);
            total -= since.bytes;
        }
        files.put(key, back);
        total += back.bytes;
    }

    /** Writes the pieces in order; returns how many were written (all, unless it throws). */
    private static int write(FileSystem fs, long ino, List<Piece> pieces) {
        int i = 0;
        while (i < pieces.size()) {
            // Join a run of contiguous pieces into one write, cut where it reaches the piece size.
            long start = pieces.get(i).offset();
            int length = pieces.get(i).data().length;
            int j = i + 1;
            while (j < pieces.size()
                    && pieces.get(j).offset() == start + length
                    && length + pieces.get(j).data().length <= WRITE_PIECE_BYTES) {
                length += pieces.get(j).data().length;
                j++;
            }
            ByteBuffer run = ByteBuffer.allocate(length);
            for (int k = i; k < j; k++) run.put(pieces.get(k).data());
            run.flip();
            fs.write(ino, start, run);
            i = j;
        }
        return i;
    }
}
