package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;

import java.util.List;

/**
 * SAM's {@code mask_decoder.pt}: {@code forward(image_embeddings, point_coords, point_labels, boxes, mask_input,
 * multimask_output) -> (masks, iou_predictions)}.
 */
public final class SamMaskDecoder extends Component {
    public SamMaskDecoder(TorchModule module) {
        super(module, "mask_decoder");
    }

    /** Proposals for a prompt on an encoded slice ({@code maskInput} may be null). */
    public MaskCandidates predict(Tensor embedding, PromptTensors prompt, Tensor maskInput, boolean multimask) {
        List<Tensor> t = tensors(call("forward", embedding, prompt.coords(), prompt.labels(), prompt.box(),
                maskInput, multimask), "forward", 2);
        return new MaskCandidates(t.get(0), t.get(1), null);
    }
}
