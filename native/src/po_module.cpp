// TorchScript modules, argument lists and results.
#include "po_internal.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <ATen/core/function.h>
#include <ATen/core/function_schema.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#ifdef PO_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#endif

namespace po {

// One method of a loaded module. Filled once at load time and never changed afterwards, so po_module_call may
// read it from many threads at once (the Function is owned by the module's compilation unit).
struct MethodInfo {
    std::string name;
    torch::jit::Function* function = nullptr;
    std::string signature;      // "encode(Tensor image, int size=1024) -> Tuple[Tensor, Tensor]", without self
    size_t max_args = 0;        // arguments after self
    size_t required_args = 0;   // arguments after self without a default value
};

}  // namespace po

// Immutable after po_module_load: concurrent po_module_call only reads it.
struct po_module {
    torch::jit::Module module;    // what is called (frozen and optimised with PO_LOAD_OPTIMIZE, when that worked)
    torch::jit::Module original;  // the module as loaded: attributes that freezing folded away are found here
    std::vector<po::MethodInfo> methods;
    c10::Device device{c10::DeviceType::CPU};
};

namespace po {

namespace {

std::string method_list(const po_module& m) {
    std::string s;
    for (const MethodInfo& info : m.methods) {
        if (!s.empty()) {
            s += ", ";
        }
        s += info.name;
    }
    return s.empty() ? "none" : s;
}

const MethodInfo& find_method(const po_module& m, const char* name) {
    for (const MethodInfo& info : m.methods) {
        if (info.name == name) {
            return info;
        }
    }
    fail(PO_ERR_BAD_MODEL, cat("no method '", name, "' in module (methods: ", method_list(m), ")"));
}

std::string signature_of(const c10::FunctionSchema& schema) {
    std::string s = schema.name() + "(";
    const auto& args = schema.arguments();
    for (size_t i = 1; i < args.size(); ++i) {  // argument 0 is self
        if (i > 1) {
            s += ", ";
        }
        s += args[i].type()->annotation_str() + " " + args[i].name();
        if (args[i].default_value()) {
            s += cat("=", *args[i].default_value());
        }
    }
    s += ") -> ";
    const auto& returns = schema.returns();
    if (returns.size() == 1) {
        s += returns[0].type()->annotation_str();
    } else {
        s += "(";
        for (size_t i = 0; i < returns.size(); ++i) {
            if (i > 0) {
                s += ", ";
            }
            s += returns[i].type()->annotation_str();
        }
        s += ")";
    }
    return s;
}

// Fills m.methods from m.module, in the order of `names`; false when a method is missing.
bool collect_methods(po_module& m, const std::vector<std::string>& names) {
    std::vector<po::MethodInfo> methods;
    for (const std::string& name : names) {
        auto method = m.module.find_method(name);
        if (!method) {
            return false;
        }
        MethodInfo info;
        info.name = name;
        info.function = &method->function();
        // getSchema() builds and caches the schema on first use (not thread-safe): do it now, once.
        const c10::FunctionSchema& schema = info.function->getSchema();
        info.signature = signature_of(schema);
        info.max_args = schema.arguments().empty() ? 0 : schema.arguments().size() - 1;
        for (size_t i = 1; i < schema.arguments().size(); ++i) {
            if (!schema.arguments()[i].default_value()) {
                ++info.required_args;
            }
        }
        methods.push_back(std::move(info));
    }
    m.methods = std::move(methods);
    return true;
}

void check_readable_file(const char* path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(fs::path(path), ec);
    if (ec || !fs::exists(status)) {
        fail(PO_ERR_FILE_NOT_FOUND, cat("file not found: ", path));
    }
    if (fs::is_directory(status)) {
        fail(PO_ERR_FILE_NOT_FOUND, cat("not a file but a directory: ", path));
    }
    if (!fs::is_regular_file(status)) {
        fail(PO_ERR_FILE_NOT_FOUND, cat("not a regular file: ", path));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        fail(PO_ERR_FILE_NOT_FOUND, cat("file cannot be read: ", path, " (", std::strerror(errno), ")"));
    }
}

// True for a line that starts with an exception class name and ": ", e.g. "RuntimeError: ...",
// "builtins.ValueError: ...".
bool is_exception_line(const std::string& line) {
    size_t i = 0;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' || line[i] == '.')) {
        ++i;
    }
    if (i == 0 || line.compare(i, 2, ": ") != 0) {
        return false;
    }
    const std::string name = line.substr(0, i);
    auto ends_with = [&](const char* suffix) {
        const size_t n = std::strlen(suffix);
        return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
    };
    return ends_with("Error") || ends_with("Exception");
}

// Errors raised inside a TorchScript method arrive as
//   The following operation failed in the TorchScript interpreter.
//   Traceback of TorchScript, serialized code (most recent call last):
//     <frames>
//   Traceback of TorchScript, original code (most recent call last):
//   <frames, with unindented source lines>
//   RuntimeError: <what went wrong, possibly several lines>
// The last part is what the caller needs and the message buffer is bounded, so it is moved first and the
// tracebacks follow it. Messages of any other form are returned as they are.
std::string torchscript_error_first(const std::string& message) {
    static const std::string head = "The following operation failed in the TorchScript interpreter.";
    if (message.compare(0, head.size(), head) != 0) {
        return message;
    }
    std::vector<std::string> lines;
    std::istringstream in(message);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    size_t last_traceback = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].compare(0, 9, "Traceback") == 0) {
            last_traceback = i;
        }
    }
    for (size_t i = last_traceback + 1; i < lines.size(); ++i) {
        if (!is_exception_line(lines[i])) {
            continue;
        }
        std::string result;
        for (size_t j = i; j < lines.size(); ++j) {
            result += lines[j] + "\n";
        }
        for (size_t j = 1; j < i; ++j) {
            result += lines[j] + "\n";
        }
        while (!result.empty() && result.back() == '\n') {
            result.pop_back();
        }
        return result;
    }
    return message;
}

