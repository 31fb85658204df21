package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;

/**
 * The backend the runtime tests run on: system property {@value #PROPERTY} ({@code native} or {@code javacpp};
 * default {@code native}). Maven runs them on the native backend in {@code java/} and on the javacpp backend in
 * {@code javacpp/}, each in its own JVM (one LibTorch per JVM). Tests that only make sense on the native backend
 * carry the tag {@value #NATIVE_ONLY}, which {@code javacpp/} excludes.
 */
public final class TestBackend {
    public static final String PROPERTY = "promptonce.backend";
    public static final String NATIVE_ONLY = "native-only";

    private TestBackend() {
    }

    public static Backend backend() {
        Backend b = Backend.parse(System.getProperty(PROPERTY, Backend.NATIVE.id()));
        if (b == Backend.AUTO) {
            throw new IllegalStateException(PROPERTY + " must name a concrete backend (native or javacpp), not auto");
        }
        return b;
    }

    /** The runtime of {@link #backend()}; fails if {@code TorchRuntimes} hands out another one. */
    public static TorchRuntime runtime() {
        Backend b = backend();
        TorchRuntime runtime = TorchRuntimes.get(b);
        if (!runtime.name().equals(b.id())) {
            throw new IllegalStateException("asked for the " + b.id() + " backend, got " + runtime);
        }
        return runtime;
    }
}
