package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.Device;
import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.runtime.RuntimeHandle;
import io.github.promptonce.runtime.Shapes;
import io.github.promptonce.runtime.Stream;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.Values;
import org.bytedeco.pytorch.Argument;
import org.bytedeco.pytorch.ClassType;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.FunctionSchema;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.ListType;
import org.bytedeco.pytorch.Method;
import org.bytedeco.pytorch.MethodOptional;
import org.bytedeco.pytorch.Obj;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.StringVectorOptional;
import org.bytedeco.pytorch.TupleElements;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A TorchScript module of the javacpp backend. Immutable after loading, so many threads may call it at once (as
 * with the native layer): each call builds its own stack and runs under its own {@code InferenceMode} guard.
 */
final class JavacppModule extends RuntimeHandle<JavacppModule.Loaded> implements TorchModule {
    /** Element types of List[Tensor] and List[int] arguments (the schema check compares them). */
    private static final Type.TypePtr TENSOR_TYPE;
    private static final Type.TypePtr INT_TYPE;

    static {
        try (ListType tensors = ListType.ofTensors(); ListType ints = ListType.ofInts()) {
            TENSOR_TYPE = new Type.TypePtr(tensors.getElementType());
            INT_TYPE = new Type.TypePtr(ints.getElementType());
        }
    }

    /** One method, filled at load time (its schema is read now: building it lazily is not thread-safe). */
    record MethodInfo(String name, Method method, String signature, int maxArgs, int requiredArgs) {
    }

    /** Everything a loaded module owns; released together. */
    record Loaded(JitModule module, JitModule original, Map<String, MethodInfo> methods, List<String> names) {
    }

    private final Device device;

    private JavacppModule(Loaded loaded, Device device) {
        super("module", loaded, new Release(loaded));
        this.device = device;
    }

