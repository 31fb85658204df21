package io.github.promptonce.jmh;

import io.github.promptonce.base.Device;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.Values;

import java.nio.file.Path;
import java.util.Random;

/**
 * One SAM (v1) image-mode slice on the module level (as {@code Segmenter.encode} + {@code predict} run it): the
 * image encoder, then the prompt encoder + mask decoder for one positive click with multimask output (what
 * SamPredictor does for a single click). Shared by the JMH benchmarks.
 */
final class SamSlice implements AutoCloseable {
    private final TorchModule encoder;
    private final TorchModule decoder;
    private final Tensor image;
    private final Tensor embedding;
    private final Tensor coords;
    private final Tensor labels;

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
        encoder = runtime.load(m.component("image_encoder").file(), device, optimize);
        decoder = runtime.load(m.component("mask_decoder").file(), device, optimize);
        int s = m.imageSize();
        image = onDevice(runtime.tensor(randomImage(s), 1, 3, s, s), device);
        embedding = (Tensor) encoder.call("forward", image);
        coords = onDevice(runtime.tensor(new float[] {0.45f * s, 0.55f * s}, 1, 1, 2), device);
        labels = onDevice(runtime.tensor(new int[] {1}, 1, 1), device);
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
        try (Tensor e = (Tensor) encoder.call("forward", image)) {
            sync(e);
        }
    }

    void decode() {
        Object out = decoder.call("forward", embedding, coords, labels, null, null, true);
        sync(Values.tensors(out).get(1));
        Values.closeAll(out);
    }

    /** The whole slice: encode, then decode the click on the fresh embedding (the IoU read back on a GPU). */
    void slice() {
        try (Tensor e = (Tensor) encoder.call("forward", image)) {
            Object out = decoder.call("forward", e, coords, labels, null, null, true);
            sync(Values.tensors(out).get(1));
            Values.closeAll(out);
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
        for (Tensor t : new Tensor[] {image, embedding, coords, labels}) {
            t.close();
        }
        encoder.close();
        decoder.close();
    }
}
