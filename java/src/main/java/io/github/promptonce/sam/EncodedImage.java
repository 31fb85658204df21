package io.github.promptonce.sam;

/** A slice through a model's image encoder, reusable for many prompts. Owns native memory. */
public sealed interface EncodedImage extends AutoCloseable permits SamEncodedImage, Sam2EncodedImage {
    /** The slice's width (original resolution). */
    int width();

    /** The slice's height. */
    int height();

    /** Idempotent. */
    @Override
    void close();
}
