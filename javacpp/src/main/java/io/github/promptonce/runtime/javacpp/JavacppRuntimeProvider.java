package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.Backend;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimeProvider;

/** Registers the javacpp backend with {@code TorchRuntimes} through {@link java.util.ServiceLoader}. */
public final class JavacppRuntimeProvider implements TorchRuntimeProvider {

    public JavacppRuntimeProvider() {
        // nothing: loading happens in runtime()
    }

    @Override
    public Backend backend() {
        return Backend.JAVACPP;
    }

    @Override
    public TorchRuntime runtime() {
        return JavacppRuntime.get();
    }
}
