package io.github.promptonce;

/**
 * A grey slice ready for a model: {@code width × height} values in [0, 1] (already windowed), row-major
 * ({@code pixels[y * width + x]}, x = column = first volume axis, y = row = second axis).
 */
public record Image2D(int width, int height, float[] pixels) {
    public Image2D {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " must be positive");
        }
        if (pixels == null || pixels.length != (long) width * height) {
            throw new IllegalArgumentException("image of " + width + "x" + height + " needs " + ((long) width * height)
                    + " pixels, got " + (pixels == null ? "null" : pixels.length));
        }
        int bad = 0;
        for (float v : pixels) {
            if (!(v >= 0f && v <= 1f)) {
                bad++;
            }
        }
        if (bad > 0) {
            throw new IllegalArgumentException(bad + " pixel(s) outside [0, 1] or not finite: window the slice first");
        }
    }
}
