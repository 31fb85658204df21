package io.github.promptonce.jmh;

import io.github.promptonce.base.Device;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.sam.MaskCandidates;
import io.github.promptonce.sam.PromptTensors;
import io.github.promptonce.sam.SamImageEncoder;
import io.github.promptonce.sam.SamMaskDecoder;

import java.nio.file.Path;
import java.util.Random;

/**
 * One SAM (v1) image-mode slice on the SAM layer's typed components (as {@code SamV1Model.encode} + {@code predict}
 * run it): the
 * image encoder, then the prompt encoder + mask decoder for one positive click with multimask output (what
 * SamPredictor does for a single click). Shared by the JMH benchmarks.
 */
final class SamSlice implements AutoCloseable {
    private final SamImageEncoder encoder;
    private final SamMaskDecoder decoder;
    private final Tensor image;
    private final Tensor embedding;
    private final PromptTensors click;

    private final Device device;

    SamSlice(TorchRuntime runtime, Path model, boolean optimize) {
        this(runtime, model, optimize, Device.CPU);
    }

    SamSlice(TorchRuntime runtime, Path model, boolean optimize, Device device) {
        this.device = device;
        ModelManifest m = ModelManifest.read(model);
        if (m.family() != ModelManifest.Family.SAM) {
            throw new IllegalArgumentException(model + " is not a SAM (v1) model");
        }
        encoder = new SamImageEncoder(runtime.load(m.component("image_encoder").file(), device, optimize));
        decoder = new SamMaskDecoder(runtime.load(m.component("mask_decoder").file(), device, optimize));
        int s = m.imageSize();
        image = onDevice(runtime.tensor(randomImage(s), 1, 3, s, s), device);
        embedding = encoder.encode(image);
        click = new PromptTensors(onDevice(runtime.tensor(new float[] {0.45f * s, 0.55f * s}, 1, 1, 2), device),
                onDevice(runtime.tensor(new int[] {1}, 1, 1), device), null);
    }

    /** {@code t} moved to {@code device} (closing the host copy), or {@code t} itself on the CPU. */
    static Tensor onDevice(Tensor t, Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return t;
        }
        try (t) {
            return t.to(device);
        }
    }

    static float[] randomImage(int s) {
        float[] px = new float[3 * s * s];
        Random r = new Random(0);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        return px;
    }

    void encode() {
        try (Tensor e = encoder.encode(image)) {
            sync(e);
        }
    }

    void decode() {
        try (MaskCandidates out = decoder.predict(embedding, click, null, true)) {
            sync(out.ious());
        }
    }

    /** The whole slice: encode, then decode the click on the fresh embedding (the IoU read back on a GPU). */
    void slice() {
        try (Tensor e = encoder.encode(image); MaskCandidates out = decoder.predict(e, click, null, true)) {
            sync(out.ious());
        }
    }

    /** On a GPU, wait for {@code t} by reading a value back; nothing to do on the CPU. */
    private void sync(Tensor t) {
        if (device.kind() == Device.Kind.CUDA) {
            try (Tensor host = t.to(Device.CPU)) {
                host.toFloatArray();
            }
        }
    }

    @Override
    public void close() {
        image.close();
        embedding.close();
        click.close();
        encoder.close();
        decoder.close();
    }
}
