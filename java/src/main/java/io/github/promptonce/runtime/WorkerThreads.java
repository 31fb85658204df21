package io.github.promptonce.runtime;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads the runtime owns for work beside the caller's (a propagation's next slice, encoded ahead): daemon
 * threads made on demand and reused while the JVM runs. Each task runs with the intra-op count it asks for, set on
 * its own thread only ({@link TorchRuntime#setThreadsHere}), so tasks of passes running at once never change each
 * other's counts.
 */
public final class WorkerThreads {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "promptonce-worker-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private WorkerThreads() {
    }

    /**
     * Runs {@code task} on a runtime thread with {@code threads} intra-op threads. Where the backend cannot set a
     * count per thread (a LibTorch without OpenMP), the task runs with the process-wide count.
     */
    public static <T> Future<T> submit(TorchRuntime runtime, int threads, Callable<T> task) {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(task, "task");
        if (threads < 1) {
            throw new IllegalArgumentException("thread count " + threads + " must be >= 1");
        }
        return POOL.submit(() -> {
            try {
                runtime.setThreadsHere(threads);
            } catch (RuntimeException e) {
                // run with the process-wide count: never fail a task over its thread count
            }
            return task.call();
        });
    }
}
