package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The header's threading rule: one module, many threads calling it at once. */
class ConcurrencyTest {
    @Test
    void eightThreadsCallOneModule() throws Exception {
        TorchRuntime runtime = TestBackend.runtime();
        int threads = 8;
        int callsPerThread = 200;
        try (TorchModule m = runtime.load(Fixtures.path("basics.pt"), Device.CPU, false)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int i = 0; i < callsPerThread; i++) {
                        float v = id * 1000 + i;
                        try (Tensor x = runtime.tensor(new float[] {v, -v, 1}, 3);
                             Tensor y = (Tensor) m.call("scale", x, (double) (id + 1))) {
                            assertArrayEquals(new float[] {v * (id + 1), -v * (id + 1), id + 1}, y.toFloatArray());
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            pool.shutdown();
            assertEquals(threads * callsPerThread, total);
        }
    }
}
