package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only the native backend has: its library file, the no-op downcall, the CUDA build flag. */
@Tag(TestBackend.NATIVE_ONLY)
class NativeRuntimeInfoTest {
    private final NativeRuntime runtime = NativeRuntime.get();

    @Test
    void reportsItsLibrary() {
        assertTrue(runtime.libraryFile().toString().endsWith("libpromptonce.so"), runtime.libraryFile().toString());
        assertSame(runtime, NativeRuntime.get(), "one runtime per JVM");
        assertSame(runtime, TorchRuntimes.get(Backend.NATIVE));
    }

    @Test
    void cudaCountIsConsistentWithTheBuild() {
        if (!runtime.cudaCompiled()) {
            assertEquals(0, runtime.cudaDeviceCount(), "a CPU build sees no CUDA device");
        }
    }

    @Test
    void noopReturnsOk() {
        runtime.noop();
        assertEquals(0, runtime.noopUnchecked());
    }
}
