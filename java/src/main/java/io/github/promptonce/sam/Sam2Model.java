package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.Precision;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.volume.Slice;

import java.lang.foreign.MemorySegment;

/**
 * SAM 2: image encoder, memory attention, mask decoder and memory encoder, with the official decision rules.
 * Image mode is here; tracking through a volume is {@link Sam2Tracker}'s.
 */
public final class Sam2Model extends ModelParts implements SamModel {
    private final TrackingRules rules;
    private final Sam2ImageEncoder imageEncoder;
    private final Sam2MaskDecoder maskDecoder;
    private final MemoryAttention memoryAttention;
    private final MemoryEncoder memoryEncoder;

    Sam2Model(ModelManifest manifest, TorchRuntime runtime, Device device, Precision precision, Sam2ImageEncoder imageEncoder,
              Sam2MaskDecoder maskDecoder, MemoryAttention memoryAttention, MemoryEncoder memoryEncoder) {
        super(manifest, runtime, device, precision);
        this.rules = TrackingRules.of(manifest);
        this.imageEncoder = imageEncoder;
        this.maskDecoder = maskDecoder;
        this.memoryAttention = memoryAttention;
        this.memoryEncoder = memoryEncoder;
    }

    public TrackingRules rules() {
        return rules;
    }

    Sam2MaskDecoder maskDecoder() {
        return maskDecoder;
    }

    MemoryAttention memoryAttention() {
        return memoryAttention;
    }

    MemoryEncoder memoryEncoder() {
        return memoryEncoder;
    }

    @Override
    public Sam2EncodedImage encode(Slice slice) {
        Sam2Features features;
        try (Tensor input = input(slice)) {
            features = imageEncoder.encode(input);
        }
        try {
            return new Sam2EncodedImage(slice.width(), slice.height(), features,
                    memoryAttention.noMemory(features.visionFeatures()));
        } catch (RuntimeException e) {
            features.close();
            throw e;
        }
    }

    @Override
    public MaskPrediction predict(EncodedImage image, PromptPoints prompt) {
        Sam2EncodedImage e = requireSam2(image);
        boolean multimask = rules.multimask(true, prompt.pointCount());
        try (PromptTensors p = prompt(prompt, e.width(), e.height());
             MaskCandidates c = maskDecoder.predict(e.noMemoryEmbed(), e.features(), p, multimask,
                     rules.stabilityFallback())) {
            return c.best();
        }
    }

    Sam2EncodedImage requireSam2(EncodedImage image) {
        if (image instanceof Sam2EncodedImage e) {
            return e;
        }
        throw new IllegalArgumentException("this slice was encoded by a SAM (v1) model, not by " + manifest.arch());
    }

    /** SAM 2's prompt: the box as two leading corner points (labels 2, 3), then the clicks, in model-input pixels. */
    PromptTensors prompt(PromptPoints p, int w, int h) {
        int n = p.pointCount();
        float[] coords = new float[2 * n];
        int[] labels = new int[n];
        int k = 0;
        if (p.box() != null) {
            k = put(coords, labels, k, p.box()[0], p.box()[1], 2, w, h);
            k = put(coords, labels, k, p.box()[2], p.box()[3], 3, w, h);
        }
        for (int i = 0; i < p.clicks(); i++) {
            k = put(coords, labels, k, p.xy()[2 * i], p.xy()[2 * i + 1], p.positive()[i] ? 1 : 0, w, h);
        }
        return pointTensors(coords, labels, n);
    }

    /** No prompt (a tracked frame): [1, 0, 2] and [1, 0]. */
    PromptTensors noPrompt() {
        return pointTensors(new float[0], new int[0], 0);
    }

    private int put(float[] coords, int[] labels, int k, double x, double y, int label, int w, int h) {
        float[] xy = preprocessor.toInput(x, y, w, h);
        coords[2 * k] = xy[0];
        coords[2 * k + 1] = xy[1];
        labels[k] = label;
        return k + 1;
    }

    private PromptTensors pointTensors(float[] coords, int[] labels, int n) {
        if (n == 0) {
            Tensor c = runtime.empty(DType.FLOAT32, new long[] {1, 0, 2}, device);
            try {
                return new PromptTensors(c, runtime.empty(DType.INT32, new long[] {1, 0}, device), null);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
        Tensor c = runtime.tensor(MemorySegment.ofArray(coords), DType.FLOAT32, new long[] {1, n, 2}, device);
        try {
            return new PromptTensors(c, runtime.tensor(MemorySegment.ofArray(labels), DType.INT32,
                    new long[] {1, n}, device), null);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public Sam2Model requireVideo(String what) {
        return this;
    }

    @Override
    public void close() {
        imageEncoder.close();
        maskDecoder.close();
        memoryAttention.close();
        memoryEncoder.close();
    }
}
