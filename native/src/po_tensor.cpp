// Runtime information, tensors and CUDA streams.
#include "po_internal.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>
#include <torch/version.h>

// OpenBLAS, when LibTorch uses it (Debian's libtorch-dev does): a weak reference, null where it is absent.
extern "C" void openblas_set_num_threads(int n) __attribute__((weak));
// OpenMP, which LibTorch's intra-op parallelism runs on in Debian's and JavaCPP's builds: weak, as above.
extern "C" void omp_set_num_threads(int n) __attribute__((weak));

#ifdef PO_WITH_CUDA
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace po {

namespace {

constexpr int32_t kMaxRank = 16;

#ifdef TORCH_VERSION
const char* const kTorchVersion = TORCH_VERSION;
#else
#define PO_STR2(x) #x
#define PO_STR(x) PO_STR2(x)
const char* const kTorchVersion =
    PO_STR(TORCH_VERSION_MAJOR) "." PO_STR(TORCH_VERSION_MINOR) "." PO_STR(TORCH_VERSION_PATCH);
#endif

int32_t cuda_device_count() {
#ifdef PO_WITH_CUDA
    return static_cast<int32_t>(torch::cuda::device_count());
#else
    return 0;
#endif
}

const at::Tensor& tensor_of(const po_tensor* t) {
    require(t, "tensor");
    return t->tensor;
}

c10::ScalarType parse_dtype(int32_t dtype) {
    c10::ScalarType type;
    if (!to_scalar_type(dtype, &type)) {
        fail(PO_ERR_INVALID_ARGUMENT,
             cat("unknown dtype ", dtype, " (expected 0..7: float32, bfloat16, int32, int64, uint8, bool, float16, "
                 "float64)"));
    }
    return type;
}

// Validates rank and dims; returns the dims as a vector.
std::vector<int64_t> parse_shape(const int64_t* shape, int32_t rank) {
    if (rank < 0 || rank > kMaxRank) {
        fail(PO_ERR_INVALID_ARGUMENT, cat("rank ", rank, " out of range 0..", kMaxRank));
    }
    if (rank > 0 && shape == nullptr) {
        fail(PO_ERR_INVALID_ARGUMENT, cat("shape is NULL but rank is ", rank));
    }
    std::vector<int64_t> dims(shape, shape + rank);
    for (int32_t i = 0; i < rank; ++i) {
        if (dims[i] < 0) {
            fail(PO_ERR_INVALID_ARGUMENT,
                 cat("dim ", i, " of shape ", shape_string(dims.data(), dims.size()), " is negative"));
        }
    }
    return dims;
}

// numel * element size, or PO_ERR_INVALID_ARGUMENT when it does not fit in int64.
int64_t byte_size(const std::vector<int64_t>& dims, c10::ScalarType type) {
    for (int64_t d : dims) {
        if (d == 0) {
            return 0;
        }
    }
    int64_t bytes = static_cast<int64_t>(c10::elementSize(type));
    for (int64_t d : dims) {
        if (__builtin_mul_overflow(bytes, d, &bytes)) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("shape ", shape_string(dims.data(), dims.size()), " ",
                                              dtype_name(type), " is too large: its byte size overflows int64"));
        }
    }
    return bytes;
}

int64_t byte_size(const at::Tensor& t) {
    return t.numel() * static_cast<int64_t>(t.element_size());
}

std::string describe(const at::Tensor& t) {
    return cat(shape_string(t.sizes()), " ", dtype_name(t.scalar_type()));
}

po_tensor* wrap(at::Tensor t) {
    return new po_tensor{std::move(t)};
}

}  // namespace

// ------------------------------------------------------------------------------------------------------------
// Shared enumerations
// ------------------------------------------------------------------------------------------------------------

