package io.seabed.conformance;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * For multi-process cluster tests: when a test fails, the last lines of every process log under the test's
 * {@code dir} field (its {@code @TempDir}) travel with the failure as a suppressed error, so the build's own
 * output (test output goes to files) shows what the managers and nodes did. The manager logs get more lines:
 * they record every chain change.
 */
final class ClusterLogsOnFailure implements TestExecutionExceptionHandler {
    private static final int MANAGER_LINES = 80;
    private static final int OTHER_LINES = 15;

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Path dir = dirOf(context);
        if (dir != null && Files.isDirectory(dir.resolve("logs")))
            failure.addSuppressed(new AssertionError(tails(context, dir.resolve("logs"))));
        throw failure;
    }

    private static String tails(ExtensionContext context, Path logs) {
        StringBuilder out = new StringBuilder("cluster logs of failed test " + context.getDisplayName() + "\n");
        try (Stream<Path> files = Files.list(logs).sorted()) {
            for (Path log : (Iterable<Path>) files::iterator) {
                List<String> lines = Files.readAllLines(log);
                int keep = log.getFileName().toString().startsWith("manager") ? MANAGER_LINES : OTHER_LINES;
                out.append("---- ")
                        .append(log.getFileName())
                        .append(" (last ")
                        .append(keep)
                        .append(" of ")
                        .append(lines.size())
                        .append(" lines)\n");
                for (String line : lines.subList(Math.max(0, lines.size() - keep), lines.size()))
                    out.append(line).append('\n');
            }
        } catch (IOException e) {
            out.append("(cannot read the logs: ").append(e).append(")\n");
        }
        return out.toString();
    }

    private static Path dirOf(ExtensionContext context) {
        Object test = context.getTestInstance().orElse(null);
        if (test == null) return null;
        try {
            Field field = test.getClass().getDeclaredField("dir");
            field.setAccessible(true);
            return field.get(test) instanceof Path p ? p : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
