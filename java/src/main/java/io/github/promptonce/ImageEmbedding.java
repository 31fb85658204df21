package io.github.promptonce;

import io.github.promptonce.runtime.Tensor;

/**
 * A slice encoded by the image encoder, reusable for many prompts. Owns native memory: close it (idempotent);
 * other use after close throws {@link IllegalStateException}. One thread at a time.
 */
public final class ImageEmbedding implements AutoCloseable {
    private final int width;
    private final int height;
    private final Features features;
    private final Tensor imageEmbed;
    private boolean closed;

    /**
     * @param features   the encoder outputs (SAM 2: high-resolution levels + raw level 2; SAM: the embedding)
     * @param imageEmbed the decoder's image input: SAM 2 level 2 + no-memory embedding; SAM: the embedding
     */
    ImageEmbedding(int width, int height, Features features, Tensor imageEmbed) {
        this.width = width;
        this.height = height;
        this.features = features;
        this.imageEmbed = imageEmbed;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    Features features() {
        ensureOpen();
        return features;
    }

    Tensor imageEmbed() {
        ensureOpen();
        return imageEmbed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("image embedding is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (imageEmbed != features.visionFeatures()) {
                imageEmbed.close();
            }
            features.close();
        }
    }

    /**
     * What the image encoder returns. For SAM (v1) only {@code visionFeatures} is set (the embedding).
     *
     * @param featS0         SAM 2 high-resolution level 0 after conv_s0, or null
     * @param featS1         SAM 2 level 1 after conv_s1, or null
     * @param visionFeatures SAM 2 raw level-2 features; SAM: the image embedding
     */
    record Features(Tensor featS0, Tensor featS1, Tensor visionFeatures) implements AutoCloseable {
        @Override
        public void close() {
            if (featS0 != null) {
                featS0.close();
            }
            if (featS1 != null) {
                featS1.close();
            }
            visionFeatures.close();
        }
    }
}
