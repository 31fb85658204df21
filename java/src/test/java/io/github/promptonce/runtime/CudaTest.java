package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs only with a CUDA build and a GPU; otherwise reported as skipped, with the reason. */
class CudaTest {
    private final TorchRuntime runtime = TestBackend.runtime();

    @BeforeEach
    void requireGpu() {
        if (runtime instanceof NativeRuntime n) {
            assumeTrue(n.cudaCompiled(), "skipped: libpromptonce was built against a CPU-only LibTorch (LibTorch "
                    + runtime.torchVersion() + "); build against a CUDA LibTorch to run the CUDA tests");
        }
        assumeTrue(runtime.cudaDeviceCount() > 0, "skipped: the " + runtime.name() + " backend (" + runtime
                + ") sees no CUDA device");
    }

    @Test
    void tensorsAndCallsOnTheGpu() {
        Device gpu = Device.cuda(0);
        try (TorchModule m = runtime.load(Fixtures.path("basics.pt"), gpu, false);
             Tensor host = runtime.tensor(new float[] {1, 2, 3}, 3);
             Tensor onGpu = host.to(gpu);
             Tensor out = (Tensor) m.call("add_one", onGpu)) {
            assertEquals(gpu, onGpu.device());
            assertEquals(gpu, out.device());
            assertArrayEquals(new float[] {2, 3, 4}, out.toFloatArray());
        }
    }

    /** CUDA streams: the native backend only (the javacpp backend reports UNSUPPORTED_DEVICE for them). */
    @Test
    @Tag(TestBackend.NATIVE_ONLY)
    void tensorsAndCallsOnAStream() {
        Device gpu = Device.cuda(0);
        try (TorchModule m = runtime.load(Fixtures.path("basics.pt"), gpu, false);
             Stream stream = runtime.stream(gpu);
             Tensor host = runtime.tensor(new float[] {1, 2, 3}, 3);
             Tensor onGpu = host.to(gpu, DType.FLOAT32, stream)) {
            assertEquals(gpu, onGpu.device());
            try (Tensor out = (Tensor) m.callOn(stream, "add_one", onGpu)) {
                stream.synchronize();
                assertEquals(gpu, out.device());
                assertArrayEquals(new float[] {2, 3, 4}, out.toFloatArray());
            }
        }
    }
}
