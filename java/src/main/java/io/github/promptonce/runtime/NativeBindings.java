package io.github.promptonce.runtime;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Every downcall handle of promptonce, one per function of {@code native/include/promptonce.h}, built once.
 * The library must have been loaded (by {@link NativeLibraryLoader}) before this class is initialised.
 *
 * <p>Functions that take caller buffers have a second, "critical" handle that accepts heap segments (Java arrays)
 * without an intermediate copy; those functions only copy memory and never call back into Java.
 */
final class NativeBindings {
    private NativeBindings() {
    }

    /** {@code po_error}: int32 code + char message[PO_ERROR_MESSAGE_SIZE]. */
    static final int ERROR_MESSAGE_SIZE = 1024;
    static final MemoryLayout PO_ERROR = MemoryLayout.structLayout(
            JAVA_INT.withName("code"),
            MemoryLayout.sequenceLayout(ERROR_MESSAGE_SIZE, java.lang.foreign.ValueLayout.JAVA_BYTE).withName("message"));
    /** The ABI version these bindings were written for ({@code PO_ABI_VERSION}). */
    static final int ABI_VERSION = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = SymbolLookup.loaderLookup();
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    private static MethodHandle h(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new PromptonceException(ErrorCode.NATIVE_LIBRARY,
                "the loaded promptonce library has no symbol " + name + ": it is older or newer than this jar"));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static FunctionDescriptor status(java.lang.foreign.MemoryLayout... args) {
        return FunctionDescriptor.of(JAVA_INT, args);
    }

    private static FunctionDescriptor voidOf(java.lang.foreign.MemoryLayout... args) {
        return FunctionDescriptor.ofVoid(args);
    }

