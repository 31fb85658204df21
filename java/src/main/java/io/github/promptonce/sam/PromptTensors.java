package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;

/**
 * A prompt as the decoders take it, in model-input pixels.
 *
 * @param coords points [1, N, 2] (SAM 2: a box's two corners lead, labels 2 and 3)
 * @param labels their labels [1, N] (1 positive, 0 negative; 2/3 box corners)
 * @param box    SAM (v1)'s separate box [1, 4], or null
 */
public record PromptTensors(Tensor coords, Tensor labels, Tensor box) implements AutoCloseable {
    @Override
    public void close() {
        coords.close();
        labels.close();
        if (box != null) {
            box.close();
        }
    }
}
