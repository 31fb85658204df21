/**
 * promptonce: SAM and SAM 2 segmentation of medical image volumes over LibTorch, through the Java FFM API.
 *
 * <p>The API: {@code io.github.promptonce} (segmenters, sessions, prompts, results), {@code .base} (errors,
 * devices, backends), {@code .volume}, {@code .metrics}, {@code .overlay}, {@code .phantom}, {@code .model},
 * {@code .memory}. Internal and not exported: {@code .sam} (the typed SAM layer) and {@code .runtime} (the LibTorch
 * backends' interface, open to the JavaCPP backend only). Dependencies point down: API → sam → runtime → base.
 *
 * <p>On the module path, give the JVM {@code --enable-native-access=io.github.promptonce}; on the class path
 * (how the CLI and the tests run) {@code --enable-native-access=ALL-UNNAMED}.
 */
@SuppressWarnings("module") // the JavaCPP backend module is not on this build's module path
module io.github.promptonce {
    requires java.desktop; // javax.imageio and java.awt.image: PNG/TIFF stacks and overlays

    exports io.github.promptonce;
    exports io.github.promptonce.base;
    exports io.github.promptonce.memory;
    exports io.github.promptonce.metrics;
    exports io.github.promptonce.model;
    exports io.github.promptonce.overlay;
    exports io.github.promptonce.phantom;
    exports io.github.promptonce.volume;
    // internal: the interface a LibTorch backend implements (not API: it shows MemorySegment and may change)
    exports io.github.promptonce.runtime to io.github.promptonce.javacpp;

    uses io.github.promptonce.runtime.TorchRuntimeProvider;
}
