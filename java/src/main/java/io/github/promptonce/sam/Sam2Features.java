package io.github.promptonce.sam;

import io.github.promptonce.runtime.Tensor;

/**
 * What SAM 2's image encoder returns for one slice.
 *
 * @param featS0         high-resolution level 0 after the decoder's conv_s0 [1, C/8, S/4, S/4]
 * @param featS1         level 1 after conv_s1 [1, C/4, S/8, S/8]
 * @param visionFeatures raw level-2 features [1, C, E, E] (no no-memory embedding)
 */
public record Sam2Features(Tensor featS0, Tensor featS1, Tensor visionFeatures) implements AutoCloseable {
    @Override
    public void close() {
        featS0.close();
        featS1.close();
        visionFeatures.close();
    }
}
