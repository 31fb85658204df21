package io.github.promptonce.volume;

/**
 * The three voxel axes of a {@link Volume}: {@code I} (first NIfTI axis, image column), {@code J} (second, image
 * row), {@code K} (third, the slice axis by default).
 *
 * <p>A 2-D slice taken at a fixed index of one axis keeps the two other axes in their order: the lower-numbered one
 * is the image column (x, width) and the higher-numbered one is the image row (y, height). So a {@code K} slice is
 * {@code nx} wide and {@code ny} high, a {@code J} slice is {@code nx} × {@code nz}, an {@code I} slice is
 * {@code ny} × {@code nz}.
 */
public enum Axis {
    I(0), J(1), K(2);

    private final int index;

    Axis(int index) {
        this.index = index;
    }

    /** 0, 1 or 2. */
    public int index() {
        return index;
    }

    /** The axis with this index (0, 1, 2). */
    public static Axis of(int index) {
        return switch (index) {
            case 0 -> I;
            case 1 -> J;
            case 2 -> K;
            default -> throw new IllegalArgumentException("axis index " + index + " is not 0, 1 or 2");
        };
    }

    /** The axis that runs along the columns (x) of a slice taken along this axis. */
    public Axis columnAxis() {
        return this == I ? J : I;
    }

    /** The axis that runs along the rows (y) of a slice taken along this axis. */
    public Axis rowAxis() {
        return this == K ? J : K;
    }
}
