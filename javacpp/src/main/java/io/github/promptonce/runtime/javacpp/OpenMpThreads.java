package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The calling thread's OpenMP thread count, which the JavaCPP LibTorch's intra-op parallelism runs on. The presets
 * bind only {@code torch.set_num_threads}, which also sets the process-wide default; {@code omp_set_num_threads} of
 * the already loaded OpenMP runtime (LibTorch's dependency, loaded by JavaCPP) sets this thread's count alone.
 */
final class OpenMpThreads {
    private static final Arena LIBRARY = Arena.ofShared(); // held while the JVM runs, as the library itself
    private static final String[] LIBRARIES = {"libgomp.so.1", "libiomp5.so", "libomp.so"};
    private static final MethodHandle SET = find("omp_set_num_threads", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));

    private OpenMpThreads() {
    }

    private static MethodHandle find(String name, FunctionDescriptor fd) {
        for (String library : LIBRARIES) {
            try {
                var symbol = SymbolLookup.libraryLookup(library, LIBRARY).find(name);
                if (symbol.isPresent()) {
                    return Linker.nativeLinker().downcallHandle(symbol.get(), fd);
                }
            } catch (IllegalArgumentException notLoadable) {
                // try the next OpenMP runtime
            }
        }
        return null;
    }

    /** Whether the process has an OpenMP runtime whose per-thread count this class sets. */
    static boolean present() {
        return SET != null;
    }

    static void setHere(int threads) {
        if (SET == null) {
            throw new PromptonceException(ErrorCode.UNSUPPORTED_DEVICE, "no OpenMP runtime (libgomp.so.1, libiomp5.so"
                    + " or libomp.so) is loaded: this LibTorch's thread count is process-wide only");
        }
        try {
            SET.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException("omp_set_num_threads(" + threads + ") failed", t);
        }
    }
}
