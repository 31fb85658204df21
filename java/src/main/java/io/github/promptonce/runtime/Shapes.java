package io.github.promptonce.runtime;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.util.Arrays;

/** Shape checks done in Java before any downcall, so bad shapes never reach native code. */
public final class Shapes {
    /** The native layer's limit on tensor rank. */
    public static final int MAX_RANK = 16;

    private Shapes() {
    }

    /** Validates a shape and returns its element count; throws for null, rank > 16, negative dims or overflow. */
    public static long numel(long[] shape) {
        if (shape == null) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "shape must not be null");
        }
        if (shape.length > MAX_RANK) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT,
                    "rank " + shape.length + " of shape " + Arrays.toString(shape) + " exceeds " + MAX_RANK);
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new PromptonceException(ErrorCode.INVALID_ARGUMENT,
                        "negative dimension " + d + " in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new PromptonceException(ErrorCode.INVALID_ARGUMENT,
                        "shape " + Arrays.toString(shape) + " has more elements than fit in 64 bits");
            }
        }
        return n;
    }

    /** Bytes a contiguous tensor of this shape and dtype occupies; throws on overflow. */
    public static long byteSize(long[] shape, DType dtype) {
        long n = numel(shape);
        try {
            return Math.multiplyExact(n, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT,
                    "shape " + Arrays.toString(shape) + " of " + dtype + " exceeds 2^63 bytes");
        }
    }

    /** Throws SHAPE_MISMATCH unless {@code bytes} is exactly what the shape and dtype need. */
    public static void requireBytes(long[] shape, DType dtype, long bytes, String what) {
        long expected = byteSize(shape, dtype);
        if (bytes != expected) {
            throw new PromptonceException(ErrorCode.SHAPE_MISMATCH, what + " holds " + bytes + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
    }

    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
