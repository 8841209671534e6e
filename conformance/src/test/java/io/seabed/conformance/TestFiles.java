package io.seabed.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test data and temp-tree helpers. */
final class TestFiles {
    private TestFiles() {}

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deterministic pseudo-random bytes: the same seed and size always give the same content. */
    static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < size; j++) b[i + j] = (byte) (v >>> (8 * j));
        }
        return b;
    }

    /** Writes {@code files} (relative path to content) under {@code root}, creating directories. */
    static void write(Path root, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
    }

    /** {@code name}, or {@code fallback} when the JVM's file-name encoding (the locale's) cannot express it. */
    static String unicodeName(String name, String fallback) {
        try {
            Path.of(name);
            return name;
        } catch (InvalidPathException e) {
            System.err.println("file names are not UTF-8 in this JVM (sun.jnu.encoding="
                    + System.getProperty("sun.jnu.encoding") + "), using '" + fallback + "' instead of '" + name
                    + "'");
            return fallback;
        }
    }

    /** The regular files under {@code root} are exactly {@code expected}, byte for byte. */
    static void assertTree(Map<String, byte[]> expected, Path root) throws IOException {
        Map<String, byte[]> actual = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                actual.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        assertEquals(expected.keySet(), actual.keySet(), "files under " + root);
        for (Map.Entry<String, byte[]> f : expected.entrySet()) {
            assertArrayEquals(f.getValue(), actual.get(f.getKey()), f.getKey());
        }
    }
}
