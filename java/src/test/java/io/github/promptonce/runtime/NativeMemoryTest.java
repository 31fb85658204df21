package io.github.promptonce.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creating and freeing tensors must not grow native memory. */
class NativeMemoryTest {
    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void tenThousandCreateFreeCyclesDoNotGrowRss() throws IOException {
        TorchRuntime runtime = TestBackend.runtime();
        float[] data = new float[64 * 1024]; // 256 KiB a tensor: a leak would be 2.5 GiB over the loop
        for (int i = 0; i < 1_000; i++) { // warm-up: allocator pools, JIT
            try (Tensor t = runtime.tensor(data, 256, 256)) {
                t.data();
            }
        }
        long before = rssKiB();
        for (int i = 0; i < 10_000; i++) {
            try (Tensor t = runtime.tensor(data, 256, 256); Tensor u = t.to(io.github.promptonce.base.Device.CPU,
                    DType.BFLOAT16)) {
                u.data();
            }
        }
        long after = rssKiB();
        long growthKiB = after - before;
        assertTrue(growthKiB < 64 * 1024, "RSS grew by " + growthKiB + " KiB over 10 000 cycles (before " + before
                + " KiB, after " + after + " KiB); a leak of one tensor per cycle would be >= 2 560 000 KiB");
    }
}
