package io.github.promptonce.runtime;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The runtime backend over promptonce's own native library ({@code libpromptonce.so}, linked against a system or
 * official LibTorch). Obtain it with {@link #get()}; thread-safe.
 */
public final class NativeRuntime implements TorchRuntime {
    private static volatile NativeRuntime instance;

    private final Path libraryFile;
    private final String torchVersion;

    private NativeRuntime(Path libraryFile) {
        this.libraryFile = libraryFile;
        int abi = NativeBindings.abiVersion();
        if (abi != NativeBindings.ABI_VERSION) {
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "native library " + libraryFile
                    + " has ABI version " + abi + " but this jar needs " + NativeBindings.ABI_VERSION
                    + ": rebuild it from the same sources (mvn -B package)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment buf = arena.allocate(128);
            NativeStatus.check(NativeBindings.torchVersion(buf, buf.byteSize(), err), err, "reading the LibTorch version");
            this.torchVersion = buf.getString(0);
        }
    }

    /**
     * Loads the native library (once per JVM) and returns the runtime; throws NATIVE_LIBRARY with the paths tried, or
     * when another backend already holds this JVM ({@link BackendGuard}). Prefer {@link TorchRuntimes#get(Backend)}.
     */
    public static NativeRuntime get() {
        NativeRuntime r = instance;
        if (r == null) {
            synchronized (NativeRuntime.class) {
                r = instance;
                if (r == null) {
                    BackendGuard.claim(Backend.NATIVE); // one LibTorch per JVM: refuse if JavaCPP's is loaded
                    Path library;
                    try {
                        library = NativeLibraryLoader.load();
                    } catch (RuntimeException e) {
                        BackendGuard.release(Backend.NATIVE); // nothing was loaded: another backend may still run
                        throw e;
                    }
                    r = new NativeRuntime(library);
                    instance = r;
                }
            }
        }
        return r;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public String torchVersion() {
        return torchVersion;
    }

    /** The file {@code libpromptonce.so} was loaded from. */
    public Path libraryFile() {
        return libraryFile;
    }

    /** Whether the native library was compiled against a LibTorch with CUDA. */
    public boolean cudaCompiled() {
        return NativeBindings.cudaCompiled() != 0;
    }

    @Override
    public int cudaDeviceCount() {
        return readInt((out, err) -> NativeBindings.cudaDeviceCount(out, err), "counting CUDA devices");
    }

    @Override
    public int threads() {
        return readInt((out, err) -> NativeBindings.getNumThreads(out, err), "reading the thread count");
    }

    @Override
    public void setProcessThreads(int threads, int blasThreads) {
        requirePositive(threads);
        requirePositive(blasThreads);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            NativeStatus.check(NativeBindings.setNumThreads(threads, err), err, "setting " + threads + " threads");
            MemorySegment applied = arena.allocate(ValueLayout.JAVA_INT);
            NativeStatus.check(NativeBindings.setBlasNumThreads(blasThreads, applied, err), err,
                    "setting " + blasThreads + " BLAS threads");
        }
    }

    @Override
    public void setThreadsHere(int threads) {
        requirePositive(threads);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            NativeStatus.check(NativeBindings.setThreadNumThreads(threads, err), err,
                    "setting " + threads + " threads on this thread");
        }
    }

    private static void requirePositive(int threads) {
        if (threads < 1) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "thread count " + threads + " must be >= 1");
        }
    }

    /** Calls {@code po_noop} with an error buffer from a per-call arena: the cost of one checked native call. */
    public void noop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            NativeStatus.check(NativeBindings.noop(err), err, "po_noop");
        }
    }

    /** Calls {@code po_noop} with no error buffer: the bare cost of a downcall. */
    public int noopUnchecked() {
        return NativeBindings.noop(MemorySegment.NULL);
    }

    @Override
    public TorchModule load(Path file, Device device, boolean optimize) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(device, "device");
        // Checked here too so that the message names the path as the user gave it.
        if (!Files.exists(file)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "model file not found: " + file);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            int status = NativeBindings.moduleLoad(arena.allocateFrom(file.toAbsolutePath().toString()),
                    deviceType(device), device.index(), optimize ? 1 : 0, out, err);
            NativeStatus.check(status, err, "loading TorchScript module " + file + " onto " + device);
            return new NativeModule(out.get(ADDRESS, 0), device);
        }
    }

    @Override
    public Tensor tensor(MemorySegment data, DType dtype, long[] shape, Device device) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        Shapes.requireBytes(shape, dtype, data.byteSize(), "data");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            int status = NativeBindings.tensorFromData(data, data.byteSize(), dtype.nativeCode(),
                    MemorySegment.ofArray(shape.clone()), shape.length, deviceType(device), device.index(), out, err);
            NativeStatus.check(status, err, "creating a " + dtype + " tensor of shape " + Shapes.format(shape)
                    + " on " + device);
            return new NativeTensor(out.get(ADDRESS, 0));
        }
    }

    @Override
    public Tensor empty(DType dtype, long[] shape, Device device) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        Shapes.byteSize(shape, dtype);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            int status = NativeBindings.tensorEmpty(dtype.nativeCode(), MemorySegment.ofArray(shape.clone()),
                    shape.length, deviceType(device), device.index(), out, err);
            NativeStatus.check(status, err, "allocating a " + dtype + " tensor of shape " + Shapes.format(shape)
                    + " on " + device);
            return new NativeTensor(out.get(ADDRESS, 0));
        }
    }

    @Override
    public Stream stream(Device device) {
        Objects.requireNonNull(device, "device");
        if (device.kind() != Device.Kind.CUDA) {
            throw new PromptonceException(ErrorCode.UNSUPPORTED_DEVICE, "streams exist on CUDA devices only, not on "
                    + device);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            NativeStatus.check(NativeBindings.streamCreate(device.index(), out, err), err,
                    "creating a CUDA stream on " + device);
            return new NativeStream(out.get(ADDRESS, 0), device);
        }
    }

    @Override
    public String toString() {
        return "native LibTorch " + torchVersion + " (" + libraryFile + ")";
    }

    static int deviceType(Device device) {
        return device.kind() == Device.Kind.CPU ? 0 : 1;
    }

    static Device device(int type, int index) {
        return switch (type) {
            case 0 -> Device.CPU;
            case 1 -> Device.cuda(index);
            default -> throw new PromptonceException(ErrorCode.INTERNAL, "unknown native device type " + type);
        };
    }

    private interface IntQuery {
        int call(MemorySegment out, MemorySegment err);
    }

    private static int readInt(IntQuery query, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(JAVA_INT);
            NativeStatus.check(query.call(out, err), err, what);
            return out.get(JAVA_INT, 0);
        }
    }
}
