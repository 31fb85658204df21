package io.github.promptonce.volume;

import java.util.Objects;

/**
 * A 2-D image: {@code height} rows of {@code width} float values, row-major ({@code data[y * width + x]}).
 * Slices handed out by {@link Volume#slice} and {@link Window#apply(Slice)} own a fresh array: the caller may keep or
 * change it.
 */
public record Slice(int width, int height, float[] data) {

    public Slice {
        Objects.requireNonNull(data, "data");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("slice size " + width + "x" + height + " must be at least 1x1");
        }
        if ((long) width * height != data.length) {
            throw new IllegalArgumentException("slice " + width + "x" + height + " needs " + (long) width * height
                    + " values, got " + data.length);
        }
    }

    /** The value at column {@code x}, row {@code y}. */
    public float get(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return data[y * width + x];
    }

    /** Equal size and equal values (bitwise, so NaN equals NaN). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Slice s && s.width == width && s.height == height && java.util.Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Slice[" + width + "x" + height + "]";
    }
}