    // Runtime
    static final MethodHandle ABI_VERSION_FN = h("po_abi_version", status());
    static final MethodHandle NOOP = h("po_noop", status(ADDRESS));
    static final MethodHandle TORCH_VERSION = h("po_torch_version", status(ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle CUDA_COMPILED = h("po_cuda_compiled", status());
    static final MethodHandle CUDA_DEVICE_COUNT = h("po_cuda_device_count", status(ADDRESS, ADDRESS));
    static final MethodHandle SET_NUM_THREADS = h("po_set_num_threads", status(JAVA_INT, ADDRESS));
    static final MethodHandle GET_NUM_THREADS = h("po_get_num_threads", status(ADDRESS, ADDRESS));
    static final MethodHandle SET_THREAD_NUM_THREADS = h("po_set_thread_num_threads", status(JAVA_INT, ADDRESS));
    static final MethodHandle SET_BLAS_NUM_THREADS = h("po_set_blas_num_threads", status(JAVA_INT, ADDRESS, ADDRESS));

    // Modules
    static final MethodHandle MODULE_LOAD = h("po_module_load",
            status(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle MODULE_FREE = h("po_module_free", voidOf(ADDRESS));
    static final MethodHandle MODULE_METHOD_COUNT = h("po_module_method_count", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle MODULE_METHOD_NAME = h("po_module_method_name",
            status(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle MODULE_ATTRIBUTE = h("po_module_attribute", status(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle MODULE_CALL = h("po_module_call",
            status(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    // Tensors
    private static final FunctionDescriptor FROM_DATA = status(ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle TENSOR_FROM_DATA = h("po_tensor_from_data", FROM_DATA);
    static final MethodHandle TENSOR_FROM_DATA_CRITICAL = h("po_tensor_from_data", FROM_DATA, CRITICAL);
    private static final FunctionDescriptor EMPTY = status(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
            ADDRESS);
    static final MethodHandle TENSOR_EMPTY = h("po_tensor_empty", EMPTY, CRITICAL);
    static final MethodHandle TENSOR_FREE = h("po_tensor_free", voidOf(ADDRESS));
    static final MethodHandle TENSOR_DTYPE = h("po_tensor_dtype", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle TENSOR_RANK = h("po_tensor_rank", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle TENSOR_SHAPE = h("po_tensor_shape", status(ADDRESS, ADDRESS, JAVA_INT, ADDRESS), CRITICAL);
    static final MethodHandle TENSOR_DEVICE = h("po_tensor_device", status(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle TENSOR_DATA_PTR = h("po_tensor_data_ptr", status(ADDRESS, ADDRESS, ADDRESS));
    private static final FunctionDescriptor COPY_TO = status(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    static final MethodHandle TENSOR_COPY_TO = h("po_tensor_copy_to", COPY_TO);
    static final MethodHandle TENSOR_COPY_TO_CRITICAL = h("po_tensor_copy_to", COPY_TO, CRITICAL);
    static final MethodHandle TENSOR_TO = h("po_tensor_to",
            status(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    // Values
    static final MethodHandle ARGS_CREATE = h("po_args_create", status(ADDRESS, ADDRESS));
    static final MethodHandle ARGS_ADD_TENSOR = h("po_args_add_tensor", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle ARGS_ADD_INT = h("po_args_add_int", status(ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle ARGS_ADD_DOUBLE = h("po_args_add_double", status(ADDRESS, JAVA_DOUBLE, ADDRESS));
    static final MethodHandle ARGS_ADD_BOOL = h("po_args_add_bool", status(ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle ARGS_ADD_NONE = h("po_args_add_none", status(ADDRESS, ADDRESS));
    static final MethodHandle ARGS_ADD_TENSOR_LIST = h("po_args_add_tensor_list",
            status(ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle ARGS_ADD_INT_LIST = h("po_args_add_int_list",
            status(ADDRESS, ADDRESS, JAVA_INT, ADDRESS), CRITICAL);
    static final MethodHandle VALUE_FREE = h("po_value_free", voidOf(ADDRESS));
    static final MethodHandle VALUE_KIND = h("po_value_kind", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle VALUE_SIZE = h("po_value_size", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle VALUE_GET = h("po_value_get", status(ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle VALUE_TENSOR = h("po_value_tensor", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle VALUE_INT = h("po_value_int", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle VALUE_DOUBLE = h("po_value_double", status(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle VALUE_BOOL = h("po_value_bool", status(ADDRESS, ADDRESS, ADDRESS));

    // Streams
    static final MethodHandle STREAM_CREATE = h("po_stream_create", status(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle STREAM_FREE = h("po_stream_free", voidOf(ADDRESS));
    static final MethodHandle STREAM_SYNCHRONIZE = h("po_stream_synchronize", status(ADDRESS, ADDRESS));

    /** Wraps a Throwable from invokeExact (never expected: the handles' types are fixed above). */
    static PromptonceException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new PromptonceException(ErrorCode.INTERNAL, "native call failed: " + t, t);
    }

    // Typed wrappers: invokeExact needs the exact static types of each descriptor.

    static int abiVersion() {
        try {
            return (int) ABI_VERSION_FN.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int noop(MemorySegment err) {
        try {
            return (int) NOOP.invokeExact(err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int torchVersion(MemorySegment buf, long size, MemorySegment err) {
        try {
            return (int) TORCH_VERSION.invokeExact(buf, size, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int cudaCompiled() {
        try {
            return (int) CUDA_COMPILED.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int cudaDeviceCount(MemorySegment out, MemorySegment err) {
        try {
            return (int) CUDA_DEVICE_COUNT.invokeExact(out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setNumThreads(int n, MemorySegment err) {
        try {
            return (int) SET_NUM_THREADS.invokeExact(n, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setThreadNumThreads(int n, MemorySegment err) {
        try {
            return (int) SET_THREAD_NUM_THREADS.invokeExact(n, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setBlasNumThreads(int n, MemorySegment applied, MemorySegment err) {
        try {
            return (int) SET_BLAS_NUM_THREADS.invokeExact(n, applied, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getNumThreads(MemorySegment out, MemorySegment err) {
        try {
            return (int) GET_NUM_THREADS.invokeExact(out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int moduleLoad(MemorySegment path, int deviceType, int deviceIndex, int flags, MemorySegment out, MemorySegment err) {
        try {
            return (int) MODULE_LOAD.invokeExact(path, deviceType, deviceIndex, flags, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void moduleFree(MemorySegment module) {
        try {
            MODULE_FREE.invokeExact(module);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int moduleMethodCount(MemorySegment module, MemorySegment out, MemorySegment err) {
        try {
            return (int) MODULE_METHOD_COUNT.invokeExact(module, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int moduleMethodName(MemorySegment module, int index, MemorySegment buf, long size, MemorySegment err) {
        try {
            return (int) MODULE_METHOD_NAME.invokeExact(module, index, buf, size, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int moduleAttribute(MemorySegment module, MemorySegment name, MemorySegment out, MemorySegment err) {
        try {
            return (int) MODULE_ATTRIBUTE.invokeExact(module, name, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int moduleCall(MemorySegment module, MemorySegment name, MemorySegment args, MemorySegment stream, MemorySegment out, MemorySegment err) {
        try {
            return (int) MODULE_CALL.invokeExact(module, name, args, stream, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tensorEmpty(int dtype, MemorySegment shape, int rank, int deviceType, int deviceIndex, MemorySegment out, MemorySegment err) {
        try {
            return (int) TENSOR_EMPTY.invokeExact(dtype, shape, rank, deviceType, deviceIndex, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void tensorFree(MemorySegment tensor) {
        try {
            TENSOR_FREE.invokeExact(tensor);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tensorDtype(MemorySegment tensor, MemorySegment out, MemorySegment err) {
        try {
            return (int) TENSOR_DTYPE.invokeExact(tensor, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tensorRank(MemorySegment tensor, MemorySegment out, MemorySegment err) {
        try {
            return (int) TENSOR_RANK.invokeExact(tensor, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tensorShape(MemorySegment tensor, MemorySegment out, int capacity, MemorySegment err) {
        try {
            return (int) TENSOR_SHAPE.invokeExact(tensor, out, capacity, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tensorDevice(MemorySegment tensor, MemorySegment type, MemorySegment index, MemorySegment err) {
        try {
            return (int) TENSOR_DEVICE.invokeExact(tensor, type, index, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tensorDataPtr(MemorySegment tensor, MemorySegment out, MemorySegment err) {
        try {
            return (int) TENSOR_DATA_PTR.invokeExact(tensor, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int tensorTo(MemorySegment tensor, int deviceType, int deviceIndex, int dtype, MemorySegment stream, MemorySegment out, MemorySegment err) {
        try {
            return (int) TENSOR_TO.invokeExact(tensor, deviceType, deviceIndex, dtype, stream, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsCreate(MemorySegment out, MemorySegment err) {
        try {
            return (int) ARGS_CREATE.invokeExact(out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsAddTensor(MemorySegment args, MemorySegment tensor, MemorySegment err) {
        try {
            return (int) ARGS_ADD_TENSOR.invokeExact(args, tensor, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsAddInt(MemorySegment args, long value, MemorySegment err) {
        try {
            return (int) ARGS_ADD_INT.invokeExact(args, value, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsAddDouble(MemorySegment args, double value, MemorySegment err) {
        try {
            return (int) ARGS_ADD_DOUBLE.invokeExact(args, value, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsAddBool(MemorySegment args, int value, MemorySegment err) {
        try {
            return (int) ARGS_ADD_BOOL.invokeExact(args, value, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsAddNone(MemorySegment args, MemorySegment err) {
        try {
            return (int) ARGS_ADD_NONE.invokeExact(args, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsAddTensorList(MemorySegment args, MemorySegment tensors, int count, MemorySegment err) {
        try {
            return (int) ARGS_ADD_TENSOR_LIST.invokeExact(args, tensors, count, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int argsAddIntList(MemorySegment args, MemorySegment values, int count, MemorySegment err) {
        try {
            return (int) ARGS_ADD_INT_LIST.invokeExact(args, values, count, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void valueFree(MemorySegment value) {
        try {
            VALUE_FREE.invokeExact(value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int valueKind(MemorySegment value, MemorySegment out, MemorySegment err) {
        try {
            return (int) VALUE_KIND.invokeExact(value, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int valueSize(MemorySegment value, MemorySegment out, MemorySegment err) {
        try {
            return (int) VALUE_SIZE.invokeExact(value, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int valueGet(MemorySegment value, int index, MemorySegment out, MemorySegment err) {
        try {
            return (int) VALUE_GET.invokeExact(value, index, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int valueTensor(MemorySegment value, MemorySegment out, MemorySegment err) {
        try {
            return (int) VALUE_TENSOR.invokeExact(value, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int valueInt(MemorySegment value, MemorySegment out, MemorySegment err) {
        try {
            return (int) VALUE_INT.invokeExact(value, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int valueDouble(MemorySegment value, MemorySegment out, MemorySegment err) {
        try {
            return (int) VALUE_DOUBLE.invokeExact(value, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int valueBool(MemorySegment value, MemorySegment out, MemorySegment err) {
        try {
            return (int) VALUE_BOOL.invokeExact(value, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int streamCreate(int deviceIndex, MemorySegment out, MemorySegment err) {
        try {
            return (int) STREAM_CREATE.invokeExact(deviceIndex, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void streamFree(MemorySegment stream) {
        try {
            STREAM_FREE.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int streamSynchronize(MemorySegment stream, MemorySegment err) {
        try {
            return (int) STREAM_SYNCHRONIZE.invokeExact(stream, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** po_tensor_from_data; heap segments (Java arrays) go through the critical handle, without a copy. */
    static int tensorFromData(MemorySegment data, long bytes, int dtype, MemorySegment shape, int rank,
                              int deviceType, int deviceIndex, MemorySegment out, MemorySegment err) {
        try {
            if (data.isNative() && shape.isNative()) {
                return (int) TENSOR_FROM_DATA.invokeExact(data, bytes, dtype, shape, rank, deviceType, deviceIndex,
                        out, err);
            }
            return (int) TENSOR_FROM_DATA_CRITICAL.invokeExact(data, bytes, dtype, shape, rank, deviceType,
                    deviceIndex, out, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** po_tensor_copy_to; a heap destination goes through the critical handle, without a copy. */
    static int tensorCopyTo(MemorySegment tensor, MemorySegment dst, long bytes, MemorySegment err) {
        try {
            if (dst.isNative()) {
                return (int) TENSOR_COPY_TO.invokeExact(tensor, dst, bytes, err);
            }
            return (int) TENSOR_COPY_TO_CRITICAL.invokeExact(tensor, dst, bytes, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
