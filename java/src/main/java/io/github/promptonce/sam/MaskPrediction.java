package io.github.promptonce.sam;

/**
 * One object's mask on one slice, as the decoder gave it (before upsampling to the slice).
 *
 * @param lowResLogits mask logits, {@code lowResSize²}, row-major
 * @param lowResSize   side of the low-resolution logits (S/4)
 * @param iou          the predicted IoU of the mask
 * @param objectScore  object score logit (> 0: present); NaN for SAM (v1)
 */
public record MaskPrediction(float[] lowResLogits, int lowResSize, float iou, float objectScore) {
    public MaskPrediction {
        if (lowResLogits.length != lowResSize * lowResSize) {
            throw new IllegalArgumentException("low-res logits of " + lowResLogits.length + " values, expected "
                    + lowResSize + "²");
        }
    }
}
