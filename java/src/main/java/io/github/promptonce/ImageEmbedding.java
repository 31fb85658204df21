package io.github.promptonce;

import io.github.promptonce.sam.EncodedImage;

/**
 * A slice encoded by the image encoder, reusable for many prompts. Owns native memory: close it (idempotent);
 * other use after close throws {@link IllegalStateException}. One thread at a time.
 */
public final class ImageEmbedding implements AutoCloseable {
    private final EncodedImage image;
    private boolean closed;

    ImageEmbedding(EncodedImage image) {
        this.image = image;
    }

    public int width() {
        return image.width();
    }

    public int height() {
        return image.height();
    }

    /** The SAM layer's encoded slice. */
    EncodedImage encoded() {
        if (closed) {
            throw new IllegalStateException("image embedding is closed");
        }
        return image;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            image.close();
        }
    }
}
