/**
 * promptonce: SAM and SAM 2 segmentation of medical image volumes over LibTorch, through the Java FFM API.
 *
 * <p>On the module path, give the JVM {@code --enable-native-access=io.github.promptonce}; on the class path
 * (how the CLI and the tests run) {@code --enable-native-access=ALL-UNNAMED}.
 */
module io.github.promptonce {
    requires java.desktop; // javax.imageio and java.awt.image: PNG/TIFF stacks and overlays

    exports io.github.promptonce;
    exports io.github.promptonce.memory;
    exports io.github.promptonce.metrics;
    exports io.github.promptonce.model;
    exports io.github.promptonce.overlay;
    exports io.github.promptonce.phantom;
    exports io.github.promptonce.volume;
    // internal: the LibTorch runtime interface, for the javacpp backend, the command line and the benchmarks
    exports io.github.promptonce.runtime;

    uses io.github.promptonce.runtime.TorchRuntimeProvider;
}
