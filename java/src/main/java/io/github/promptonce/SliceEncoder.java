package io.github.promptonce;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Encodes the slices of one propagation pass, optionally one slice ahead on a second thread: SAM 2's image encoder
 * does not depend on the memory bank, so the next slice can be encoded while this slice's memory attention, mask
 * decoder and memory encoder run. The intra-op threads are split between the two (half each) for the pass and
 * restored on the caller's thread by {@link #close()}: two streams on half the cores each keep the cores busier
 * than one stream on all of them, whose many small operations do not scale (docs/performance.md). With fewer than
 * two threads there is nothing to split and every slice is encoded when it is taken.
 *
 * <p>Used by one thread (the pass); {@link #close()} waits for an encoding nobody took and frees it. Slices are read
 * on the caller's thread, so sources need not be thread-safe; an error reading or encoding a slice ahead surfaces
 * when that slice is taken, as it would without encoding ahead.
 */
final class SliceEncoder implements AutoCloseable {
    private final Function<Image2D, ImageEmbedding> encode;
    private final SliceSource source;
    private final ExecutorService ahead; // null: every slice is encoded when it is taken
    private final IntConsumer setThreads;
    private final int threads;
    private Future<ImageEmbedding> pending;
    private int pendingSlice = -1;

    /**
     * @param encode      the image encoder ({@code Segmenter::encode}); it must be safe to call from another thread
     * @param threads     the intra-op threads of the pass (split in two while encoding ahead)
     * @param setThreads  sets the intra-op threads for work started from the calling thread
     */
    SliceEncoder(Function<Image2D, ImageEmbedding> encode, SliceSource source, boolean encodeAhead, int threads,
                 IntConsumer setThreads) {
        this.encode = encode;
        this.source = source;
        this.threads = threads;
        this.setThreads = setThreads;
        if (encodeAhead && threads >= 2) {
            int aheadThreads = threads / 2;
            setThreads.accept(threads - aheadThreads);
            this.ahead = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(() -> {
                    try {
                        setThreads.accept(aheadThreads);
                    } catch (RuntimeException e) {
                        // encode with the inherited count; never leave the executor without its worker (a take()
                        // would wait forever): the encoder itself reports a broken runtime
                    }
                    r.run();
                }, "promptonce-encode-ahead");
                t.setDaemon(true);
                return t;
            });
        } else {
            this.ahead = null;
        }
    }

    /** The embedding of {@code slice}: the one encoded ahead if it is that slice, else encoded now. */
    ImageEmbedding take(int slice) {
        if (pending != null) {
            Future<ImageEmbedding> f = pending;
            boolean match = pendingSlice == slice;
            pending = null;
            if (match) {
                return await(f);
            }
            discard(f);
        }
        return encode.apply(source.slice(slice));
    }

    /** Starts encoding {@code slice} on the second thread (nothing when encoding ahead is off or one is pending). */
    void encodeAhead(int slice) {
        if (ahead == null || pending != null) {
            return;
        }
        Image2D image;
        try {
            image = source.slice(slice);
        } catch (RuntimeException e) {
            pending = CompletableFuture.failedFuture(e);
            pendingSlice = slice;
            return;
        }
        pending = ahead.submit(() -> encode.apply(image));
        pendingSlice = slice;
    }

    private static ImageEmbedding await(Future<ImageEmbedding> f) {
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
    private static void discard(Future<ImageEmbedding> f) {
        try {
            await(f).close();
        } catch (RuntimeException ignored) {
            // nobody asked for this slice
        }
    }

    @Override
    public void close() {
        if (pending != null) {
            Future<ImageEmbedding> f = pending;
            pending = null;
            discard(f);
        }
        if (ahead != null && !ahead.isShutdown()) {
            ahead.shutdown();
            setThreads.accept(threads);
        }
    }

    /** For tests: whether a slice is being (or has been) encoded ahead and not yet taken. */
    boolean hasPending() {
        return pending != null;
    }
}
