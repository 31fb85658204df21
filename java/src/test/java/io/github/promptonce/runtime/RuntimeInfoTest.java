package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeInfoTest {
    private final TorchRuntime runtime = TestBackend.runtime();

    @Test
    void reportsBackendAndLibTorchVersion() {
        assertTrue(runtime.torchVersion().matches("\\d+\\.\\d+(\\.\\d+)?.*"), runtime.torchVersion());
        assertEquals(TestBackend.backend().id(), runtime.name());
        assertSame(runtime, TorchRuntimes.get(TestBackend.backend()), "one runtime per JVM");
        assertFalse(runtime.toString().isEmpty());
    }

    @Test
    void autoReturnsTheBackendThisJvmLoaded() {
        assertSame(runtime, TorchRuntimes.get(Backend.AUTO));
        assertSame(runtime, TorchRuntimes.get("auto"));
        assertEquals(TestBackend.backend(), BackendGuard.claimed().orElseThrow());
    }

    @Test
    void theOtherBackendIsRefusedWithAClearError() {
        Backend other = TestBackend.backend() == Backend.NATIVE ? Backend.JAVACPP : Backend.NATIVE;
        PromptonceException e = assertThrows(PromptonceException.class, () -> TorchRuntimes.get(other));
        assertEquals(ErrorCode.NATIVE_LIBRARY, e.code(), e.getMessage());
        if (TorchRuntimes.isPresent(other)) {
            assertTrue(e.getMessage().contains("separate JVMs") && e.getMessage().contains(other.id())
                    && e.getMessage().contains(TestBackend.backend().id()), e.getMessage());
        } else {
            assertTrue(e.getMessage().contains("not on the class path")
                    && e.getMessage().contains("promptonce-" + other.id()), e.getMessage());
        }
        assertEquals(TestBackend.backend(), BackendGuard.claimed().orElseThrow(), "the claim is unchanged");
    }

    @Test
    void backendNamesParse() {
        assertEquals(Backend.NATIVE, Backend.parse("native"));
        assertEquals(Backend.JAVACPP, Backend.parse(" JavaCPP "));
        assertEquals(Backend.AUTO, Backend.parse("auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("tensorflow"));
        assertTrue(e.getMessage().contains("tensorflow") && e.getMessage().contains("native, javacpp or auto"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backend.parse(null));
    }

    @Test
    void cudaCountIsNeverNegative() {
        assertTrue(runtime.cudaDeviceCount() >= 0);
    }

    @Test
    void threadCountCanBeSetAndRead() {
        int before = runtime.threads();
        try {
            runtime.setProcessThreads(1);
            assertEquals(1, runtime.threads());
            runtime.setProcessThreads(2);
            assertEquals(2, runtime.threads());
        } finally {
            runtime.setProcessThreads(before);
        }
        PromptonceException e = assertThrows(PromptonceException.class, () -> runtime.setProcessThreads(0));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("thread count 0"), e.getMessage());
    }
}
