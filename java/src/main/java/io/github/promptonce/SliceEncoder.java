package io.github.promptonce;

import io.github.promptonce.volume.Slice;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Encodes the slices of one propagation pass, optionally one slice ahead on a runtime thread: SAM 2's image encoder
 * does not depend on the memory bank, so the next slice can be encoded while this slice's memory attention, mask
 * decoder and memory encoder run. The thread encoding ahead runs with {@code aheadThreads} intra-op threads set on
 * itself alone; the pass's own thread count is the caller's business ({@link PropagationEngine}). Nothing
 * process-wide changes, so passes running at once do not disturb each other.
 *
 * <p>Used by one thread (the pass); {@link #close()} waits for an encoding nobody took and frees it. Slices are read
 * on the caller's thread, so sources need not be thread-safe; an error reading or encoding a slice ahead surfaces
 * when that slice is taken, as it would without encoding ahead.
 *
 * @param <T> what encoding a slice gives (closed when nobody takes it)
 */
final class SliceEncoder<T extends AutoCloseable> implements AutoCloseable {

    /** Runs a task on another thread with its own intra-op thread count ({@code WorkerThreads} in production). */
    @FunctionalInterface
    interface AheadRunner {
        <R> Future<R> submit(int threads, Callable<R> task);
    }

    private final Function<Slice, T> encode;
    private final SliceSource source;
    private final AheadRunner ahead; // null: every slice is encoded when it is taken
    private final int aheadThreads;
    private Future<T> pending;
    private int pendingSlice = -1;

    /**
     * @param encode       the image encoder; it must be safe to call from another thread
     * @param ahead        where to encode ahead, or null not to
     * @param aheadThreads the intra-op threads of the thread encoding ahead (>= 1 when {@code ahead} is given)
     */
    SliceEncoder(Function<Slice, T> encode, SliceSource source, AheadRunner ahead, int aheadThreads) {
        if (ahead != null && aheadThreads < 1) {
            throw new IllegalArgumentException("encoding ahead needs >= 1 thread, got " + aheadThreads);
        }
        this.encode = encode;
        this.source = source;
        this.ahead = ahead;
        this.aheadThreads = aheadThreads;
    }

    /** The encoding of {@code slice}: the one encoded ahead if it is that slice, else encoded now. */
    T take(int slice) {
        if (pending != null) {
            Future<T> f = pending;
            boolean match = pendingSlice == slice;
            pending = null;
            if (match) {
                return await(f);
            }
            discard(f);
        }
        return encode.apply(source.slice(slice));
    }

    /** Starts encoding {@code slice} on the other thread (nothing when encoding ahead is off or one is pending). */
    void encodeAhead(int slice) {
        if (ahead == null || pending != null) {
            return;
        }
        Slice image;
        try {
            image = source.slice(slice);
        } catch (RuntimeException e) {
            pending = CompletableFuture.failedFuture(e);
            pendingSlice = slice;
            return;
        }
        pending = ahead.submit(aheadThreads, () -> encode.apply(image));
        pendingSlice = slice;
    }

    private static <T> T await(Future<T> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the native call cannot be stopped: wait for it, then report the interrupt
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("encoding a slice failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for an encoding that will not be used and frees it; its failure, if any, no longer matters. */
    private static <T extends AutoCloseable> void discard(Future<T> f) {
        try {
            await(f).close();
        } catch (Exception ignored) {
            // nobody asked for this slice
        }
    }

    @Override
    public void close() {
        if (pending != null) {
            Future<T> f = pending;
            pending = null;
            discard(f);
        }
    }

    /** For tests: whether a slice is being (or has been) encoded ahead and not yet taken. */
    boolean hasPending() {
        return pending != null;
    }
}
