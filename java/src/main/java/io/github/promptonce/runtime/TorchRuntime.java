package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The small interface through which promptonce talks to LibTorch: load modules, move tensors in and out, call
 * methods, streams. Implemented over the native C layer ({@link NativeRuntime}); kept free of C-ABI details so
 * that another backend can implement it. Thread-safe.
 */
public interface TorchRuntime {

    /** Short backend name, e.g. {@code native}. */
    String name();

    /** The LibTorch version this backend runs, e.g. {@code 1.13.1}. */
    String torchVersion();

    /** Number of usable CUDA devices (0 without CUDA). */
    int cudaDeviceCount();

    /** LibTorch's intra-op thread count for work started from the calling thread. */
    int threads();

    /**
     * Sets the process-wide thread counts ({@code >= 1}): LibTorch's intra-op default for threads that have not set
     * their own, and the BLAS pool when the backend's BLAS is OpenBLAS (its pool is shared by every thread).
     * Process-wide state: {@link TorchRuntimes} calls it once, when it first hands the runtime out; the library
     * never calls it again (passes running at once would change each other's counts, and OpenBLAS's results
     * depend on its count).
     */
    void setProcessThreads(int threads, int blasThreads);

    /** {@link #setProcessThreads(int, int)} with the same count for both. */
    default void setProcessThreads(int threads) {
        setProcessThreads(threads, threads);
    }

    /**
     * Sets LibTorch's intra-op threads ({@code >= 1}) for work started from the calling thread only; nothing
     * process-wide changes, so threads running at once may each use their own count.
     */
    void setThreadsHere(int threads);

    /**
     * Loads a TorchScript file onto {@code device} in eval mode. With {@code optimize}, freezes and optimises it
     * for inference when the module allows (silently unoptimised otherwise).
     */
    TorchModule load(Path file, Device device, boolean optimize);

    /** A new tensor on {@code device} with a copy of {@code data} (exactly the bytes the shape needs, C order). */
    Tensor tensor(MemorySegment data, DType dtype, long[] shape, Device device);

    /** A new uninitialised contiguous tensor; fill a CPU one through {@link Tensor#data()} (zero-copy). */
    Tensor empty(DType dtype, long[] shape, Device device);

    /** A CUDA stream on {@code device}; UNSUPPORTED_DEVICE without CUDA. */
    Stream stream(Device device);

    default Tensor tensor(float[] data, long... shape) {
        return tensor(MemorySegment.ofArray(data), DType.FLOAT32, shape, Device.CPU);
    }

    default Tensor tensor(long[] data, long... shape) {
        return tensor(MemorySegment.ofArray(data), DType.INT64, shape, Device.CPU);
    }

    default Tensor tensor(int[] data, long... shape) {
        return tensor(MemorySegment.ofArray(data), DType.INT32, shape, Device.CPU);
    }

    default Tensor tensor(byte[] data, long... shape) {
        return tensor(MemorySegment.ofArray(data), DType.UINT8, shape, Device.CPU);
    }

    /** A BOOL tensor from booleans. */
    default Tensor tensor(boolean[] data, long... shape) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = (byte) (data[i] ? 1 : 0);
        }
        return tensor(MemorySegment.ofArray(bytes), DType.BOOL, shape, Device.CPU);
    }
}