[[noreturn]] void fail_in_method(const MethodInfo& method, const char* message) {
    int32_t code = PO_ERR_INTERNAL;
    if (looks_like_out_of_memory(message)) {
        code = PO_ERR_OUT_OF_MEMORY;
    } else if (looks_like_shape_mismatch(message)) {
        code = PO_ERR_SHAPE_MISMATCH;
    }
    fail(code, cat("method '", method.name, "' failed: ", torchscript_error_first(message)));
}

std::optional<c10::IValue> find_attribute(const torch::jit::Module& root, const std::string& dotted) {
    torch::jit::Module current = root;
    size_t start = 0;
    while (true) {
        const size_t dot = dotted.find('.', start);
        const std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (part.empty() || !current.hasattr(part)) {
            return std::nullopt;
        }
        c10::IValue value = current.attr(part);
        if (dot == std::string::npos) {
            return value;
        }
        if (!value.isModule()) {
            return std::nullopt;
        }
        current = torch::jit::Module(value.toObject());
        start = dot + 1;
    }
}

std::string tensor_attribute_list(const torch::jit::Module& m) {
    std::string s;
    const auto& type = m.type();
    for (size_t i = 0; i < type->numAttributes(); ++i) {
        if (m._ivalue()->getSlot(i).isTensor()) {
            if (!s.empty()) {
                s += ", ";
            }
            s += type->getAttributeName(i);
        }
    }
    return s.empty() ? "none" : s;
}

int32_t kind_of(const c10::IValue& v) noexcept {
    if (v.isNone()) return PO_VALUE_NONE;
    if (v.isTensor()) return PO_VALUE_TENSOR;
    if (v.isInt()) return PO_VALUE_INT;
    if (v.isDouble()) return PO_VALUE_DOUBLE;
    if (v.isBool()) return PO_VALUE_BOOL;
    if (v.isTuple()) return PO_VALUE_TUPLE;
    if (v.isList()) return PO_VALUE_LIST;
    if (v.isString()) return PO_VALUE_STRING;
    return PO_VALUE_OTHER;
}

std::string kind_name(const c10::IValue& v) {
    switch (kind_of(v)) {
        case PO_VALUE_NONE: return "None";
        case PO_VALUE_TENSOR: return "a tensor";
        case PO_VALUE_INT: return "an int";
        case PO_VALUE_DOUBLE: return "a double";
        case PO_VALUE_BOOL: return "a bool";
        case PO_VALUE_TUPLE: return "a tuple";
        case PO_VALUE_LIST: return "a list";
        case PO_VALUE_STRING: return "a string";
        default: return cat("a ", v.tagKind());
    }
}

const c10::IValue& value_of(const po_value* v) {
    require(v, "value");
    return v->value;
}

c10::impl::GenericList args_of(po_value* args) {
    require(args, "args");
    if (!args->is_args) {
        fail(PO_ERR_INVALID_ARGUMENT, "args is not an argument list made by po_args_create");
    }
    return args->value.toList();
}

