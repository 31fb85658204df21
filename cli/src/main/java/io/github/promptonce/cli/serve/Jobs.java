package io.github.promptonce.cli.serve;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded executor that runs all model work (prompts, propagations, undo): never an HTTP thread. A full queue
 * answers 503 instead of piling up work.
 */
final class Jobs implements AutoCloseable {
    static final int QUEUE = 64;
    private final ThreadPoolExecutor pool;

    Jobs(int threads) {
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "promptonce-serve-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    <T> Future<T> submit(Callable<T> job) {
        try {
            return pool.submit(job);
        } catch (RejectedExecutionException e) {
            throw new ApiException(503, "the server is busy (" + QUEUE + " operations queued): try again later");
        }
    }

    /** Runs {@code job} on the executor and waits for it (the calling HTTP thread only waits). */
    <T> T call(Callable<T> job) throws Exception {
        Future<T> f = submit(job);
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
