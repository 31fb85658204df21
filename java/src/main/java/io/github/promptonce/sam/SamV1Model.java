package io.github.promptonce.sam;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.Precision;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.model.ModelManifest;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.volume.Slice;

import java.lang.foreign.MemorySegment;

/** SAM (v1): image encoder and mask decoder; one slice at a time. */
public final class SamV1Model extends ModelParts implements SamModel {
    private final SamImageEncoder imageEncoder;
    private final SamMaskDecoder maskDecoder;

    SamV1Model(ModelManifest manifest, TorchRuntime runtime, Device device, Precision precision, SamImageEncoder imageEncoder,
               SamMaskDecoder maskDecoder) {
        super(manifest, runtime, device, precision);
        this.imageEncoder = imageEncoder;
        this.maskDecoder = maskDecoder;
    }

    @Override
    public SamEncodedImage encode(Slice slice) {
        try (Tensor input = input(slice)) {
            return new SamEncodedImage(slice.width(), slice.height(), imageEncoder.encode(input));
        }
    }

    @Override
    public MaskPrediction predict(EncodedImage image, PromptPoints prompt) {
        if (!(image instanceof SamEncodedImage e)) {
            throw new IllegalArgumentException("this slice was encoded by a SAM 2 model, not by " + manifest.arch());
        }
        boolean multimask = prompt.pointCount() <= 1; // multimask for a single click (a box counts as two)
        try (PromptTensors p = tensors(prompt, e.width(), e.height());
             MaskCandidates c = maskDecoder.predict(e.embedding(), p, null, multimask)) {
            return c.best();
        }
    }

    /** Clicks as points [1, N, 2] and labels [1, N]; the box on its own [1, 4], in model-input pixels. */
    private PromptTensors tensors(PromptPoints p, int w, int h) {
        int n = p.clicks();
        float[] coords = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            float[] xy = preprocessor.toInput(p.xy()[2 * i], p.xy()[2 * i + 1], w, h);
            coords[2 * i] = xy[0];
            coords[2 * i + 1] = xy[1];
            labels[i] = p.positive()[i] ? 1 : 0;
        }
        Tensor c = runtime.tensor(MemorySegment.ofArray(coords), DType.FLOAT32, new long[] {1, n, 2}, device);
        Tensor l = null;
        try {
            l = runtime.tensor(MemorySegment.ofArray(labels), DType.INT32, new long[] {1, n}, device);
            Tensor box = null;
            if (p.box() != null) {
                float[] a = preprocessor.toInput(p.box()[0], p.box()[1], w, h);
                float[] b = preprocessor.toInput(p.box()[2], p.box()[3], w, h);
                box = runtime.tensor(MemorySegment.ofArray(new float[] {a[0], a[1], b[0], b[1]}), DType.FLOAT32,
                        new long[] {1, 4}, device);
            }
            return new PromptTensors(c, l, box);
        } catch (RuntimeException e) {
            c.close();
            if (l != null) {
                l.close();
            }
            throw e;
        }
    }

    @Override
    public Sam2Model requireVideo(String what) {
        throw new PromptonceException(ErrorCode.UNSUPPORTED_MODEL, what + " needs a SAM 2 model; "
                + manifest.arch() + " is SAM (v1), which segments one slice at a time (use encode + predict)");
    }

    @Override
    public void close() {
        imageEncoder.close();
        maskDecoder.close();
    }
}
