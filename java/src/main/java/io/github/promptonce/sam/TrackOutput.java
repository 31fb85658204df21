package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;

/**
 * {@code mask_decoder.track}'s outputs ({@code SAM2Base._forward_sam_heads}) for one frame.
 *
 * @param multimasks    all proposals [1, K, L, L]
 * @param ious          their predicted IoU [1, K]
 * @param lowResMask    the chosen mask's logits [1, 1, L, L] (−1024 everywhere when the object is absent)
 * @param highResMask   its bilinear upsampling to the input [1, 1, S, S]
 * @param objectPointer the object pointer [1, C]
 * @param objectScore   the object score logit [1, 1]
 */
public record TrackOutput(Tensor multimasks, Tensor ious, Tensor lowResMask, Tensor highResMask,
                          Tensor objectPointer, Tensor objectScore) implements AutoCloseable {

    /** The object score as a float. */
    public float score() {
        return objectScore.toFloatArray()[0];
    }

    /** The best predicted IoU among the proposals. */
    public float bestIou() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : ious.toFloatArray()) {
            m = Math.max(m, v);
        }
        return m;
    }

    @Override
    public void close() {
        multimasks.close();
        ious.close();
        lowResMask.close();
        highResMask.close();
        objectPointer.close();
        objectScore.close();
    }
}