bool to_scalar_type(int32_t dtype, c10::ScalarType* out) noexcept {
    switch (dtype) {
        case PO_DTYPE_FLOAT32: *out = c10::ScalarType::Float; return true;
        case PO_DTYPE_BFLOAT16: *out = c10::ScalarType::BFloat16; return true;
        case PO_DTYPE_INT32: *out = c10::ScalarType::Int; return true;
        case PO_DTYPE_INT64: *out = c10::ScalarType::Long; return true;
        case PO_DTYPE_UINT8: *out = c10::ScalarType::Byte; return true;
        case PO_DTYPE_BOOL: *out = c10::ScalarType::Bool; return true;
        case PO_DTYPE_FLOAT16: *out = c10::ScalarType::Half; return true;
        case PO_DTYPE_FLOAT64: *out = c10::ScalarType::Double; return true;
        default: return false;
    }
}

int32_t from_scalar_type(c10::ScalarType type) noexcept {
    switch (type) {
        case c10::ScalarType::Float: return PO_DTYPE_FLOAT32;
        case c10::ScalarType::BFloat16: return PO_DTYPE_BFLOAT16;
        case c10::ScalarType::Int: return PO_DTYPE_INT32;
        case c10::ScalarType::Long: return PO_DTYPE_INT64;
        case c10::ScalarType::Byte: return PO_DTYPE_UINT8;
        case c10::ScalarType::Bool: return PO_DTYPE_BOOL;
        case c10::ScalarType::Half: return PO_DTYPE_FLOAT16;
        case c10::ScalarType::Double: return PO_DTYPE_FLOAT64;
        default: return -1;
    }
}

std::string dtype_name(c10::ScalarType type) {
    switch (from_scalar_type(type)) {
        case PO_DTYPE_FLOAT32: return "float32";
        case PO_DTYPE_BFLOAT16: return "bfloat16";
        case PO_DTYPE_INT32: return "int32";
        case PO_DTYPE_INT64: return "int64";
        case PO_DTYPE_UINT8: return "uint8";
        case PO_DTYPE_BOOL: return "bool";
        case PO_DTYPE_FLOAT16: return "float16";
        case PO_DTYPE_FLOAT64: return "float64";
        default: return c10::toString(type);
    }
}

c10::Device parse_device(int32_t device_type, int32_t device_index) {
    if (device_type != PO_DEVICE_CPU && device_type != PO_DEVICE_CUDA) {
        fail(PO_ERR_INVALID_ARGUMENT, cat("unknown device type ", device_type, " (expected 0 = cpu or 1 = cuda)"));
    }
    if (device_index < 0) {
        fail(PO_ERR_INVALID_ARGUMENT, cat("device index ", device_index, " is negative"));
    }
    if (device_type == PO_DEVICE_CPU) {
        if (device_index != 0) {
            fail(PO_ERR_UNSUPPORTED_DEVICE, cat("device cpu:", device_index, " does not exist (only cpu:0)"));
        }
        return c10::Device(c10::DeviceType::CPU);
    }
#ifdef PO_WITH_CUDA
    const int32_t count = cuda_device_count();
    if (device_index >= count) {
        fail(PO_ERR_UNSUPPORTED_DEVICE,
             cat("device cuda:", device_index, " does not exist (", count, " CUDA device(s) available)"));
    }
    return c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(device_index));
#else
    fail(PO_ERR_UNSUPPORTED_DEVICE, cat("device cuda:", device_index,
                                        " requested, but this library was built against a LibTorch without CUDA"));
#endif
}

std::string device_string(const c10::Device& device) {
    if (device.is_cpu()) {
        return "cpu";
    }
    return device.str();
}

}  // namespace po

using po::cat;
using po::fail;
using po::guard;
using po::require;

// ------------------------------------------------------------------------------------------------------------
// Runtime
// ------------------------------------------------------------------------------------------------------------

PO_EXPORT int32_t po_abi_version(void) {
    return PO_ABI_VERSION;
}

PO_EXPORT int32_t po_noop(po_error* err) {
    (void)err;
    return PO_OK;
}

PO_EXPORT int32_t po_torch_version(char* buf, size_t buf_size, po_error* err) {
    return guard(err, [&] {
        require(buf, "buf");
        const size_t needed = std::strlen(po::kTorchVersion) + 1;
        if (buf_size < needed) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("buffer of ", buf_size, " bytes is too small for the version \"",
                                              po::kTorchVersion, "\" (needs ", needed, ")"));
        }
        std::memcpy(buf, po::kTorchVersion, needed);
    });
}

