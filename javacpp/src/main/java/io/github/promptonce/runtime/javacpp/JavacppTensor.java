package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.RuntimeHandle;
import io.github.promptonce.runtime.Shapes;
import io.github.promptonce.runtime.Stream;
import io.github.promptonce.runtime.Tensor;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.global.torch.Layout;
import org.bytedeco.pytorch.global.torch.ScalarType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A tensor of the javacpp backend: owns one {@code org.bytedeco.pytorch.Tensor} (a C++ {@code at::Tensor}, i.e. one
 * reference to the storage). Metadata (dtype, shape, device) never changes and is read once, lazily. Data crosses as
 * MemorySegments over the tensor's own memory: bulk copies, never a per-element loop.
 */
final class JavacppTensor extends RuntimeHandle<org.bytedeco.pytorch.Tensor> implements Tensor {
    /** The arena scoping zero-copy views from {@link #data()}; closed before the tensor is freed. */
    private final AtomicReference<Arena> views;
    private DType dtype;
    private long[] shape;
    private Device device;

    /** Takes ownership of {@code tensor}. */
    JavacppTensor(org.bytedeco.pytorch.Tensor tensor) {
        this(own(tensor), new AtomicReference<>());
    }

    private JavacppTensor(org.bytedeco.pytorch.Tensor tensor, AtomicReference<Arena> views) {
        super("tensor", tensor, new Release(tensor, views));
        this.views = views;
    }

    /**
     * One extra JavaCPP reference, so that a {@code PointerScope} the caller may have open on this thread does not
     * free the tensor when it closes; {@link Release} frees it unconditionally.
     */
    private static org.bytedeco.pytorch.Tensor own(org.bytedeco.pytorch.Tensor tensor) {
        tensor.retainReference();
        return tensor;
    }

    private record Release(org.bytedeco.pytorch.Tensor tensor, AtomicReference<Arena> views) implements Runnable {
        @Override
        public void run() {
            Arena arena = views.getAndSet(null);
            if (arena != null) {
                arena.close(); // views now throw instead of reading freed memory
            }
            tensor.deallocate();
        }
    }

    /** The LibTorch tensor of a tensor of this backend, for a call. */
    static org.bytedeco.pytorch.Tensor handleOf(Tensor tensor, String what) {
        if (tensor instanceof JavacppTensor t) {
            return t.handle();
        }
        throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + " is a " + tensor.getClass().getName()
                + ", not a tensor of the javacpp backend");
    }

    @Override
    public DType dtype() {
        if (dtype == null) {
            ScalarType type = handle().scalar_type();
            DType d = JavacppRuntime.dtype(type);
            if (d == null) {
                throw new PromptonceException(ErrorCode.SHAPE_MISMATCH, "tensor has dtype " + type + ", which"
                        + " promptonce has no code for (convert it with Tensor.to or in the model)");
            }
            dtype = d;
        }
        return dtype;
    }

    @Override
    public long[] shape() {
        if (shape == null) {
            org.bytedeco.pytorch.Tensor t = handle();
            long[] dims = new long[(int) t.dim()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = t.size(i);
            }
            shape = dims;
        }
        return shape.clone();
    }

    @Override
    public Device device() {
        if (device == null) {
            try (org.bytedeco.pytorch.Device d = handle().device()) {
                device = JavacppRuntime.device(d);
            }
        }
        return device;
    }

    @Override
    public MemorySegment data() {
        org.bytedeco.pytorch.Tensor t = handle();
        long bytes = byteSize();
        String what = "viewing the data of a " + dtype() + " tensor of shape " + Shapes.format(shape()) + " on "
                + device();
        if (!t.is_cpu()) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + ": it is on " + device()
                    + ", not the CPU: use copyTo");
        }
        if (t.layout().intern() != Layout.Strided || !t.is_contiguous()) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + ": it is not contiguous (strides "
                    + strides(t) + "): use copyTo");
        }
        Arena viewArena = views.updateAndGet(a -> a != null ? a : Arena.ofShared());
        return MemorySegment.ofAddress(t.data_ptr().address()).reinterpret(bytes, viewArena, null);
    }

    @Override
    public void copyTo(MemorySegment dst) {
        if (dst == null) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "destination must not be null");
        }
        if (dst.isReadOnly()) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "destination segment is read-only");
        }
        Shapes.requireBytes(shape(), dtype(), dst.byteSize(), "destination");
        long bytes = dst.byteSize();
        if (bytes == 0) {
            return;
        }
        org.bytedeco.pytorch.Tensor t = handle();
        if (t.is_cpu() && t.layout().intern() == Layout.Strided && t.is_contiguous()) {
            MemorySegment.copy(MemorySegment.ofAddress(t.data_ptr().address()).reinterpret(bytes), 0, dst, 0, bytes);
            return;
        }
        org.bytedeco.pytorch.Tensor src = t;
        try (InferenceMode guard = new InferenceMode()) {
            if (!src.is_cpu()) {
                try (org.bytedeco.pytorch.Device cpu = JavacppRuntime.torchDevice(Device.CPU)) {
                    src = swap(t, src, src.to(cpu, src.scalar_type(), false, false, null)); // synchronous
                }
            }
            if (src.layout().intern() != Layout.Strided) {
                src = swap(t, src, src.to_dense());
            }
            src = swap(t, src, src.contiguous());
            MemorySegment.copy(MemorySegment.ofAddress(src.data_ptr().address()).reinterpret(bytes), 0, dst, 0,
                    bytes);
        } catch (RuntimeException e) {
            throw TorchErrors.failure(e, "copying a " + dtype() + " tensor of shape " + Shapes.format(shape()) + " out");
        } finally {
            if (src != t) {
                src.deallocate();
            }
        }
    }

    /** Frees {@code current} unless it is the tensor itself; returns {@code next}. */
    private static org.bytedeco.pytorch.Tensor swap(org.bytedeco.pytorch.Tensor self, org.bytedeco.pytorch.Tensor current,
                                                     org.bytedeco.pytorch.Tensor next) {
        if (current != self && current != next) {
            current.deallocate();
        }
        return next;
    }

    @Override
    public Tensor to(Device target, DType targetDtype) {
        return to(target, targetDtype, null);
    }

    @Override
    public Tensor to(Device target, DType targetDtype, Stream stream) {
        if (target == null || targetDtype == null) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "target device and dtype must not be null");
        }
        org.bytedeco.pytorch.Tensor t = handle();
        if (stream != null) {
            throw JavacppModule.foreignStream(stream);
        }
        String what = "moving a tensor to " + target + " as " + targetDtype;
        JavacppRuntime.get().checkDevice(target, what);
        try (InferenceMode guard = new InferenceMode();
             org.bytedeco.pytorch.Device device = JavacppRuntime.torchDevice(target)) {
            return new JavacppTensor(t.to(device, JavacppRuntime.scalarType(targetDtype), false, false, null));
        } catch (RuntimeException e) {
            throw TorchErrors.failure(e, what);
        }
    }

    private static String strides(org.bytedeco.pytorch.Tensor t) {
        if (t.layout().intern() != Layout.Strided) {
            return "none";
        }
        long[] strides = new long[(int) t.dim()];
        for (int i = 0; i < strides.length; i++) {
            strides[i] = t.stride(i);
        }
        return Shapes.format(strides);
    }

    @Override
    public String toString() {
        return isClosed() ? "Tensor(closed)" : "Tensor(" + dtype() + " " + Shapes.format(shape()) + " on " + device() + ")";
    }
}