[[noreturn]] void wrong_kind(const c10::IValue& v, const char* wanted) {
    fail(PO_ERR_SHAPE_MISMATCH, cat("value is ", kind_name(v), ", not ", wanted));
}

}  // namespace

}  // namespace po

using po::cat;
using po::fail;
using po::guard;
using po::require;

// ------------------------------------------------------------------------------------------------------------
// Modules
// ------------------------------------------------------------------------------------------------------------

PO_EXPORT int32_t po_module_load(const char* path, int32_t device_type, int32_t device_index, uint32_t flags,
                                 po_module** out, po_error* err) {
    return guard(err, [&] {
        require(path, "path");
        require(out, "out");
        if ((flags & ~PO_LOAD_OPTIMIZE) != 0) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("unknown load flags 0x", std::hex, flags));
        }
        const c10::Device device = po::parse_device(device_type, device_index);
        po::check_readable_file(path);

        auto handle = std::make_unique<po_module>();
        handle->device = device;
        try {
            handle->original = torch::jit::load(path, device);
        } catch (const c10::Error& e) {
            if (po::looks_like_out_of_memory(e.what_without_backtrace())) {
                throw;
            }
            fail(PO_ERR_BAD_MODEL, cat("not a loadable TorchScript module: ", path, ": ", e.what_without_backtrace()));
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            if (po::looks_like_out_of_memory(e.what())) {
                throw;
            }
            fail(PO_ERR_BAD_MODEL, cat("not a loadable TorchScript module: ", path, ": ", e.what()));
        }
        handle->original.eval();

        std::vector<std::string> names;
        for (const auto& method : handle->original.get_methods()) {
            names.push_back(method.name());
        }

        bool optimized = false;
        if ((flags & PO_LOAD_OPTIMIZE) != 0) {
            // freeze keeps only forward unless the other methods are preserved by name. Anything that goes wrong
            // (no forward, attributes mutated by a method, ...) leaves the module unfrozen: a documented, silent
            // fallback.
            try {
                std::vector<std::string> others;
                for (const std::string& name : names) {
                    if (name != "forward") {
                        others.push_back(name);
                    }
                }
                torch::jit::Module frozen = torch::jit::freeze(handle->original, others);
                handle->module = torch::jit::optimize_for_inference(frozen, others);
                optimized = po::collect_methods(*handle, names);
            } catch (...) {
                optimized = false;
            }
        }
        if (!optimized) {
            handle->module = handle->original;
            if (!po::collect_methods(*handle, names)) {
                fail(PO_ERR_BAD_MODEL, cat("module ", path, " lists methods it cannot find"));
            }
        }
        *out = handle.release();
    });
}

PO_EXPORT void po_module_free(po_module* module) {
    delete module;
}

PO_EXPORT int32_t po_module_method_count(const po_module* module, int32_t* count, po_error* err) {
    return guard(err, [&] {
        require(module, "module");
        require(count, "count");
        *count = static_cast<int32_t>(module->methods.size());
    });
}

PO_EXPORT int32_t po_module_method_name(const po_module* module, int32_t index, char* buf, size_t buf_size,
                                        po_error* err) {
    return guard(err, [&] {
        require(module, "module");
        require(buf, "buf");
        if (index < 0 || static_cast<size_t>(index) >= module->methods.size()) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("method index ", index, " out of range (the module has ",
                                              module->methods.size(), " methods)"));
        }
        const std::string& name = module->methods[static_cast<size_t>(index)].name;
        if (buf_size < name.size() + 1) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("buffer of ", buf_size, " bytes is too small for method name '", name,
                                              "' (needs ", name.size() + 1, ")"));
        }
        std::memcpy(buf, name.c_str(), name.size() + 1);
    });
}

PO_EXPORT int32_t po_module_attribute(const po_module* module, const char* name, po_tensor** out, po_error* err) {
    return guard(err, [&] {
        require(module, "module");
        require(name, "name");
        require(out, "out");
        std::optional<c10::IValue> value = po::find_attribute(module->module, name);
        if (!value) {
            value = po::find_attribute(module->original, name);
        }
        if (!value) {
            fail(PO_ERR_BAD_MODEL, cat("no attribute '", name, "' in module (tensor attributes: ",
                                       po::tensor_attribute_list(module->original), ")"));
        }
        if (!value->isTensor()) {
            fail(PO_ERR_BAD_MODEL,
                 cat("attribute '", name, "' is not a tensor but ", value->type()->annotation_str()));
        }
        at::Tensor t = value->toTensor().detach();  // same storage, without autograd history or requires_grad
        *out = new po_tensor{std::move(t)};
    });
}

