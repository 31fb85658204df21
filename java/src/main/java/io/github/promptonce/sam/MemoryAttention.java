package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;

import java.util.List;

/**
 * SAM 2's {@code memory_attention.pt}: the image features of a frame conditioned on the memories the host chose
 * ({@code SAM2Base._prepare_memory_conditioned_features}), or on none ({@code no_memory}).
 */
public final class MemoryAttention extends Component {
    public MemoryAttention(TorchModule module) {
        super(module, "memory_attention");
    }

    /** {@code vision_features + no_mem_embed}: the decoder input of a frame without memory. */
    public Tensor noMemory(Tensor visionFeatures) {
        return tensor(call("no_memory", visionFeatures), "no_memory");
    }

    /**
     * The features conditioned on spatial memories (with their official {@code t_pos}) and object pointers (with
     * their temporal positions) over a video of {@code numFrames} frames.
     */
    public Tensor condition(Tensor visionFeatures, List<Tensor> memories, long[] memoryTpos, List<Tensor> pointers,
                            long[] pointerPositions, long numFrames) {
        return tensor(call("forward", visionFeatures, memories, memoryTpos, pointers, pointerPositions, numFrames),
                "forward");
    }
}
