package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;

/** SAM 2's {@code memory_encoder.pt}: {@code SAM2Base._encode_new_memory}. */
public final class MemoryEncoder extends Component {
    public MemoryEncoder(TorchModule module) {
        super(module, "memory_encoder");
    }

    /**
     * The spatial memory of a frame from its raw vision features and a mask ({@code binarize}: {@code mask > 0},
     * for masks from prompts; else its sigmoid).
     */
    public Tensor encode(Tensor visionFeatures, Tensor mask, Tensor objectScore, boolean binarize) {
        return tensor(call("forward", visionFeatures, mask, objectScore, binarize), "forward");
    }
}
