package io.seabed.basestore;

import io.seabed.basestore.chunk.TargetIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stable numeric id of a target, kept in {@code target.id} in its directory, so a restart with
 * the same directories (in any order) maps chunks to the same targets. Written once, atomically.
 */
public final class TargetIdFile {
    static final String FILE_NAME = "target.id";
    static final int TARGET_ID_MAX = Integer.MAX_VALUE - 1;

    private TargetIdFile() {}

    /**
     * The id of each directory, in order: existing ids are kept, new directories get ids after the
     * largest existing one. Two directories with the same id are refused (a copied or repeated disk).
     */
    public static int[] assign(List<Path> directories) throws IOException {
        int[] ids = new int[directories.size()];
        Map<Integer, Path> seen = new HashMap<>();
        List<Integer> unassigned = new ArrayList<>();
        int max = -1;
        for (int i = 0; i < ids.length; i++) {
            Path directory = directories.get(i);
            int id = read(directory);
            ids[i] = id;
            if (id < 0) {
                unassigned.add(i);
                continue;
            }
            Path other = seen.putIfAbsent(id, directory);
            if (other != null)
                throw new IllegalArgumentException("target id " + id + " found in both " + other + " and " + directory);
            max = Math.max(max, id);
        }
        for (int i : unassigned) {
            if (max >= TARGET_ID_MAX) throw new IllegalStateException("target ids exhausted: max=" + max);
            ids[i] = ++max;
            write(directories.get(i), ids[i]);
        }
        return ids;
    }

    /**
     * The id of {@code directory}: the one stored there, or {@code wanted} written now (a storage process
     * derives its targets' ids from its node id, so ids are unique across the cluster).
     */
    public static int ensure(Path directory, int wanted) throws IOException {
        int id = read(directory);
        if (id >= 0) return id;
        write(directory, wanted);
        return wanted;
    }

    /** The id stored in {@code directory}, or -1 if it has none. */
    static int read(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file)) return -1;
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        try {
            int id = Integer.parseInt(text);
            if (id < 0) throw new NumberFormatException("negative");
            return id;
        } catch (NumberFormatException e) {
            throw new IOException("bad target id '" + text + "' in " + file, e);
        }
    }

    private static void write(Path directory, int id) throws IOException {
        Files.createDirectories(directory);
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(
                temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temporary, directory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
        TargetIo.FILE_CHANNEL.syncDirectory(directory);
    }
}