PO_EXPORT int32_t po_module_call(po_module* module, const char* name, const po_value* args, po_stream* stream,
                                 po_value** out, po_error* err) {
    return guard(err, [&] {
        require(module, "module");
        require(name, "name");
        require(out, "out");
        if (args != nullptr && !args->is_args) {
            fail(PO_ERR_INVALID_ARGUMENT, "args is not an argument list made by po_args_create");
        }
        const po::MethodInfo& method = po::find_method(*module, name);
#ifdef PO_WITH_CUDA
        std::optional<c10::cuda::CUDAStreamGuard> stream_guard;
        if (stream != nullptr) {
            if (!module->device.is_cuda() || module->device.index() != stream->stream.device_index()) {
                fail(PO_ERR_INVALID_ARGUMENT,
                     cat("the stream is on cuda:", static_cast<int>(stream->stream.device_index()),
                         " but the module is on ", po::device_string(module->device)));
            }
        }
#else
        if (stream != nullptr) {
            fail(PO_ERR_UNSUPPORTED_DEVICE,
                 "a CUDA stream was given, but this library was built against a LibTorch without CUDA");
        }
#endif
        std::vector<c10::IValue> stack;
        const c10::ArrayRef<c10::IValue> given =
            args != nullptr ? args->value.toListRef() : c10::ArrayRef<c10::IValue>();
        stack.reserve(given.size() + 1);
        stack.emplace_back(module->module._ivalue());  // self
        stack.insert(stack.end(), given.begin(), given.end());

        if (given.size() > method.max_args || given.size() < method.required_args) {
            fail(PO_ERR_SHAPE_MISMATCH,
                 cat("method ", method.signature, " takes ",
                     method.required_args == method.max_args ? "" : cat(method.required_args, " to "),
                     method.max_args, " argument(s) but ", given.size(), " were given"));
        }
        try {
            // Checks every argument's type against the schema and appends defaults for omitted arguments.
            method.function->getSchema().checkAndNormalizeInputs(stack);
        } catch (const c10::Error& e) {
            fail(PO_ERR_SHAPE_MISMATCH,
                 cat("arguments do not match method ", method.signature, ": ", e.what_without_backtrace()));
        }

        try {
            c10::InferenceMode inference;
#ifdef PO_WITH_CUDA
            if (stream != nullptr) {
                stream_guard.emplace(stream->stream);
            }
#endif
            method.function->run(stack);
        } catch (const c10::OutOfMemoryError&) {
            throw;
        } catch (const c10::Error& e) {
            po::fail_in_method(method, e.what_without_backtrace());
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            po::fail_in_method(method, e.what());
        }
        if (stack.empty()) {
            fail(PO_ERR_INTERNAL, cat("method '", method.name, "' returned nothing"));
        }
        *out = new po_value{std::move(stack.front()), false};
    });
}

// ------------------------------------------------------------------------------------------------------------
// Argument lists
// ------------------------------------------------------------------------------------------------------------

PO_EXPORT int32_t po_args_create(po_value** out, po_error* err) {
    return guard(err, [&] {
        require(out, "out");
        *out = new po_value{c10::IValue(c10::impl::GenericList(c10::AnyType::get())), true};
    });
}

PO_EXPORT int32_t po_args_add_tensor(po_value* args, const po_tensor* tensor, po_error* err) {
    return guard(err, [&] {
        c10::impl::GenericList list = po::args_of(args);
        require(tensor, "tensor");
        list.push_back(c10::IValue(tensor->tensor));
    });
}

PO_EXPORT int32_t po_args_add_int(po_value* args, int64_t value, po_error* err) {
    return guard(err, [&] { po::args_of(args).push_back(c10::IValue(value)); });
}

PO_EXPORT int32_t po_args_add_double(po_value* args, double value, po_error* err) {
    return guard(err, [&] { po::args_of(args).push_back(c10::IValue(value)); });
}

PO_EXPORT int32_t po_args_add_bool(po_value* args, int32_t value, po_error* err) {
    return guard(err, [&] { po::args_of(args).push_back(c10::IValue(value != 0)); });
}

PO_EXPORT int32_t po_args_add_none(po_value* args, po_error* err) {
    return guard(err, [&] { po::args_of(args).push_back(c10::IValue()); });
}

