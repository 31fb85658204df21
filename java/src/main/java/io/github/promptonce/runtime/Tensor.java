package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;

import java.lang.foreign.MemorySegment;

/**
 * A LibTorch tensor held by a runtime backend. Owned by whoever received it: close it exactly when done (close
 * is idempotent; any other use after close throws {@link IllegalStateException}). One thread at a time.
 */
public interface Tensor extends AutoCloseable {

    DType dtype();

    /** A copy of the shape. */
    long[] shape();

    Device device();

    default long numel() {
        return Shapes.numel(shape());
    }

    default long byteSize() {
        return Shapes.byteSize(shape(), dtype());
    }

    /**
     * A zero-copy view of the data of a contiguous CPU tensor, readable and writable, valid until this tensor is
     * closed (using it afterwards throws {@link IllegalStateException}). Throws
     * {@link io.github.promptonce.base.PromptonceException} with {@code INVALID_ARGUMENT} when the tensor is not on the
     * CPU or not contiguous: use {@link #copyTo(MemorySegment)} then.
     */
    MemorySegment data();

    /** Copies all elements (C order, this dtype) into {@code dst}, which must hold exactly {@link #byteSize()} bytes. */
    void copyTo(MemorySegment dst);

    /** A new tensor on {@code device} with {@code dtype} (shares storage when nothing changes). */
    Tensor to(Device device, DType dtype);

    /** Like {@link #to(Device, DType)}, with the copy queued on a CUDA stream. */
    Tensor to(Device device, DType dtype, Stream stream);

    default Tensor to(Device device) {
        return to(device, dtype());
    }

    /** The elements as floats; the tensor must be FLOAT32. */
    default float[] toFloatArray() {
        requireDType(DType.FLOAT32);
        float[] out = new float[Math.toIntExact(numel())];
        copyTo(MemorySegment.ofArray(out));
        return out;
    }

    /** The elements as longs; the tensor must be INT64. */
    default long[] toLongArray() {
        requireDType(DType.INT64);
        long[] out = new long[Math.toIntExact(numel())];
        copyTo(MemorySegment.ofArray(out));
        return out;
    }

    /** The elements as ints; the tensor must be INT32. */
    default int[] toIntArray() {
        requireDType(DType.INT32);
        int[] out = new int[Math.toIntExact(numel())];
        copyTo(MemorySegment.ofArray(out));
        return out;
    }

    /** The raw bytes (UINT8, BOOL, or any dtype's bytes in native order). */
    default byte[] toByteArray() {
        byte[] out = new byte[Math.toIntExact(byteSize())];
        copyTo(MemorySegment.ofArray(out));
        return out;
    }

    /** Throws SHAPE_MISMATCH unless this tensor has {@code expected} dtype. */
    default void requireDType(DType expected) {
        if (dtype() != expected) {
            throw new io.github.promptonce.base.PromptonceException(io.github.promptonce.base.ErrorCode.SHAPE_MISMATCH,
                    "tensor of shape " + Shapes.format(shape()) + " is " + dtype() + ", expected " + expected);
        }
    }

    boolean isClosed();

    @Override
    void close();
}
