package io.seabed.nfs;

import io.seabed.namespace.fs.FileSystem;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * UNSTABLE writes gathered per file (DESIGN §5) and written on COMMIT, when a file holds {@code bytesPerFile}, or
 * when all files hold {@code bytesTotal}: contiguous writes go down as one. Until then they live only here: a
 * crash loses them, and the write verifier (new at every start) tells clients to send them again. Reads and
 * attributes of a file flush it first, so nobody sees it without its gathered bytes.
 */
final class WriteGather {
    /** Largest single write handed to the file system. */
    static final int WRITE_PIECE_BYTES = 4 << 20;

    private record Key(long bucket, long ino) {}

    private record Piece(long offset, byte[] data) {}

    private static final class Pending {
        FileSystem fs;
        final List<Piece> pieces = new ArrayList<>();
        long bytes;
        long end;
    }

    private final int bytesPerFile;
    private final long bytesTotal;
    private final Map<Key, Pending> files = new HashMap<>();
    private long total;

    WriteGather(int bytesPerFile, long bytesTotal) {
        this.bytesPerFile = bytesPerFile;
        this.bytesTotal = bytesTotal;
    }

    /** Holds a write; writes the file's gathered bytes through at once when a bound is reached. */
    void add(FileSystem fs, long ino, long offset, byte[] data) {
        boolean flushFile;
        boolean overTotal;
        Key key = new Key(fs.bucketId(), ino);
        synchronized (this) {
            Pending p = files.computeIfAbsent(key, k -> new Pending());
            p.fs = fs;
            p.pieces.add(new Piece(offset, data));
            p.bytes += data.length;
            p.end = Math.max(p.end, offset + data.length);
            total += data.length;
            flushFile = p.bytes >= bytesPerFile;
            overTotal = total >= bytesTotal;
        }
        if (flushFile || overTotal) flush(fs, ino);
    }

    /** The end of the gathered bytes of a file (0 when none), for the size its attributes report. */
    synchronized long pendingEnd(long bucket, long ino) {
        Pending p = files.get(new Key(bucket, ino));
        return p == null ? 0 : p.end;
    }

    synchronized boolean holds(long bucket, long ino) {
        return files.containsKey(new Key(bucket, ino));
    }

    /**
     * Writes the file's gathered bytes (in arrival order, so later writes win) durably through the file system. A
     * flush of the same file running on another thread is waited for, so a COMMIT answers only once every byte
     * gathered before it is written. On a failure the bytes not written stay gathered.
     */
    void flush(FileSystem fs, long ino) {
        Key key = new Key(fs.bucketId(), ino);
        synchronized (stripes[Math.floorMod(key.hashCode(), stripes.length)]) {
            Pending p;
            synchronized (this) {
                p = files.remove(key);
                if (p == null) return;
                total -= p.bytes;
            }
            int done = 0;
            try {
                done = write(fs, ino, p.pieces);
            } finally {
                if (done < p.pieces.size()) restore(key, p.fs, p.pieces.subList(done, p.pieces.size()));
            }
        }
    }

    /** Writes every file's gathered bytes (at shutdown); returns how many files failed, which keep their bytes. */
    int flushAll() {
        List<Map.Entry<Key, FileSystem>> held = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Key, Pending> e : files.entrySet()) held.add(Map.entry(e.getKey(), e.getValue().fs));
        }
        int failed = 0;
        for (Map.Entry<Key, FileSystem> e : held) {
            try {
                flush(e.getValue(), e.getKey().ino());
            } catch (RuntimeException ex) {
                failed++;
            }
        }
        return failed;
    }

    /** Puts back pieces a failed flush did not write, before any gathered since. */
    private synchronized void restore(Key key, FileSystem fs, List<Piece> unwritten) {
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

    private final Object[] stripes = new Object[64];

    {
        for (int i = 0; i < stripes.length; i++) stripes[i] = new Object();
    }

    /** Writes the pieces in order; returns how many were written (all, unless it throws). */
    private static int write(FileSystem fs, long ino, List<Piece> pieces) {
        int i = 0;
        while (i < pieces.size()) {
            // Join a run of contiguous pieces into one write.
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

    synchronized long totalBytes() {
        return total;
    }
}