PO_EXPORT int32_t po_args_add_tensor_list(po_value* args, const po_tensor* const* tensors, int32_t count,
                                          po_error* err) {
    return guard(err, [&] {
        c10::impl::GenericList list = po::args_of(args);
        if (count < 0) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("count ", count, " is negative"));
        }
        if (count > 0) {
            require(tensors, "tensors");
        }
        c10::List<at::Tensor> items;
        items.reserve(static_cast<size_t>(count));
        for (int32_t i = 0; i < count; ++i) {
            if (tensors[i] == nullptr) {
                fail(PO_ERR_INVALID_ARGUMENT, cat("tensors[", i, "] is NULL"));
            }
            items.push_back(tensors[i]->tensor);
        }
        list.push_back(c10::IValue(std::move(items)));
    });
}

PO_EXPORT int32_t po_args_add_int_list(po_value* args, const int64_t* values, int32_t count, po_error* err) {
    return guard(err, [&] {
        c10::impl::GenericList list = po::args_of(args);
        if (count < 0) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("count ", count, " is negative"));
        }
        if (count > 0) {
            require(values, "values");
        }
        c10::List<int64_t> items;
        items.reserve(static_cast<size_t>(count));
        for (int32_t i = 0; i < count; ++i) {
            items.push_back(values[i]);
        }
        list.push_back(c10::IValue(std::move(items)));
    });
}

// ------------------------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------------------------

PO_EXPORT void po_value_free(po_value* value) {
    delete value;
}

PO_EXPORT int32_t po_value_kind(const po_value* value, int32_t* kind, po_error* err) {
    return guard(err, [&] {
        const c10::IValue& v = po::value_of(value);
        require(kind, "kind");
        *kind = po::kind_of(v);
    });
}

PO_EXPORT int32_t po_value_size(const po_value* value, int32_t* size, po_error* err) {
    return guard(err, [&] {
        const c10::IValue& v = po::value_of(value);
        require(size, "size");
        if (v.isTuple()) {
            *size = static_cast<int32_t>(v.toTupleRef().elements().size());
        } else if (v.isList()) {
            *size = static_cast<int32_t>(v.toListRef().size());
        } else {
            fail(PO_ERR_INVALID_ARGUMENT, cat("value is ", po::kind_name(v), ", not a tuple or list"));
        }
    });
}

PO_EXPORT int32_t po_value_get(const po_value* value, int32_t index, po_value** out, po_error* err) {
    return guard(err, [&] {
        const c10::IValue& v = po::value_of(value);
        require(out, "out");
        c10::ArrayRef<c10::IValue> items;
        if (v.isTuple()) {
            items = v.toTupleRef().elements().asArrayRef();
        } else if (v.isList()) {
            items = v.toListRef();
        } else {
            fail(PO_ERR_INVALID_ARGUMENT, cat("value is ", po::kind_name(v), ", not a tuple or list"));
        }
        if (index < 0 || static_cast<size_t>(index) >= items.size()) {
            fail(PO_ERR_INVALID_ARGUMENT,
                 cat("index ", index, " out of range for ", po::kind_name(v), " of size ", items.size()));
        }
        *out = new po_value{items[static_cast<size_t>(index)], false};
    });
}

PO_EXPORT int32_t po_value_tensor(const po_value* value, po_tensor** out, po_error* err) {
    return guard(err, [&] {
        const c10::IValue& v = po::value_of(value);
        require(out, "out");
        if (!v.isTensor()) {
            po::wrong_kind(v, "a tensor");
        }
        *out = new po_tensor{v.toTensor()};
    });
}

PO_EXPORT int32_t po_value_int(const po_value* value, int64_t* out, po_error* err) {
    return guard(err, [&] {
        const c10::IValue& v = po::value_of(value);
        require(out, "out");
        if (!v.isInt()) {
            po::wrong_kind(v, "an int");
        }
        *out = v.toInt();
    });
}

PO_EXPORT int32_t po_value_double(const po_value* value, double* out, po_error* err) {
    return guard(err, [&] {
        const c10::IValue& v = po::value_of(value);
        require(out, "out");
        if (!v.isDouble()) {
            po::wrong_kind(v, "a double");
        }
        *out = v.toDouble();
    });
}

PO_EXPORT int32_t po_value_bool(const po_value* value, int32_t* out, po_error* err) {
    return guard(err, [&] {
        const c10::IValue& v = po::value_of(value);
        require(out, "out");
        if (!v.isBool()) {
            po::wrong_kind(v, "a bool");
        }
        *out = v.toBool() ? 1 : 0;
    });
}