PO_EXPORT int32_t po_cuda_compiled(void) {
#ifdef PO_WITH_CUDA
    return 1;
#else
    return 0;
#endif
}

PO_EXPORT int32_t po_cuda_device_count(int32_t* count, po_error* err) {
    return guard(err, [&] {
        require(count, "count");
        *count = po::cuda_device_count();
    });
}

PO_EXPORT int32_t po_set_num_threads(int32_t n, po_error* err) {
    return guard(err, [&] {
        if (n < 1) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("number of threads ", n, " must be >= 1"));
        }
        at::set_num_threads(n);
        // OpenBLAS built with pthreads keeps its own pool, which at::set_num_threads does not reach
        if (openblas_set_num_threads) {
            openblas_set_num_threads(n);
        }
    });
}

PO_EXPORT int32_t po_set_thread_num_threads(int32_t n, po_error* err) {
    return guard(err, [&] {
        if (n < 1) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("number of threads ", n, " must be >= 1"));
        }
        if (!omp_set_num_threads) {
            fail(PO_ERR_UNSUPPORTED_DEVICE, "this LibTorch has no OpenMP: its thread count is process-wide only");
        }
        at::get_num_threads();  // this thread's lazy initialisation from the process default happens first
        omp_set_num_threads(n); // the OpenMP count of this thread alone (at::set_num_threads also sets the default)
    });
}

PO_EXPORT int32_t po_set_blas_num_threads(int32_t n, int32_t* applied, po_error* err) {
    return guard(err, [&] {
        require(applied, "applied");
        if (n < 1) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("number of threads ", n, " must be >= 1"));
        }
        *applied = 0;
        if (openblas_set_num_threads) {
            openblas_set_num_threads(n);
            *applied = 1;
        }
    });
}

PO_EXPORT int32_t po_get_num_threads(int32_t* n, po_error* err) {
    return guard(err, [&] {
        require(n, "n");
        *n = static_cast<int32_t>(at::get_num_threads());
    });
}

// ------------------------------------------------------------------------------------------------------------
// Tensors
// ------------------------------------------------------------------------------------------------------------

PO_EXPORT int32_t po_tensor_from_data(const void* data, int64_t data_bytes, int32_t dtype, const int64_t* shape,
                                      int32_t rank, int32_t device_type, int32_t device_index, po_tensor** out,
                                      po_error* err) {
    return guard(err, [&] {
        require(out, "out");
        const c10::ScalarType type = po::parse_dtype(dtype);
        const std::vector<int64_t> dims = po::parse_shape(shape, rank);
        const int64_t bytes = po::byte_size(dims, type);
        const c10::Device device = po::parse_device(device_type, device_index);
        if (data == nullptr && bytes > 0) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("data is NULL but shape ", po::shape_string(dims.data(), dims.size()),
                                              " ", po::dtype_name(type), " has ", bytes, " bytes"));
        }
        if (data_bytes != bytes) {
            fail(PO_ERR_SHAPE_MISMATCH, cat("data_bytes ", data_bytes, " does not match shape ",
                                            po::shape_string(dims.data(), dims.size()), " ", po::dtype_name(type),
                                            " (", bytes, " bytes)"));
        }
        c10::InferenceMode inference;
        at::Tensor t;
        if (device.is_cpu() || type == c10::ScalarType::Bool || bytes == 0) {
            t = at::empty(dims, at::TensorOptions().dtype(type));
            if (bytes > 0) {
                std::memcpy(t.data_ptr(), data, static_cast<size_t>(bytes));
            }
            if (type == c10::ScalarType::Bool) {
                // One byte per element; LibTorch expects exactly 0 or 1, so any non-zero byte is made 1.
                auto* p = static_cast<uint8_t*>(t.data_ptr());
                for (int64_t i = 0; i < bytes; ++i) {
                    p[i] = p[i] != 0 ? 1 : 0;
                }
            }
            if (!device.is_cpu()) {
                t = t.to(device);
            }
        } else {
            // Straight from the caller's buffer to the device (one copy); from_blob does not take ownership.
            t = at::from_blob(const_cast<void*>(data), dims, at::TensorOptions().dtype(type))
                    .to(device, type, /*non_blocking=*/false, /*copy=*/true);
        }
        *out = po::wrap(std::move(t));
    });
}

