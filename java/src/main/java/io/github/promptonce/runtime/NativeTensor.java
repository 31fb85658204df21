package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** A {@code po_tensor} handle. Metadata (dtype, shape, device) never changes and is read once, lazily. */
final class NativeTensor extends NativeHandle implements Tensor {
    /** The arena scoping zero-copy views from {@link #data()}; closed before the tensor is freed. */
    private final AtomicReference<Arena> views;
    private DType dtype;
    private long[] shape;
    private Device device;

    NativeTensor(MemorySegment handle) {
        this(handle, new AtomicReference<>());
    }

    private NativeTensor(MemorySegment handle, AtomicReference<Arena> views) {
        super("tensor", handle, new Release(handle, views));
        this.views = views;
    }

    private record Release(MemorySegment handle, AtomicReference<Arena> views) implements Runnable {
        @Override
        public void run() {
            Arena arena = views.getAndSet(null);
            if (arena != null) {
                arena.close(); // views now throw instead of reading freed memory
            }
            NativeBindings.tensorFree(handle);
        }
    }

    /** The handle of a tensor of this backend, for a downcall. */
    static MemorySegment handleOf(Tensor tensor, String what) {
        if (tensor instanceof NativeTensor n) {
            return n.handle();
        }
        throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + " is a " + tensor.getClass().getName()
                + ", not a tensor of the native backend");
    }

    @Override
    public DType dtype() {
        if (dtype == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = NativeStatus.newError(arena);
                MemorySegment out = arena.allocate(JAVA_INT);
                NativeStatus.check(NativeBindings.tensorDtype(handle(), out, err), err, "reading a tensor's dtype");
                dtype = DType.fromNative(out.get(JAVA_INT, 0));
            }
        }
        return dtype;
    }

    @Override
    public long[] shape() {
        if (shape == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = NativeStatus.newError(arena);
                MemorySegment rank = arena.allocate(JAVA_INT);
                NativeStatus.check(NativeBindings.tensorRank(handle(), rank, err), err, "reading a tensor's rank");
                long[] dims = new long[rank.get(JAVA_INT, 0)];
                NativeStatus.check(NativeBindings.tensorShape(handle(), MemorySegment.ofArray(dims), dims.length, err),
                        err, "reading a tensor's shape");
                shape = dims;
            }
        }
        return shape.clone();
    }

    @Override
    public Device device() {
        if (device == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = NativeStatus.newError(arena);
                MemorySegment type = arena.allocate(JAVA_INT);
                MemorySegment index = arena.allocate(JAVA_INT);
                NativeStatus.check(NativeBindings.tensorDevice(handle(), type, index, err), err,
                        "reading a tensor's device");
                device = NativeRuntime.device(type.get(JAVA_INT, 0), index.get(JAVA_INT, 0));
            }
        }
        return device;
    }

    @Override
    public MemorySegment data() {
        long bytes = byteSize();
        MemorySegment pointer;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            NativeStatus.check(NativeBindings.tensorDataPtr(handle(), out, err), err,
                    "viewing the data of a " + dtype() + " tensor of shape " + Shapes.format(shape()) + " on "
                            + device());
            pointer = out.get(ADDRESS, 0);
        }
        Arena viewArena = views.updateAndGet(a -> a != null ? a : Arena.ofShared());
        return pointer.reinterpret(bytes, viewArena, null);
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            NativeStatus.check(NativeBindings.tensorCopyTo(handle(), dst, dst.byteSize(), err), err,
                    "copying a " + dtype() + " tensor of shape " + Shapes.format(shape()) + " out");
        }
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
        MemorySegment streamHandle = stream == null ? MemorySegment.NULL : NativeStream.handleOf(stream);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            int status = NativeBindings.tensorTo(handle(), NativeRuntime.deviceType(target), target.index(),
                    targetDtype.nativeCode(), streamHandle, out, err);
            NativeStatus.check(status, err, "moving a tensor to " + target + " as " + targetDtype);
            return new NativeTensor(out.get(ADDRESS, 0));
        }
    }

    @Override
    public String toString() {
        return isClosed() ? "Tensor(closed)" : "Tensor(" + dtype() + " " + Shapes.format(shape()) + " on " + device() + ")";
    }
}
