package io.github.promptonce.runtime.javacpp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenBlasThreadsTest {

    @Test
    void setThreadsReachesTheBundledOpenBlasPool() {
        JavacppRuntime runtime = JavacppRuntime.get();
        int before = runtime.threads();
        assertTrue(OpenBlasThreads.present(), "the JavaCPP LibTorch on linux-x86_64 does its products in OpenBLAS");
        try {
            runtime.setProcessThreads(1);
            assertEquals(1, OpenBlasThreads.get());
            assertEquals(1, runtime.threads());
            runtime.setProcessThreads(3);
            assertEquals(3, OpenBlasThreads.get());
            assertEquals(3, runtime.threads());
        } finally {
            runtime.setProcessThreads(before);
        }
    }
}
