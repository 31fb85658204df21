package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;

import java.util.List;

/**
 * SAM 2's {@code mask_decoder.pt}: {@code forward} (image mode, {@code SAM2ImagePredictor._predict}) and
 * {@code track} (video mode, {@code SAM2Base._forward_sam_heads}).
 */
public final class Sam2MaskDecoder extends Component {
    public Sam2MaskDecoder(TorchModule module) {
        super(module, "mask_decoder");
    }

    /** Image-mode proposals: masks, IoUs (sigmoid) and the object score. */
    public MaskCandidates predict(Tensor imageEmbed, Sam2Features features, PromptTensors prompt,
                                  boolean multimask, boolean stabilityFallback) {
        List<Tensor> t = tensors(call("forward", imageEmbed, features.featS0(), features.featS1(), prompt.coords(),
                prompt.labels(), null, multimask, stabilityFallback), "forward", 4);
        t.get(2).close(); // the SAM output tokens: not used by the host
        return new MaskCandidates(t.get(0), t.get(1), t.get(3));
    }

    /**
     * One frame of video mode. {@code imageEmbed}: the memory-conditioned features, or {@code no_memory(...)} on an
     * initial conditioning frame; {@code maskInput}: the frame's previous mask logits clamped (may be null).
     */
    public TrackOutput track(Tensor imageEmbed, Sam2Features features, PromptTensors prompt, Tensor maskInput,
                             boolean multimask, boolean stabilityFallback) {
        List<Tensor> t = tensors(call("track", imageEmbed, features.featS0(), features.featS1(), prompt.coords(),
                prompt.labels(), maskInput, multimask, stabilityFallback), "track", 6);
        return new TrackOutput(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5));
    }
}
