package io.github.promptonce.runtime;

import io.github.promptonce.ErrorCode;
import io.github.promptonce.PromptonceException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeInfoTest {
    private final NativeRuntime runtime = NativeRuntime.get();

    @Test
    void reportsLibTorchVersionAndLibrary() {
        assertTrue(runtime.torchVersion().matches("\\d+\\.\\d+(\\.\\d+)?.*"), runtime.torchVersion());
        assertEquals("native", runtime.name());
        assertTrue(runtime.libraryFile().toString().endsWith("libpromptonce.so"), runtime.libraryFile().toString());
        assertSame(runtime, NativeRuntime.get(), "one runtime per JVM");
    }

    @Test
    void cudaCountIsConsistentWithTheBuild() {
        int count = runtime.cudaDeviceCount();
        assertTrue(count >= 0);
        if (!runtime.cudaCompiled()) {
            assertEquals(0, count, "a CPU build sees no CUDA device");
        }
    }

    @Test
    void threadCountCanBeSetAndRead() {
        int before = runtime.threads();
        try {
            runtime.setThreads(1);
            assertEquals(1, runtime.threads());
            runtime.setThreads(2);
            assertEquals(2, runtime.threads());
        } finally {
            runtime.setThreads(before);
        }
        PromptonceException e = assertThrows(PromptonceException.class, () -> runtime.setThreads(0));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("thread count 0"), e.getMessage());
    }

    @Test
    void noopReturnsOk() {
        runtime.noop();
        assertEquals(0, runtime.noopUnchecked());
        assertFalse(runtime.toString().isEmpty());
    }
}
