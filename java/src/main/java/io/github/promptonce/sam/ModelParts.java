package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.Precision;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.volume.Slice;

import java.util.concurrent.atomic.AtomicLong;

/** What both SAM families share: manifest, runtime, device, preprocessing and the encoder-call count. */
abstract class ModelParts {
    final ModelManifest manifest;
    final TorchRuntime runtime;
    final Device device;
    final Preprocessor preprocessor;
    final Precision precision;
    private final AtomicLong encoderCalls = new AtomicLong();

    ModelParts(ModelManifest manifest, TorchRuntime runtime, Device device, Precision precision) {
        this.manifest = manifest;
        this.precision = precision;
        this.runtime = runtime;
        this.device = device;
        this.preprocessor = new Preprocessor(manifest);
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public Precision precision() {
        return precision;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    public long imageEncoderCalls() {
        return encoderCalls.get();
    }

    /** The slice as the model's input tensor, counted as one image-encoder run. */
    Tensor input(Slice slice) {
        Tensor t = preprocessor.toInput(slice, runtime, device);
        encoderCalls.incrementAndGet();
        return t;
    }
}