PO_EXPORT int32_t po_tensor_empty(int32_t dtype, const int64_t* shape, int32_t rank, int32_t device_type,
                                  int32_t device_index, po_tensor** out, po_error* err) {
    return guard(err, [&] {
        require(out, "out");
        const c10::ScalarType type = po::parse_dtype(dtype);
        const std::vector<int64_t> dims = po::parse_shape(shape, rank);
        (void)po::byte_size(dims, type);  // rejects shapes whose byte size overflows
        const c10::Device device = po::parse_device(device_type, device_index);
        c10::InferenceMode inference;
        at::Tensor t = at::empty(dims, at::TensorOptions().dtype(type).device(device));
        *out = po::wrap(std::move(t));
    });
}

PO_EXPORT void po_tensor_free(po_tensor* tensor) {
    delete tensor;
}

PO_EXPORT int32_t po_tensor_dtype(const po_tensor* tensor, int32_t* dtype, po_error* err) {
    return guard(err, [&] {
        const at::Tensor& t = po::tensor_of(tensor);
        require(dtype, "dtype");
        const int32_t code = po::from_scalar_type(t.scalar_type());
        if (code < 0) {
            fail(PO_ERR_SHAPE_MISMATCH, cat("tensor has dtype ", po::dtype_name(t.scalar_type()),
                                            ", which promptonce has no code for (convert it with po_tensor_to or in the model)"));
        }
        *dtype = code;
    });
}

PO_EXPORT int32_t po_tensor_rank(const po_tensor* tensor, int32_t* rank, po_error* err) {
    return guard(err, [&] {
        const at::Tensor& t = po::tensor_of(tensor);
        require(rank, "rank");
        *rank = static_cast<int32_t>(t.dim());
    });
}

PO_EXPORT int32_t po_tensor_shape(const po_tensor* tensor, int64_t* shape, int32_t capacity, po_error* err) {
    return guard(err, [&] {
        const at::Tensor& t = po::tensor_of(tensor);
        if (capacity < 0) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("capacity ", capacity, " is negative"));
        }
        const int64_t n = std::min<int64_t>(t.dim(), capacity);
        if (n > 0) {
            require(shape, "shape");
        }
        for (int64_t i = 0; i < n; ++i) {
            shape[i] = t.size(i);
        }
    });
}

PO_EXPORT int32_t po_tensor_device(const po_tensor* tensor, int32_t* device_type, int32_t* device_index,
                                   po_error* err) {
    return guard(err, [&] {
        const at::Tensor& t = po::tensor_of(tensor);
        require(device_type, "device_type");
        require(device_index, "device_index");
        const c10::Device d = t.device();
        if (d.is_cpu()) {
            *device_type = PO_DEVICE_CPU;
            *device_index = 0;
        } else if (d.is_cuda()) {
            *device_type = PO_DEVICE_CUDA;
            *device_index = d.has_index() ? d.index() : 0;
        } else {
            fail(PO_ERR_UNSUPPORTED_DEVICE, cat("tensor is on device ", d.str(), ", which promptonce has no code for"));
        }
    });
}

PO_EXPORT int32_t po_tensor_data_ptr(const po_tensor* tensor, void** data, po_error* err) {
    return guard(err, [&] {
        const at::Tensor& t = po::tensor_of(tensor);
        require(data, "data");
        if (!t.device().is_cpu()) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("tensor ", po::describe(t), " is on ", po::device_string(t.device()),
                                              ", not the CPU: use po_tensor_copy_to"));
        }
        if (t.layout() != c10::kStrided || !t.is_contiguous()) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("tensor ", po::describe(t), " is not contiguous (strides ",
                                              t.layout() == c10::kStrided ? po::shape_string(t.strides()) : "none",
                                              "): use po_tensor_copy_to"));
        }
        *data = t.data_ptr();
    });
}

