package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;

/**
 * What SAM 2 keeps of one prompted or tracked frame for later frames: the encoded spatial memory, the object
 * pointer, the low-resolution mask logits and the object score. Owns its tensors, which stay native.
 *
 * @param maskmemFeatures spatial memory, stored as bfloat16 like the official predictor ([1, C_mem, h, w])
 * @param objectPointer   object pointer [1, C]
 * @param lowResMasks     mask logits at the decoder's resolution [1, 1, 4h, 4w] (hole-filled where the host fills)
 * @param objectScore     object score logit (> 0: the object is present)
 * @param iou             the predicted IoU of the chosen mask
 */
public record FrameMemory(Tensor maskmemFeatures, Tensor objectPointer, Tensor lowResMasks, float objectScore,
                          float iou) implements AutoCloseable {

    /** New handles on the same tensors (no copy), owned separately: for seeding several banks. */
    public FrameMemory share() {
        return new FrameMemory(maskmemFeatures.to(maskmemFeatures.device(), maskmemFeatures.dtype()),
                objectPointer.to(objectPointer.device(), objectPointer.dtype()),
                lowResMasks.to(lowResMasks.device(), lowResMasks.dtype()), objectScore, iou);
    }

    @Override
    public void close() {
        maskmemFeatures.close();
        objectPointer.close();
        lowResMasks.close();
    }
}