    private record Release(Loaded loaded) implements Runnable {
        @Override
        public void run() {
            for (MethodInfo m : loaded.methods().values()) {
                m.method().deallocate();
            }
            if (loaded.module() != loaded.original()) {
                loaded.module().deallocate();
            }
            loaded.original().deallocate();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Loading (po_module_load)
    // ---------------------------------------------------------------------------------------------------------------

    static JavacppModule load(JavacppRuntime runtime, Path file, Device device, boolean optimize) {
        // Checked here too so that the message names the path as the user gave it.
        if (!Files.exists(file)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, "model file not found: " + file);
        }
        String what = "loading TorchScript module " + file + " onto " + device;
        Path abs = file.toAbsolutePath();
        runtime.checkDevice(device, what);
        if (Files.isDirectory(abs)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, what + ": not a file but a directory: " + abs);
        }
        if (!Files.isRegularFile(abs)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, what + ": not a regular file: " + abs);
        }
        if (!Files.isReadable(abs)) {
            throw new PromptonceException(ErrorCode.FILE_NOT_FOUND, what + ": file cannot be read: " + abs);
        }
        JitModule original;
        try (org.bytedeco.pytorch.Device target = JavacppRuntime.torchDevice(device);
             DeviceOptional onDevice = new DeviceOptional(target)) {
            original = torch.load(abs.toString(), onDevice, true);
        } catch (RuntimeException e) {
            String m = TorchErrors.message(e);
            if (TorchErrors.looksLikeOutOfMemory(m)) {
                throw new PromptonceException(ErrorCode.OUT_OF_MEMORY, what + ": " + m, e);
            }
            throw new PromptonceException(ErrorCode.BAD_MODEL, what + ": not a loadable TorchScript module: " + abs
                    + ": " + m, e);
        }
        try {
            original.eval();
            List<String> names = methodNames(original);
            Loaded loaded = null;
            if (optimize) {
                loaded = optimized(original, names);
            }
            if (loaded == null) {
                Map<String, MethodInfo> methods = collectMethods(original, names);
                if (methods == null) {
                    throw new PromptonceException(ErrorCode.BAD_MODEL, what + ": module " + abs
                            + " lists methods it cannot find");
                }
                loaded = new Loaded(original, original, methods, Collections.unmodifiableList(names));
            }
            return new JavacppModule(loaded, device);
        } catch (RuntimeException e) {
            original.deallocate();
            throw TorchErrors.failure(e, what);
        }
    }

    private static List<String> methodNames(JitModule module) {
        Method all = module.get_methods();
        try {
            List<String> names = new ArrayList<>();
            for (long i = 0; i < all.capacity(); i++) {
                Method method = all.getPointer(i);
                names.add(method.name().getString());
            }
            return names;
        } finally {
            all.deallocate();
        }
    }

    /**
     * torch.jit.freeze (keeping every method, not only forward) then optimize_for_inference; null when the module
     * does not allow it (no forward, attributes mutated by a method, ...): a documented, silent fallback.
     */
    private static Loaded optimized(JitModule original, List<String> names) {
        String[] others = names.stream().filter(n -> !n.equals("forward")).toArray(String[]::new);
        JitModule frozen = null;
        JitModule optimized = null;
        try (StringVector preserved = new StringVector(others);
             StringVectorOptional preservedAttrs = new StringVectorOptional(preserved);
             StringVector otherMethods = new StringVector(others)) {
            frozen = torch.freeze(original, preservedAttrs, true);
            optimized = torch.optimize_for_inference(frozen, otherMethods);
            Map<String, MethodInfo> methods = collectMethods(optimized, names);
            if (methods == null) {
                optimized.deallocate();
                return null;
            }
            return new Loaded(optimized, original, methods, Collections.unmodifiableList(names));
        } catch (RuntimeException e) {
            if (optimized != null) {
                optimized.deallocate();
            }
            return null;
        } finally {
            if (frozen != null) {
                frozen.deallocate();
            }
        }
    }

    /** The methods of {@code module} in the order of {@code names}; null when one is missing. */
    private static Map<String, MethodInfo> collectMethods(JitModule module, List<String> names) {
        Map<String, MethodInfo> methods = new LinkedHashMap<>();
        try {
            for (String name : names) {
                try (MethodOptional found = module.find_method(name)) {
                    if (!found.has_value()) {
                        methods.values().forEach(m -> m.method().deallocate());
                        return null;
                    }
                }
                Method method = module.get_method(name);
                methods.put(name, methodInfo(name, method));
            }
        } catch (RuntimeException e) {
            methods.values().forEach(m -> m.method().deallocate());
            throw e;
        }
        return methods;
    }

    private static MethodInfo methodInfo(String name, Method method) {
        FunctionSchema schema = method.function().getSchema();
        Argument args = schema.arguments();
        Argument returns = schema.returns();
        try {
            StringBuilder sig = new StringBuilder(name).append('(');
            int max = 0;
            int required = 0;
            for (long i = 1; i < args.capacity(); i++) { // argument 0 is self
                Argument a = args.getPointer(i);
                if (i > 1) {
                    sig.append(", ");
                }
                sig.append(annotation(a)).append(' ').append(a.name().getString());
                max++;
                if (a.default_value().has_value()) {
                    sig.append('=').append(repr(a.default_value().get()));
                } else {
                    required++;
                }
            }
            sig.append(") -> ");
            if (returns.capacity() == 1) {
                sig.append(annotation(returns.getPointer(0)));
            } else {
                sig.append('(');
                for (long i = 0; i < returns.capacity(); i++) {
                    if (i > 0) {
                        sig.append(", ");
                    }
                    sig.append(annotation(returns.getPointer(i)));
                }
                sig.append(')');
            }
            return new MethodInfo(name, method, sig.toString(), max, required);
        } finally {
            args.deallocate();
            returns.deallocate();
        }
    }

    private static String annotation(Argument a) {
        return a.type().get().annotation_str().getString();
    }

    private static String repr(IValue v) {
        if (v.isNone()) {
            return "None";
        }
        if (v.isBool()) {
            return v.toBool() ? "True" : "False";
        }
        if (v.isInt()) {
            return Long.toString(v.toInt());
        }
        if (v.isDouble()) {
            return Double.toString(v.toDouble());
        }
        if (v.isString()) {
            return "\"" + v.toStringRef().getString() + "\"";
        }
        return "<" + v.tagKind().getString() + ">";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // TorchModule
    // ---------------------------------------------------------------------------------------------------------------

    @Override
    public Device device() {
        return device;
    }

    @Override
    public List<String> methods() {
        return handle().names();
    }

    @Override
    public Tensor attribute(String name) {
        if (name == null) {
            throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, "attribute name must not be null");
        }
        Loaded m = handle();
        String what = "reading attribute '" + name + "'";
        IValue value = findAttribute(m.module(), name);
        if (value == null && m.module() != m.original()) {
            value = findAttribute(m.original(), name);
        }
        if (value == null) {
            throw new PromptonceException(ErrorCode.BAD_MODEL, what + ": no attribute '" + name
                    + "' in module (tensor attributes: " + tensorAttributes(m.original()) + ")");
        }
        try (IValue v = value) {
            if (!v.isTensor()) {
                throw new PromptonceException(ErrorCode.BAD_MODEL, what + ": attribute '" + name
                        + "' is not a tensor but " + kindName(v));
            }
            // same storage, without autograd history or requires_grad
            return new JavacppTensor(v.toTensor().detach());
        } catch (RuntimeException e) {
            throw TorchErrors.failure(e, what);
        }
    }

    /** The attribute at a dotted path through submodules, or null; the caller closes it. */
    private static IValue findAttribute(JitModule root, String dotted) {
        List<AutoCloseable> temporaries = new ArrayList<>();
        try {
            JitModule current = root;
            String[] parts = dotted.split("\\.", -1);
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].isEmpty() || !current.hasattr(parts[i])) {
                    return null;
                }
                IValue value = current.attr(parts[i]);
                if (i == parts.length - 1) {
                    return value;
                }
                temporaries.add(value);
                if (!value.isModule()) {
                    return null;
                }
                Obj object = value.toObject();
                temporaries.add(object);
                current = new JitModule(object);
                temporaries.add(current);
            }
            return null;
        } finally {
            for (AutoCloseable c : temporaries) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // JavaCPP's close does not throw
                }
            }
        }
    }

    private static String tensorAttributes(JitModule m) {
        StringBuilder s = new StringBuilder();
        try (ClassType type = m.type(); Obj self = m._ivalue()) {
            for (long i = 0; i < type.numAttributes(); i++) {
                if (self.getSlot(i).isTensor()) {
                    if (!s.isEmpty()) {
                        s.append(", ");
                    }
                    s.append(type.getAttributeName(i).getString());
                }
            }
        }
        return s.isEmpty() ? "none" : s.toString();
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
        if (stream != null) {
            throw foreignStream(stream);
        }
        Loaded m = handle();
        List<IValue> values = new ArrayList<>(arguments.length);
        try {
            for (int i = 0; i < arguments.length; i++) {
                values.add(argument(arguments[i], method, i));
            }
            Supplier<String> what = () -> "calling " + method + "(" + Values.describeArguments(arguments) + ")";
            MethodInfo info = m.methods().get(method);
            if (info == null) {
                throw new PromptonceException(ErrorCode.BAD_MODEL, what.get() + ": no method '" + method
                        + "' in module (methods: " + (m.names().isEmpty() ? "none" : String.join(", ", m.names()))
                        + ")");
            }
            if (arguments.length > info.maxArgs() || arguments.length < info.requiredArgs()) {
                throw new PromptonceException(ErrorCode.SHAPE_MISMATCH, what.get() + ": method " + info.signature()
                        + " takes " + (info.requiredArgs() == info.maxArgs() ? "" : info.requiredArgs() + " to ")
                        + info.maxArgs() + " argument(s) but " + arguments.length + " were given");
            }
            IValue result;
            try (IValueVector stack = new IValueVector(values.toArray(IValue[]::new));
                 InferenceMode guard = new InferenceMode()) {
                result = info.method().apply(stack);
            } catch (RuntimeException e) {
                throw callFailure(e, what.get(), info);
            }
            try (IValue r = result) {
                return convert(r);
            }
        } finally {
            for (IValue v : values) {
                v.close();
            }
        }
    }

    /** The argument checks before the run, or a failure in the method (fail_in_method in po_module.cpp). */
    private static PromptonceException callFailure(RuntimeException e, String what, MethodInfo info) {
        String m = TorchErrors.message(e);
        if (!TorchErrors.isInterpreterFailure(m) && m.contains("Declaration: ")) {
            return new PromptonceException(ErrorCode.SHAPE_MISMATCH, what + ": arguments do not match method "
                    + info.signature() + ": " + m, e);
        }
        return new PromptonceException(TorchErrors.classify(m), what + ": method '" + info.name() + "' failed: "
                + TorchErrors.torchscriptErrorFirst(m), e);
    }

    static PromptonceException foreignStream(Stream stream) {
        return new PromptonceException(ErrorCode.INVALID_ARGUMENT, "stream " + stream.getClass().getName()
                + " is not a stream of the javacpp backend (which has no CUDA streams)");
    }

    /** One argument as an IValue (owned by the caller). */
    private static IValue argument(Object arg, String method, int index) {
        String what = "argument " + index + " of " + method;
        if (arg == null) {
            return new IValue();
        } else if (arg instanceof Tensor t) {
            return new IValue(JavacppTensor.handleOf(t, what));
        } else if (arg instanceof Integer || arg instanceof Long || arg instanceof Short || arg instanceof Byte) {
            return new IValue(((Number) arg).longValue());
        } else if (arg instanceof Double || arg instanceof Float) {
            return new IValue(((Number) arg).doubleValue());
        } else if (arg instanceof Boolean b) {
            return new IValue(b.booleanValue());
        } else if (arg instanceof long[] values) {
            try (GenericList list = new GenericList(INT_TYPE)) {
                list.reserve(values.length);
                for (long v : values) {
                    try (IValue item = new IValue(v)) {
                        list.push_back(item);
                    }
                }
                return new IValue(list);
            }
        } else if (arg instanceof int[] values) {
            long[] widened = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                widened[i] = values[i];
            }
            return argument(widened, method, index);
        } else if (arg instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Tensor)) {
                    throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + ": element " + i
                            + " of the list is " + (list.get(i) == null ? "None" : list.get(i).getClass().getSimpleName())
                            + ", expected a Tensor");
                }
            }
            try (GenericList items = new GenericList(TENSOR_TYPE)) {
                items.reserve(list.size());
                for (int i = 0; i < list.size(); i++) {
                    try (IValue item = new IValue(JavacppTensor.handleOf((Tensor) list.get(i), what + " element " + i))) {
                        items.push_back(item);
                    }
                }
                return new IValue(items);
            }
        }
        throw new PromptonceException(ErrorCode.INVALID_ARGUMENT, what + " is a " + arg.getClass().getName()
                + "; expected Tensor, Integer/Long, Float/Double, Boolean, null, List<Tensor>, int[] or long[]");
    }

    /** Converts a result into Java objects; on failure closes the tensors created so far. */
    private static Object convert(IValue v) {
        if (v.isNone()) {
            return null;
        }
        if (v.isTensor()) {
            return new JavacppTensor(new org.bytedeco.pytorch.Tensor(v.toTensor()));
        }
        if (v.isInt()) {
            return v.toInt();
        }
        if (v.isDouble()) {
            return v.toDouble();
        }
        if (v.isBool()) {
            return v.toBool();
        }
        if (v.isTuple()) {
            TupleElements elements = v.toTupleRef().elements();
            List<Object> items = new ArrayList<>();
            try {
                for (long i = 0; i < elements.size(); i++) {
                    items.add(convert(elements.get(i)));
                }
            } catch (RuntimeException e) {
                Values.closeAll(items);
                throw e;
            }
            return Collections.unmodifiableList(items);
        }
        if (v.isList()) {
            List<Object> items = new ArrayList<>();
            try (GenericList list = v.toList()) {
                for (long i = 0; i < list.size(); i++) {
                    try (IValue item = list.get(i)) {
                        items.add(convert(item));
                    }
                }
            } catch (RuntimeException e) {
                Values.closeAll(items);
                throw e;
            }
            return Collections.unmodifiableList(items);
        }
        throw new PromptonceException(ErrorCode.SHAPE_MISMATCH, "the method returned a "
                + (v.isString() ? "str" : "value of kind " + v.tagKind().getString())
                + ", which promptonce does not convert (expected tensors, tuples, lists, int, float, bool)");
    }

    private static String kindName(IValue v) {
        if (v.isNone()) {
            return "None";
        }
        if (v.isInt()) {
            return "int";
        }
        if (v.isDouble()) {
            return "float";
        }
        if (v.isBool()) {
            return "bool";
        }
        if (v.isString()) {
            return "str";
        }
        return v.tagKind().getString();
    }

}
