package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.Precision;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.volume.Slice;

import java.util.ArrayList;
import java.util.List;

/**
 * A loaded model of one SAM family, chosen from its manifest: {@link SamV1Model} (image mode only) or
 * {@link Sam2Model} (image mode and memory-based tracking). Thread-safe; close once nothing is in flight
 * (idempotent).
 */
public sealed interface SamModel extends AutoCloseable permits SamV1Model, Sam2Model {

    /**
     * Loads the components the manifest's family needs onto {@code device}, at {@code precision} (AUTO resolved
     * here: see {@link Precision}); frees what loaded on failure.
     *
     * @throws io.github.promptonce.base.PromptonceException UNSUPPORTED_MODEL for BF16 on a model without bfloat16
     *                                                       variants
     */
    static SamModel load(ModelManifest manifest, TorchRuntime runtime, Device device, boolean optimize,
                         Precision precision) {
        Precision p = PrecisionChoice.resolve(precision, manifest, device);
        List<TorchModule> loaded = new ArrayList<>();
        try {
            return switch (manifest.family()) {
                case SAM -> new SamV1Model(manifest, runtime, device, p,
                        new SamImageEncoder(load(manifest, "image_encoder", p, runtime, device, optimize, loaded)),
                        new SamMaskDecoder(load(manifest, "mask_decoder", p, runtime, device, optimize, loaded)));
                case SAM2 -> new Sam2Model(manifest, runtime, device, p,
                        new Sam2ImageEncoder(load(manifest, "image_encoder", p, runtime, device, optimize, loaded)),
                        new Sam2MaskDecoder(load(manifest, "mask_decoder", p, runtime, device, optimize, loaded)),
                        new MemoryAttention(load(manifest, "memory_attention", p, runtime, device, optimize, loaded)),
                        new MemoryEncoder(load(manifest, "memory_encoder", p, runtime, device, optimize, loaded)));
            };
        } catch (RuntimeException e) {
            loaded.forEach(TorchModule::close);
            throw e;
        }
    }

    private static TorchModule load(ModelManifest manifest, String component, Precision precision,
                                    TorchRuntime runtime, Device device, boolean optimize, List<TorchModule> loaded) {
        TorchModule m = runtime.load(manifest.component(component).file(precision), device, optimize);
        loaded.add(m);
        return m;
    }

    ModelManifest manifest();

    /** The number format the components run at: FP32 or BF16 (the decoders are float32 in both). */
    Precision precision();

    Preprocessor preprocessor();

    /** Runs the image encoder on a windowed slice (values in [0, 1]). */
    EncodedImage encode(Slice slice);

    /**
     * Segments one object on an encoded slice as the official image predictors do: with at most one point (a box
     * counts as two) the decoder proposes several masks and the best predicted IoU wins.
     *
     * @throws IllegalArgumentException when {@code image} was encoded by another family
     */
    MaskPrediction predict(EncodedImage image, PromptPoints prompt);

    /**
     * This model as a SAM 2 model, for {@code what} (memory, tracking, propagation).
     *
     * @throws io.github.promptonce.base.PromptonceException UNSUPPORTED_MODEL for SAM (v1)
     */
    Sam2Model requireVideo(String what);

    /** How many times the image encoder has run (diagnostics and tests). */
    long imageEncoderCalls();

    @Override
    void close();
}
