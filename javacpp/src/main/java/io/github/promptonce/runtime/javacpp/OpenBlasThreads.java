package io.github.promptonce.runtime.javacpp;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The thread count of the OpenBLAS that the JavaCPP LibTorch does its matrix products in. That OpenBLAS is built
 * with pthreads and keeps its own pool, which {@code torch.set_num_threads} does not reach; its setter is found in
 * the already loaded {@code libopenblas.so.0} (LibTorch's dependency, loaded by JavaCPP) through FFM, since the
 * presets do not bind it. Absent (a LibTorch without OpenBLAS): nothing to set.
 */
final class OpenBlasThreads {
    private static final Arena LIBRARY = Arena.ofShared(); // held while the JVM runs, as the library itself
    private static final MethodHandle SET = find("openblas_set_num_threads",
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
    private static final MethodHandle GET = find("openblas_get_num_threads",
            FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private OpenBlasThreads() {
    }

    private static MethodHandle find(String name, FunctionDescriptor fd) {
        try {
            return SymbolLookup.libraryLookup("libopenblas.so.0", LIBRARY).find(name)
                    .map(s -> Linker.nativeLinker().downcallHandle(s, fd)).orElse(null);
        } catch (IllegalArgumentException notLoadable) {
            return null;
        }
    }

    /** Whether the process has the OpenBLAS this class sets. */
    static boolean present() {
        return SET != null && GET != null;
    }

    static void set(int threads) {
        if (SET == null) {
            return;
        }
        try {
            SET.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads(" + threads + ") failed", t);
        }
    }

    /** OpenBLAS's thread count, or -1 without it. */
    static int get() {
        if (GET == null) {
            return -1;
        }
        try {
            return (int) GET.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_get_num_threads() failed", t);
        }
    }
}
