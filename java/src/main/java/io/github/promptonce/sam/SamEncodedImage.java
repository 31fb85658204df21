package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;

/** A slice encoded by SAM (v1): its image embedding [1, C, E, E]. */
public record SamEncodedImage(int width, int height, Tensor embedding) implements EncodedImage {
    @Override
    public void close() {
        embedding.close();
    }
}
