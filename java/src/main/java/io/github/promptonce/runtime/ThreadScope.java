package io.github.promptonce.runtime;

/**
 * The calling thread's intra-op thread count, set for a scope and restored when it closes. Per thread only
 * ({@link TorchRuntime#setThreadsHere}): scopes on other threads never see it. Where the backend cannot set a
 * count per thread, the scope changes nothing and work runs with the process-wide count.
 */
public final class ThreadScope implements AutoCloseable {
    private final TorchRuntime runtime;
    private final int before;
    private final boolean changed;
    private boolean closed;

    private ThreadScope(TorchRuntime runtime, int before, boolean changed) {
        this.runtime = runtime;
        this.before = before;
        this.changed = changed;
    }

    /** Sets {@code threads} (>= 1) on the calling thread until {@link #close()}. */
    public static ThreadScope of(TorchRuntime runtime, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count " + threads + " must be >= 1");
        }
        int before = runtime.threads();
        if (before == threads) {
            return new ThreadScope(runtime, before, false);
        }
        try {
            runtime.setThreadsHere(threads);
            return new ThreadScope(runtime, before, true);
        } catch (io.github.promptonce.base.PromptonceException unsupported) {
            return new ThreadScope(runtime, before, false); // no per-thread count in this LibTorch
        }
    }

    /** Restores the count the thread had (on the thread that opened the scope). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (changed) {
                runtime.setThreadsHere(before);
            }
        }
    }
}
