package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;

/**
 * A mask decoder's proposals in image mode.
 *
 * @param masks       mask logits [1, K, L, L]
 * @param ious        predicted IoU per mask [1, K]
 * @param objectScore SAM 2's object score logit [1, 1]; null for SAM (v1), which has none
 */
public record MaskCandidates(Tensor masks, Tensor ious, Tensor objectScore) implements AutoCloseable {

    /** The proposal with the highest predicted IoU (the first on ties), copied out. */
    public MaskPrediction best() {
        long[] shape = masks.shape(); // [1, K, L, L]
        int k = (int) shape[1];
        int l = (int) shape[3];
        float[] iou = ious.toFloatArray();
        int best = 0;
        for (int i = 1; i < k; i++) {
            if (iou[i] > iou[best]) {
                best = i;
            }
        }
        float[] all = masks.toFloatArray();
        float[] chosen = new float[l * l];
        System.arraycopy(all, best * l * l, chosen, 0, l * l);
        float score = objectScore == null ? Float.NaN : objectScore.toFloatArray()[0];
        return new MaskPrediction(chosen, l, iou[best], score);
    }

    @Override
    public void close() {
        masks.close();
        ious.close();
        if (objectScore != null) {
            objectScore.close();
        }
    }
}
