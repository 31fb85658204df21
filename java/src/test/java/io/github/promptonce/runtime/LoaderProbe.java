package io.github.promptonce.runtime;

import io.github.promptonce.base.PromptonceException;

/** Run in a child JVM by {@link NativeLibraryLoaderTest}: loads the runtime and reports the outcome. */
public final class LoaderProbe {
    private LoaderProbe() {
    }

    public static void main(String[] args) {
        try {
            NativeRuntime runtime = NativeRuntime.get();
            System.out.println("loaded LibTorch " + runtime.torchVersion() + " from " + runtime.libraryFile());
        } catch (PromptonceException e) {
            System.err.println(e.code() + ": " + e.getMessage());
            System.exit(3);
        }
    }
}
