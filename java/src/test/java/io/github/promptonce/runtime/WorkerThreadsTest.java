package io.github.promptonce.runtime;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Thread counts are per thread: a worker's count and a scope's never reach another thread. */
class WorkerThreadsTest {
    private static final TorchRuntime RUNTIME = TestBackend.runtime();

    @Test
    void aWorkerRunsWithTheCountItAskedForWhileTheCallerKeepsItsOwn() throws Exception {
        int mine = RUNTIME.threads();
        int other = mine == 1 ? 2 : 1;
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        Future<Integer> seen = WorkerThreads.submit(RUNTIME, other, () -> {
            int n = RUNTIME.threads();
            inside.countDown();
            checked.await(1, TimeUnit.MINUTES);
            return n;
        });
        inside.await(1, TimeUnit.MINUTES);
        assertEquals(mine, RUNTIME.threads(), "the caller's count while the worker runs with " + other);
        checked.countDown();
        assertEquals(other, seen.get(1, TimeUnit.MINUTES));
        assertNotEquals(Thread.currentThread().getName(),
                WorkerThreads.submit(RUNTIME, 1, () -> Thread.currentThread().getName()).get());
        assertThrows(IllegalArgumentException.class, () -> WorkerThreads.submit(RUNTIME, 0, () -> 1));
    }

    @Test
    void aScopeSetsTheCallersCountAndRestoresIt() throws Exception {
        int before = RUNTIME.threads();
        int other = before == 1 ? 2 : 1;
        int freshBefore = onAFreshThread();
        try (ThreadScope scope = ThreadScope.of(RUNTIME, other)) {
            assertEquals(other, RUNTIME.threads());
            assertEquals(freshBefore, onAFreshThread(), "a new thread still starts from the process default");
            scope.close();
            assertEquals(before, RUNTIME.threads(), "restored on close");
        }
        assertEquals(before, RUNTIME.threads(), "close is idempotent");
        assertThrows(IllegalArgumentException.class, () -> ThreadScope.of(RUNTIME, 0));
    }

    /** The count a new thread that never set its own runs with. */
    private static int onAFreshThread() throws InterruptedException {
        int[] n = new int[1];
        Thread t = new Thread(() -> n[0] = RUNTIME.threads());
        t.start();
        t.join();
        return n[0];
    }
}