PO_EXPORT int32_t po_tensor_copy_to(const po_tensor* tensor, void* dst, int64_t dst_bytes, po_error* err) {
    return guard(err, [&] {
        const at::Tensor& t = po::tensor_of(tensor);
        const int64_t bytes = po::byte_size(t);
        if (dst == nullptr && dst_bytes != 0) {
            fail(PO_ERR_INVALID_ARGUMENT, cat("dst is NULL but dst_bytes is ", dst_bytes));
        }
        if (dst_bytes != bytes) {
            fail(PO_ERR_SHAPE_MISMATCH, cat("dst_bytes ", dst_bytes, " does not match tensor ", po::describe(t),
                                            " (", bytes, " bytes)"));
        }
        if (bytes == 0) {
            return;
        }
        c10::InferenceMode inference;
        at::Tensor src = t;
        if (!src.device().is_cpu()) {
            src = src.to(c10::Device(c10::DeviceType::CPU));  // synchronous
        }
        if (src.layout() != c10::kStrided) {
            src = src.to_dense();
        }
        src = src.contiguous();
        std::memcpy(dst, src.data_ptr(), static_cast<size_t>(bytes));
    });
}

PO_EXPORT int32_t po_tensor_to(const po_tensor* tensor, int32_t device_type, int32_t device_index, int32_t dtype,
                               po_stream* stream, po_tensor** out, po_error* err) {
    return guard(err, [&] {
        const at::Tensor& t = po::tensor_of(tensor);
        require(out, "out");
        const c10::Device device = po::parse_device(device_type, device_index);
        const c10::ScalarType type = dtype < 0 ? t.scalar_type() : po::parse_dtype(dtype);
#ifdef PO_WITH_CUDA
        std::optional<c10::cuda::CUDAStreamGuard> stream_guard;
        if (stream != nullptr) {
            const c10::Device cuda = device.is_cuda() ? device : t.device();
            if (cuda.is_cuda() && cuda.index() != stream->stream.device_index()) {
                fail(PO_ERR_INVALID_ARGUMENT, cat("the stream is on cuda:", static_cast<int>(stream->stream.device_index()),
                                                  " but the copy runs on ", cuda.str()));
            }
            stream_guard.emplace(stream->stream);
        }
#else
        if (stream != nullptr) {
            fail(PO_ERR_UNSUPPORTED_DEVICE,
                 "a CUDA stream was given, but this library was built against a LibTorch without CUDA");
        }
#endif
        c10::InferenceMode inference;
        at::Tensor result = t.to(device, type, /*non_blocking=*/stream != nullptr, /*copy=*/false);
        *out = po::wrap(std::move(result));
    });
}

// ------------------------------------------------------------------------------------------------------------
// CUDA streams
// ------------------------------------------------------------------------------------------------------------

#ifdef PO_WITH_CUDA

PO_EXPORT int32_t po_stream_create(int32_t device_index, po_stream** out, po_error* err) {
    return guard(err, [&] {
        require(out, "out");
        const c10::Device device = po::parse_device(PO_DEVICE_CUDA, device_index);
        c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index());
        *out = new po_stream{stream};
    });
}

PO_EXPORT void po_stream_free(po_stream* stream) {
    delete stream;  // pool streams are recycled by LibTorch, never destroyed
}

PO_EXPORT int32_t po_stream_synchronize(po_stream* stream, po_error* err) {
    return guard(err, [&] {
        require(stream, "stream");
        stream->stream.synchronize();
    });
}

#else

namespace {
const char* const kNoCudaStreams =
    "CUDA streams need a LibTorch with CUDA; this library was built against a CPU-only LibTorch";
}

PO_EXPORT int32_t po_stream_create(int32_t device_index, po_stream** out, po_error* err) {
    (void)device_index;
    (void)out;
    return po::report(err, PO_ERR_UNSUPPORTED_DEVICE, kNoCudaStreams);
}

PO_EXPORT void po_stream_free(po_stream* stream) {
    delete stream;
}

PO_EXPORT int32_t po_stream_synchronize(po_stream* stream, po_error* err) {
    (void)stream;
    return po::report(err, PO_ERR_UNSUPPORTED_DEVICE, kNoCudaStreams);
}

#endif
