/**
 * The SAM layer (internal; not exported): one typed, AutoCloseable wrapper per exported TorchScript component
 * ({@link io.github.promptonce.sam.Sam2ImageEncoder}, {@link io.github.promptonce.sam.MemoryAttention},
 * {@link io.github.promptonce.sam.Sam2MaskDecoder}, {@link io.github.promptonce.sam.MemoryEncoder} and SAM (v1)'s
 * {@link io.github.promptonce.sam.SamImageEncoder} / {@link io.github.promptonce.sam.SamMaskDecoder}) with
 * record-typed results, the models as a sealed type chosen from the manifest
 * ({@link io.github.promptonce.sam.SamModel}: {@link io.github.promptonce.sam.SamV1Model} or
 * {@link io.github.promptonce.sam.Sam2Model}), the official video steps ({@link io.github.promptonce.sam.Sam2Tracker}
 * over one object's {@link io.github.promptonce.sam.MemoryState}) and the image pre- and post-processing.
 *
 * <p>Dependencies point down only: the public API ({@code io.github.promptonce}) uses this package; this package
 * uses {@code runtime}, {@code model}, {@code memory}, {@code volume} and {@code base}, never the API.
 */
package io.github.promptonce.sam;
