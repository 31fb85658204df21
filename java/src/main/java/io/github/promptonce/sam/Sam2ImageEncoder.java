package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;

import java.util.List;

/** SAM 2's {@code image_encoder.pt}: {@code forward(image [1,3,S,S]) -> (feat_s0, feat_s1, vision_features)}. */
public final class Sam2ImageEncoder extends Component {
    public Sam2ImageEncoder(TorchModule module) {
        super(module, "image_encoder");
    }

    public Sam2Features encode(Tensor image) {
        List<Tensor> t = tensors(call("forward", image), "forward", 3);
        return new Sam2Features(t.get(0), t.get(1), t.get(2));
    }
}
