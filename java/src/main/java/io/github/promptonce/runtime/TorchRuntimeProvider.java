package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;

/**
 * A LibTorch backend packaged apart from the core jar, found with {@link java.util.ServiceLoader}: a jar registers
 * its implementation in {@code META-INF/services/io.github.promptonce.runtime.TorchRuntimeProvider}. The JavaCPP
 * backend ({@code promptonce-javacpp}) is one; the native backend lives in the core jar and needs none.
 * Implementations must have a public no-argument constructor and do nothing costly in it: loading happens in
 * {@link #runtime()}.
 */
public interface TorchRuntimeProvider {

    /** The backend this provider implements ({@link Backend#JAVACPP}, ...; never {@link Backend#AUTO}). */
    Backend backend();

    /**
     * Loads the backend once per JVM and returns its runtime. Must {@linkplain BackendGuard#claim claim} the JVM
     * before loading any native code. Throws {@link io.github.promptonce.base.PromptonceException} with
     * {@code NATIVE_LIBRARY} when the backend cannot be loaded, with the reason and the fix.
     */
    TorchRuntime runtime();
}
