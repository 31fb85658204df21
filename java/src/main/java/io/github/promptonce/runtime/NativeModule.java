package io.github.promptonce.runtime;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** A {@code po_module} handle. Calls from many threads at once are safe (the native contract allows it). */
final class NativeModule extends NativeHandle implements TorchModule {
    // po_value_kind values
    private static final int NONE = 0, TENSOR = 1, INT = 2, DOUBLE = 3, BOOL = 4, TUPLE = 5, LIST = 6, STRING = 7;

    private final Device device;
    private volatile List<String> methods;

    NativeModule(MemorySegment handle, Device device) {
        super("module", handle, new Release(handle));
        this.device = device;
    }

    private record Release(MemorySegment handle) implements Runnable {
        @Override
        public void run() {
            NativeBindings.moduleFree(handle);
        }
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public List<String> methods() {
        List<String> m = methods;
        if (m == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = NativeStatus.newError(arena);
                MemorySegment count = arena.allocate(JAVA_INT);
                NativeStatus.check(NativeBindings.moduleMethodCount(handle(), count, err), err, "counting methods");
                MemorySegment buf = arena.allocate(1024);
                List<String> names = new ArrayList<>();
                for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                    NativeStatus.check(NativeBindings.moduleMethodName(handle(), i, buf, buf.byteSize(), err), err,
                            "reading method name " + i);
                    names.add(buf.getString(0));
                }
                m = Collections.unmodifiableList(names);
                methods = m;
            }
        }
        return m;
    }

    @Override
    public Tensor attribute(String name) {
        if (name == null) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "attribute name must not be null");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            NativeStatus.check(NativeBindings.moduleAttribute(handle(), arena.allocateFrom(name), out, err), err,
                    "reading attribute '" + name + "'");
            return new NativeTensor(out.get(ADDRESS, 0));
        }
    }

    @Override
    public Object call(String method, Object... args) {
        return callOn(null, method, args);
    }

    @Override
    public Object callOn(Stream stream, String method, Object... args) {
        if (method == null) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "method name must not be null");
        }
        Object[] arguments = args == null ? new Object[] {null} : args;
        MemorySegment streamHandle = stream == null ? MemorySegment.NULL : NativeStream.handleOf(stream);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = NativeStatus.newError(arena);
            MemorySegment out = arena.allocate(ADDRESS);
            NativeStatus.check(NativeBindings.argsCreate(out, err), err, "creating an argument list");
            MemorySegment argList = out.get(ADDRESS, 0);
            MemorySegment result;
            try {
                for (int i = 0; i < arguments.length; i++) {
                    addArgument(arena, argList, arguments[i], method, i, err);
                }
                int status = NativeBindings.moduleCall(handle(), arena.allocateFrom(method), argList, streamHandle,
                        out, err);
                NativeStatus.check(status, err, "calling " + method + "(" + Values.describeArguments(arguments) + ")");
                result = out.get(ADDRESS, 0);
            } finally {
                NativeBindings.valueFree(argList);
            }
            try {
                return convert(arena, result, err);
            } finally {
                NativeBindings.valueFree(result);
            }
        }
    }

    private static void addArgument(Arena arena, MemorySegment argList, Object arg, String method, int index,
                                    MemorySegment err) {
        String what = "argument " + index + " of " + method;
        int status;
        if (arg == null) {
            status = NativeBindings.argsAddNone(argList, err);
        } else if (arg instanceof Tensor t) {
            status = NativeBindings.argsAddTensor(argList, NativeTensor.handleOf(t, what), err);
        } else if (arg instanceof Integer || arg instanceof Long || arg instanceof Short || arg instanceof Byte) {
            status = NativeBindings.argsAddInt(argList, ((Number) arg).longValue(), err);
        } else if (arg instanceof Double || arg instanceof Float) {
            status = NativeBindings.argsAddDouble(argList, ((Number) arg).doubleValue(), err);
        } else if (arg instanceof Boolean b) {
            status = NativeBindings.argsAddBool(argList, b ? 1 : 0, err);
        } else if (arg instanceof long[] values) {
            status = NativeBindings.argsAddIntList(argList, MemorySegment.ofArray(values), values.length, err);
        } else if (arg instanceof int[] values) {
            long[] widened = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                widened[i] = values[i];
            }
            status = NativeBindings.argsAddIntList(argList, MemorySegment.ofArray(widened), widened.length, err);
        } else if (arg instanceof List<?> list) {
            MemorySegment handles = arena.allocate(ADDRESS, Math.max(1, list.size()));
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Tensor t)) {
                    throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + ": element " + i
                            + " of the list is " + Values.describe(list.get(i)) + ", expected a Tensor");
                }
                handles.setAtIndex(ADDRESS, i, NativeTensor.handleOf(t, what + " element " + i));
            }
            status = NativeBindings.argsAddTensorList(argList, handles, list.size(), err);
        } else {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + " is a " + arg.getClass().getName()
                    + "; expected Tensor, Integer/Long, Float/Double, Boolean, null, List<Tensor>, int[] or long[]");
        }
        NativeStatus.check(status, err, "adding " + what);
    }

    /** Converts a result value into Java objects; on failure closes the tensors created so far. */
    private static Object convert(Arena arena, MemorySegment value, MemorySegment err) {
        MemorySegment out = arena.allocate(JAVA_LONG); // 8 bytes: fits every scalar and a pointer
        NativeStatus.check(NativeBindings.valueKind(value, out, err), err, "reading a result's kind");
        int kind = out.get(JAVA_INT, 0);
        switch (kind) {
            case NONE:
                return null;
            case TENSOR:
                NativeStatus.check(NativeBindings.valueTensor(value, out, err), err, "reading a tensor result");
                return new NativeTensor(out.get(ADDRESS, 0));
            case INT:
                NativeStatus.check(NativeBindings.valueInt(value, out, err), err, "reading an int result");
                return out.get(JAVA_LONG, 0);
            case DOUBLE:
                NativeStatus.check(NativeBindings.valueDouble(value, out, err), err, "reading a float result");
                return out.get(JAVA_DOUBLE, 0);
            case BOOL:
                NativeStatus.check(NativeBindings.valueBool(value, out, err), err, "reading a bool result");
                return out.get(JAVA_INT, 0) != 0;
            case TUPLE:
            case LIST:
                return convertSequence(arena, value, err);
            default:
                throw new PromptonceException(ErrorCode.SHAPE_MISMATCH, "the method returned a "
                        + (kind == STRING ? "str" : "value of native kind " + kind)
                        + ", which promptonce does not convert (expected tensors, tuples, lists, int, float, bool)");
        }
    }

    private static List<Object> convertSequence(Arena arena, MemorySegment value, MemorySegment err) {
        MemorySegment out = arena.allocate(ADDRESS);
        MemorySegment size = arena.allocate(JAVA_INT);
        NativeStatus.check(NativeBindings.valueSize(value, size, err), err, "reading a result's length");
        List<Object> items = new ArrayList<>();
        try {
            for (int i = 0; i < size.get(JAVA_INT, 0); i++) {
                NativeStatus.check(NativeBindings.valueGet(value, i, out, err), err, "reading result element " + i);
                MemorySegment element = out.get(ADDRESS, 0);
                try {
                    items.add(convert(arena, element, err));
                } finally {
                    NativeBindings.valueFree(element);
                }
            }
        } catch (RuntimeException e) {
            Values.closeAll(items);
            throw e;
        }
        return Collections.unmodifiableList(items);
    }

}
