package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;

/** SAM's {@code image_encoder.pt}: {@code forward(image [1,3,S,S]) -> image_embeddings [1,C,E,E]}. */
public final class SamImageEncoder extends Component {
    public SamImageEncoder(TorchModule module) {
        super(module, "image_encoder");
    }

    public Tensor encode(Tensor image) {
        return tensor(call("forward", image), "forward");
    }
}
