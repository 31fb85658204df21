package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.Backend;
import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.runtime.BackendGuard;
import io.github.promptonce.runtime.DType;
import io.github.promptonce.runtime.Shapes;
import io.github.promptonce.runtime.Stream;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.TorchRuntime;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime backend over the LibTorch that the JavaCPP PyTorch presets bundle ({@code org.bytedeco:pytorch},
 * LibTorch 2.10 from Maven Central): no compiler, CMake or system LibTorch needed. Obtain it with
 * {@code TorchRuntimes.get(Backend.JAVACPP)} (or {@link #get()}); thread-safe. Behaves like the native backend:
 * same argument and result kinds, same error codes for the same situations, same lifetime rules.
 */
public final class JavacppRuntime implements TorchRuntime {
    private static final String PLATFORM_HINT = "the JavaCPP PyTorch presets need org.bytedeco:pytorch,"
            + " org.bytedeco:javacpp and org.bytedeco:openblas with their platform jars (classifier linux-x86_64) on the"
            + " class path; the Maven dependency io.github.promptonce:promptonce-javacpp brings them all";

    private static volatile JavacppRuntime instance;

    private final String torchVersion;
    private final String presetsVersion;
    private final boolean cudaCompiled;

    private JavacppRuntime() {
        String config = torch.show_config().getString();
        Package presets = torch.class.getPackage();
        this.presetsVersion = presets != null && presets.getImplementationVersion() != null
                ? presets.getImplementationVersion() : "unknown";
        Matcher m = Pattern.compile("TORCH_VERSION=([0-9][0-9.a-z+]*)").matcher(config);
        this.torchVersion = m.find() ? m.group(1) : presetsVersion.replaceFirst("-.*", "");
        this.cudaCompiled = config.matches("(?s).*USE_CUDA=(1|ON)\\b.*");
    }

    /**
     * Loads the JavaCPP LibTorch (once per JVM) and returns the runtime. Throws NATIVE_LIBRARY when it cannot be
     * loaded (with the reason and the fix), or when the native backend already holds this JVM.
     */
    public static JavacppRuntime get() {
        JavacppRuntime r = instance;
        if (r == null) {
            synchronized (JavacppRuntime.class) {
                r = instance;
                if (r == null) {
                    r = load();
                    instance = r;
                }
            }
        }
        return r;
    }

    private static JavacppRuntime load() {
        BackendGuard.claim(Backend.JAVACPP); // one LibTorch per JVM: refuse if the native layer's is loaded
        boolean nativeCodeLoaded = false;
        try {
            requireNativeAccess();
            limitJavacppMemoryChecks();
            ClassLoader loader = JavacppRuntime.class.getClassLoader();
            Class<?> torchClass;
            try {
                torchClass = Class.forName("org.bytedeco.pytorch.global.torch", false, loader);
            } catch (ClassNotFoundException e) {
                throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "cannot load the javacpp LibTorch backend:"
                        + " org.bytedeco.pytorch is not on the class path; " + PLATFORM_HINT, e);
            }
            extractLibraries(torchClass);
            nativeCodeLoaded = true;
            Loader.load(torchClass);
            disableNnpack();
            return new JavacppRuntime();
        } catch (PromptonceException e) {
            if (!nativeCodeLoaded) {
                BackendGuard.release(Backend.JAVACPP);
            }
            throw e;
        } catch (LinkageError | RuntimeException e) {
            if (!nativeCodeLoaded) {
                BackendGuard.release(Backend.JAVACPP);
            }
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "cannot load the javacpp LibTorch backend"
                    + " (JavaCPP platform " + Loader.getPlatform() + "): " + e + "; " + PLATFORM_HINT, e);
        }
    }

    /**
     * Extracts every library of the presets into JavaCPP's cache before the first one is loaded. JavaCPP extracts
     * lazily, one library at a time, and {@code libtorch.so} needs {@code libtorch_cpu.so}: on a cold cache the
     * dynamic loader, not finding it next to {@code libtorch.so} yet, takes the system's (Debian's
     * {@code libtorch-dev}, LibTorch 1.13) and the JVM crashes (SIGSEGV in pthread_mutex_lock). Extracted first, the
     * {@code $ORIGIN} run path finds the right one.
     */
    private static void extractLibraries(Class<?> torchClass) {
        String platform = Loader.getPlatform();
        for (String dir : new String[] {"/org/bytedeco/javacpp/", "/org/bytedeco/openblas/", "/org/bytedeco/pytorch/"}) {
            try {
                Loader.cacheResources(torchClass, dir + platform + "/");
            } catch (IOException e) {
                throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "cannot extract the JavaCPP libraries under "
                        + dir + platform + " to JavaCPP's cache (" + System.getProperty("user.home")
                        + "/.javacpp/cache unless -Dorg.bytedeco.javacpp.cachedir says otherwise): " + e.getMessage(),
                        e);
            }
        }
    }

    /**
     * Turns NNPACK off. LibTorch tries it for CPU convolutions and, where it cannot run (e.g. AMD CPUs without the
     * instructions it wants), prints "Could not initialize NNPACK! Reason: Unsupported hardware." among the user's
     * output, several times a slice; the convolutions then take the kernels they take without NNPACK anyway.
     * (Debian's LibTorch 1.13 of the native backend is built without NNPACK.)
     */
    private static void disableNnpack() {
        torch.globalContext().setUserEnabledNNPACK(false);
    }

    /**
     * JavaCPP refuses to allocate even a small object once the process's resident memory exceeds
     * {@code org.bytedeco.javacpp.maxPhysicalBytes} (by default the heap limit plus three times the heap), after
     * ten full GCs. LibTorch's tensors live outside the heap, so large volumes would hit that with a small heap:
     * unless the user set it, the check is turned off (LibTorch reports its own allocation failures, which become
     * OUT_OF_MEMORY).
     */
    private static void limitJavacppMemoryChecks() {
        if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null
                && System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        }
    }

    private static void requireNativeAccess() {
        Module module = JavacppRuntime.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            String target = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            throw new PromptonceException(ErrorCode.NATIVE_LIBRARY, "native access is not enabled for promptonce:"
                    + " add --enable-native-access=" + target + " to the java command line (or the manifest"
                    + " attribute 'Enable-Native-Access: ALL-UNNAMED' to an executable jar)");
        }
    }

    @Override
    public String name() {
        return Backend.JAVACPP.id();
    }

    @Override
    public String torchVersion() {
        return torchVersion;
    }

    /** The version of the JavaCPP PyTorch presets, e.g. {@code 2.10.0-1.5.13}. */
    public String presetsVersion() {
        return presetsVersion;
    }

    /** Whether the bundled LibTorch was built with CUDA (the {@code linux-x86_64-gpu} platform jars). */
    public boolean cudaCompiled() {
        return cudaCompiled;
    }

    @Override
    public int cudaDeviceCount() {
        try {
            return cudaCompiled ? torch.cuda_device_count() : 0;
        } catch (RuntimeException e) {
            throw TorchErrors.failure(e, "counting CUDA devices");
        }
    }

    @Override
    public int threads() {
        return torch.get_num_threads();
    }

    @Override
    public void setProcessThreads(int threads, int blasThreads) {
        requirePositive(threads);
        requirePositive(blasThreads);
        torch.set_num_threads(threads);
        OpenBlasThreads.set(blasThreads); // its pthread pool is not reached by torch.set_num_threads
    }

    @Override
    public void setThreadsHere(int threads) {
        requirePositive(threads);
        torch.get_num_threads(); // this thread's lazy initialisation from the process default happens first
        OpenMpThreads.setHere(threads);
    }

    private static void requirePositive(int threads) {
        if (threads < 1) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "thread count " + threads + " must be >= 1");
        }
    }

    @Override
    public TorchModule load(Path file, Device device, boolean optimize) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(device, "device");
        return JavacppModule.load(this, file, device, optimize);
    }

    @Override
    public Tensor tensor(MemorySegment data, DType dtype, long[] shape, Device device) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        Shapes.requireBytes(shape, dtype, data.byteSize(), "data");
        String what = "creating a " + dtype + " tensor of shape " + Shapes.format(shape) + " on " + device;
        checkDevice(device, what);
        long bytes = data.byteSize();
        // BOOL arrives as one byte per element, any non-zero byte meaning true: copied as UINT8, then converted by
        // LibTorch (non-zero -> 1), as the native layer does.
        DType stored = dtype == DType.BOOL ? DType.UINT8 : dtype;
        org.bytedeco.pytorch.Tensor t = null;
        try (InferenceMode guard = new InferenceMode();
             TensorOptions options = new TensorOptions(scalarType(stored))) {
            t = torch.empty(shape.clone(), options, null);
            if (bytes > 0) {
                MemorySegment.copy(data, 0, MemorySegment.ofAddress(t.data_ptr().address()).reinterpret(bytes), 0,
                        bytes);
            }
            if (dtype == DType.BOOL) {
                t = replace(t, t.to(ScalarType.Bool));
            }
            if (device.kind() != Device.Kind.CPU) {
                try (org.bytedeco.pytorch.Device target = torchDevice(device)) {
                    t = replace(t, t.to(target, scalarType(dtype), false, false, null));
                }
            }
            JavacppTensor result = new JavacppTensor(t);
            t = null;
            return result;
        } catch (RuntimeException e) {
            throw TorchErrors.failure(e, what);
        } finally {
            if (t != null) {
                t.deallocate();
            }
        }
    }

    @Override
    public Tensor empty(DType dtype, long[] shape, Device device) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(device, "device");
        Shapes.byteSize(shape, dtype);
        String what = "allocating a " + dtype + " tensor of shape " + Shapes.format(shape) + " on " + device;
        checkDevice(device, what);
        try (InferenceMode guard = new InferenceMode();
             TensorOptions dtypeOnly = new TensorOptions(scalarType(dtype));
             org.bytedeco.pytorch.Device target = torchDevice(device);
             DeviceOptional onDevice = new DeviceOptional(target);
             TensorOptions options = dtypeOnly.device(onDevice)) {
            return new JavacppTensor(torch.empty(shape.clone(), options, null));
        } catch (RuntimeException e) {
            throw TorchErrors.failure(e, what);
        }
    }

    @Override
    public Stream stream(Device device) {
        Objects.requireNonNull(device, "device");
        if (device.kind() != Device.Kind.CUDA) {
            throw new PromptonceException(ErrorCode.UNSUPPORTED_DEVICE, "streams exist on CUDA devices only, not on "
                    + device);
        }
        checkDevice(device, "creating a CUDA stream on " + device);
        throw new PromptonceException(ErrorCode.UNSUPPORTED_DEVICE, "creating a CUDA stream on " + device + ": the"
                + " javacpp backend does not support CUDA streams; call modules with callOn(null, ...) (the current"
                + " stream), or use the native backend built against a CUDA LibTorch");
    }

    @Override
    public String toString() {
        return "javacpp LibTorch " + torchVersion + " (org.bytedeco:pytorch " + presetsVersion + ", "
                + Loader.getPlatform() + (cudaCompiled ? ", CUDA" : ", CPU only") + ")";
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Throws UNSUPPORTED_DEVICE for a CUDA device this LibTorch does not have (mirrors po::parse_device). */
    void checkDevice(Device device, String what) {
        if (device.kind() == Device.Kind.CPU) {
            return;
        }
        if (!cudaCompiled) {
            throw new PromptonceException(ErrorCode.UNSUPPORTED_DEVICE, what + ": device " + device + " requested,"
                    + " but the javacpp backend's LibTorch " + torchVersion + " is a CPU-only build (the"
                    + " linux-x86_64-gpu platform jars of org.bytedeco:pytorch have CUDA)");
        }
        int count = cudaDeviceCount();
        if (device.index() >= count) {
            throw new PromptonceException(ErrorCode.UNSUPPORTED_DEVICE, what + ": device " + device
                    + " does not exist (" + count + " CUDA device(s) available)");
        }
    }

    /** A new LibTorch device; the caller closes it. */
    static org.bytedeco.pytorch.Device torchDevice(Device device) {
        return device.kind() == Device.Kind.CPU
                ? new org.bytedeco.pytorch.Device(DeviceType.CPU)
                : new org.bytedeco.pytorch.Device(DeviceType.CUDA, (byte) device.index());
    }

    static Device device(org.bytedeco.pytorch.Device device) {
        DeviceType type = device.type().intern(); // JavaCPP returns enums as fresh objects: intern before ==
        if (type == DeviceType.CPU) {
            return Device.CPU;
        }
        if (type == DeviceType.CUDA) {
            return Device.cuda(device.has_index() ? device.index() : 0);
        }
        throw new PromptonceException(ErrorCode.UNSUPPORTED_DEVICE, "tensor is on device type " + type
                + ", which promptonce has no code for");
    }

    static ScalarType scalarType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> ScalarType.Float;
            case BFLOAT16 -> ScalarType.BFloat16;
            case INT32 -> ScalarType.Int;
            case INT64 -> ScalarType.Long;
            case UINT8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
            case FLOAT16 -> ScalarType.Half;
            case FLOAT64 -> ScalarType.Double;
        };
    }

    /** The DType of a LibTorch scalar type, or null when promptonce has none. */
    static DType dtype(ScalarType type) {
        return switch (type.intern()) { // JavaCPP returns enums as fresh objects (ordinal 0): intern first
            case Float -> DType.FLOAT32;
            case BFloat16 -> DType.BFLOAT16;
            case Int -> DType.INT32;
            case Long -> DType.INT64;
            case Byte -> DType.UINT8;
            case Bool -> DType.BOOL;
            case Half -> DType.FLOAT16;
            case Double -> DType.FLOAT64;
            default -> null;
        };
    }

    /** Frees {@code old} (when it is a different object) and returns {@code next}. */
    static org.bytedeco.pytorch.Tensor replace(org.bytedeco.pytorch.Tensor old, org.bytedeco.pytorch.Tensor next) {
        if (old != next) {
            old.deallocate();
        }
        return next;
    }
}
