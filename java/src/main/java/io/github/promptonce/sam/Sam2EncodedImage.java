package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;

/**
 * A slice encoded by SAM 2: the encoder's features and the decoder input of a memory-free frame
 * ({@code no_memory(vision_features)}).
 */
public record Sam2EncodedImage(int width, int height, Sam2Features features, Tensor noMemoryEmbed)
        implements EncodedImage {
    @Override
    public void close() {
        noMemoryEmbed.close();
        features.close();
    }
}
