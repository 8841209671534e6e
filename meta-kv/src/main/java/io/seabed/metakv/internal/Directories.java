package io.seabed.metakv.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Recursive deletion of snapshot directories. */
final class Directories {
    private Directories() {}

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) return;
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) Files.delete(p);
    }

    /** Deletes every entry of {@code parent} except {@code keep}. */
    static void deleteSiblingsExcept(Path parent, Path keep) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(parent)) {
            children = list.filter(p -> !p.equals(keep)).toList();
        }
        for (Path p : children) deleteRecursively(p);
    }
}
