package io.seabed.basestore.chunk;

import io.seabed.basestore.StorageException;
import io.seabed.basestore.StorageException.Reason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Waits on storage futures and turns their failures back into {@link StorageException}s. */
public final class Futures {
    private Futures() {}

    /**
     * Waits for {@code future}; rethrows its StorageException as is, wraps anything else as IO_ERROR
     * (keeping the cause). An interrupt restores the flag and fails with IO_ERROR: the operation may
     * still complete.
     */
    public static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(Reason.IO_ERROR, "interrupted waiting for " + what, e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause(), what);
        }
    }

    /** The StorageException behind a future's failure, or an IO_ERROR wrapping it. */
    public static StorageException unwrap(Throwable failure, String what) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) cause = cause.getCause();
        if (cause instanceof StorageException storage) return storage;
        return new StorageException(Reason.IO_ERROR, what + " failed unexpectedly", cause);
    }
}
