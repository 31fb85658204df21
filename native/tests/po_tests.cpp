// C++ tests of every function of promptonce.h and every error code. The TorchScript modules are made here with
// torch::jit::Module::define and saved to a temporary file, so that po_module_load is exercised too.
//
//   po_tests            runs every case
//   po_tests CASE...    runs the named cases (ctest registers one test per case)
#include "promptonce.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

// OpenBLAS, when the LibTorch under test uses it: a weak reference, null where it is absent.
extern "C" int openblas_get_num_threads(void) __attribute__((weak));

namespace fs = std::filesystem;

// ------------------------------------------------------------------------------------------------------------
// A small test harness
// ------------------------------------------------------------------------------------------------------------

static int g_failures = 0;
static bool g_verbose = false;  // PO_TESTS_VERBOSE=1 prints every error message that FAILS checked
static po_error E;  // the error struct of the OK / FAILS macros (single-threaded parts only)

#define EXPECT(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: EXPECT failed: %s\n", __FILE__, __LINE__, #cond); \
            ++g_failures;                                                                 \
        }                                                                                 \
    } while (0)

#define EXPECT_EQ(a, b)                                                                                   \
    do {                                                                                                 \
        const auto va_ = (a);                                                                            \
        const auto vb_ = (b);                                                                            \
        if (!(va_ == vb_)) {                                                                             \
            std::cerr << __FILE__ << ":" << __LINE__ << ": EXPECT_EQ failed: " #a " == " #b " (" << va_ \
                      << " vs " << vb_ << ")\n";                                                         \
            ++g_failures;                                                                                \
        }                                                                                                \
    } while (0)

// The call must return PO_OK.
#define OK(call)                                                                                           \
    do {                                                                                                   \
        std::memset(&E, 0, sizeof E);                                                                      \
        const int32_t rc_ = (call);                                                                        \
        if (rc_ != PO_OK) {                                                                                \
            std::fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #call, rc_, E.message); \
            ++g_failures;                                                                                  \
        }                                                                                                  \
    } while (0)

// The call must return `want`, set E.code to it, and put `needle` in the message.
#define FAILS(want, call, needle)                                                                          \
    do {                                                                                                   \
        std::memset(&E, 0, sizeof E);                                                                      \
        const int32_t rc_ = (call);                                                                        \
        if (rc_ != (want) || E.code != (want) || std::strstr(E.message, (needle)) == nullptr) {           \
            std::fprintf(stderr, "%s:%d: %s: expected %s (%d) with \"%s\", got %d: %s\n", __FILE__, __LINE__, \
                         #call, #want, static_cast<int>(want), (needle), rc_, E.message);                   \
            ++g_failures;                                                                                  \
        } else if (g_verbose) {                                                                            \
            std::printf("%s:%d: %d: %s\n", __FILE__, __LINE__, rc_, E.message);                           \
        }                                                                                                  \
    } while (0)

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using Tensor = std::unique_ptr<po_tensor, Deleter<po_tensor, po_tensor_free>>;
using Value = std::unique_ptr<po_value, Deleter<po_value, po_value_free>>;
using Module = std::unique_ptr<po_module, Deleter<po_module, po_module_free>>;

struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name) {
        path = fs::temp_directory_path() / ("promptonce_tests_" + std::to_string(::getpid()) + "_" + name);
        fs::create_directories(path);
    }
    // Not fs::remove_all: the pip wheels of LibTorch 2.11 (CUDA 13) export their own std::filesystem::remove_all
    // from libtorch.so, which the dynamic linker binds for this binary too and which jumps to a null pointer
    // (seen on the GPU check, 2026-11-28). POSIX nftw does the same job with nothing to interpose.
    ~TempDir() { ::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS); }
    static int remove_entry(const char* p, const struct stat*, int, struct FTW*) {
        ::remove(p);
        return 0;
    }
};

// ------------------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------------------

static Tensor f32(const std::vector<float>& data, const std::vector<int64_t>& shape) {
    po_tensor* t = nullptr;
    OK(po_tensor_from_data(data.data(), static_cast<int64_t>(data.size() * sizeof(float)), PO_DTYPE_FLOAT32,
                           shape.data(), static_cast<int32_t>(shape.size()), PO_DEVICE_CPU, 0, &t, &E));
    return Tensor(t);
}

static Tensor f64(const std::vector<double>& data, const std::vector<int64_t>& shape) {
    po_tensor* t = nullptr;
    OK(po_tensor_from_data(data.data(), static_cast<int64_t>(data.size() * sizeof(double)), PO_DTYPE_FLOAT64,
                           shape.data(), static_cast<int32_t>(shape.size()), PO_DEVICE_CPU, 0, &t, &E));
    return Tensor(t);
}

static std::vector<int64_t> shape_of(const po_tensor* t) {
    int32_t rank = -1;
    OK(po_tensor_rank(t, &rank, &E));
    std::vector<int64_t> shape(rank > 0 ? static_cast<size_t>(rank) : 0);
    OK(po_tensor_shape(t, shape.data(), rank, &E));
    return shape;
}

static std::vector<float> read_f32(const po_tensor* t) {
    int32_t dtype = -1;
    OK(po_tensor_dtype(t, &dtype, &E));
    EXPECT_EQ(dtype, PO_DTYPE_FLOAT32);
    int64_t numel = 1;
    for (int64_t d : shape_of(t)) numel *= d;
    std::vector<float> out(static_cast<size_t>(numel));
    OK(po_tensor_copy_to(t, out.data(), static_cast<int64_t>(out.size() * sizeof(float)), &E));
    return out;
}

static bool near(const std::vector<float>& a, const std::vector<float>& b, float tol = 1e-5f) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::fabs(a[i] - b[i]) > tol) return false;
    }
    return true;
}

static Value new_args() {
    po_value* a = nullptr;
    OK(po_args_create(&a, &E));
    return Value(a);
}

static Value call(po_module* m, const char* name, const po_value* args) {
    po_value* out = nullptr;
    OK(po_module_call(m, name, args, nullptr, &out, &E));
    return Value(out);
}

static Value get(const po_value* v, int32_t i) {
    po_value* out = nullptr;
    OK(po_value_get(v, i, &out, &E));
    return Value(out);
}

static Tensor tensor_of(const po_value* v) {
    po_tensor* t = nullptr;
    OK(po_value_tensor(v, &t, &E));
    return Tensor(t);
}

static int32_t kind_of(const po_value* v) {
    int32_t k = -1;
    OK(po_value_kind(v, &k, &E));
    return k;
}

static int32_t size_of(const po_value* v) {
    int32_t n = -1;
    OK(po_value_size(v, &n, &E));
    return n;
}

static Module load(const std::string& path, uint32_t flags = PO_LOAD_DEFAULT) {
    po_module* m = nullptr;
    OK(po_module_load(path.c_str(), PO_DEVICE_CPU, 0, flags, &m, &E));
    return Module(m);
}

static std::vector<std::string> method_names(const po_module* m) {
    int32_t count = -1;
    OK(po_module_method_count(m, &count, &E));
    std::vector<std::string> names;
    for (int32_t i = 0; i < count; ++i) {
        char buf[128];
        OK(po_module_method_name(m, i, buf, sizeof buf, &E));
        names.emplace_back(buf);
    }
    return names;
}

static const std::vector<std::string> kMethods = {"forward", "kinds",  "fail", "mm",        "transposed",
                                                  "scaled",  "misc",   "count_plus", "as_int16"};

// The test module: every argument kind, every result kind, a method that raises, a matmul, a non-contiguous
// result, a default argument, tensor and non-tensor attributes, a submodule with a buffer.
static std::string save_test_module(const fs::path& dir) {
    torch::jit::Module sub("PoTestSub");
    sub.register_buffer("scale", torch::tensor({2.0f}));
    sub.define(R"JIT(
def forward(self, x: Tensor) -> Tensor:
    return x * self.scale
)JIT");

    torch::jit::Module m("PoTest");
    m.register_buffer("offset", torch::tensor({0.5f, 1.5f, 2.5f}));
    m.register_parameter("weight", torch::full({2, 2}, 3.0f), /*is_buffer=*/false);
    m.register_attribute("count", c10::IntType::get(), c10::IValue(int64_t{7}));
    m.register_module("sub", sub);
    m.define(R"JIT(
def forward(self, x: Tensor) -> Tensor:
    return x * 2.0 + self.offset

def kinds(self, t: Tensor, i: int, f: float, b: bool, o: Optional[Tensor], ts: List[Tensor], il: List[int]) -> Tuple[Tensor, List[Tensor], int, float, bool]:
    total = t
    for u in ts:
        total = total + u
    if o is not None:
        total = total + o
    s = i
    for v in il:
        s = s + v
    return total, ts, s, f * 2.0, not b

def fail(self, x: Tensor) -> Tensor:
    assert x.numel() < 0, "boom from fail"
    return x

def mm(self, a: Tensor, b: Tensor) -> Tensor:
    return torch.matmul(a, b)

def transposed(self, x: Tensor) -> Tensor:
    return x.t()

def scaled(self, x: Tensor, k: int = 3) -> Tensor:
    return self.sub.forward(x) * k

def misc(self) -> Tuple[str, Optional[int], List[float], List[bool], Dict[str, int], List[int]]:
    d: Dict[str, int] = {"a": 1}
    return "hi", None, [1.5, 2.5], [True, False], d, [1, 2, 3]

def count_plus(self, n: int) -> int:
    return self.count + n

def as_int16(self, x: Tensor) -> Tensor:
    return x.to(dtype=2)  # 2 = int16 (ScalarType::Short)
)JIT");
    const fs::path path = dir / "test_module.pt";
    m.save(path.string());
    return path.string();
}

// A module without forward: PO_LOAD_OPTIMIZE cannot freeze it and must fall back silently.
static std::string save_no_forward_module(const fs::path& dir) {
    torch::jit::Module m("PoNoForward");
    m.define(R"JIT(
def encode(self, x: Tensor) -> Tensor:
    return x + 1.0
)JIT");
    const fs::path path = dir / "no_forward.pt";
    m.save(path.string());
    return path.string();
}

static void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

static bool valid_utf8(const char* s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s);
    while (*p != 0) {
        int n = 0;
        if (*p < 0x80) n = 0;
        else if ((*p & 0xE0) == 0xC0) n = 1;
        else if ((*p & 0xF0) == 0xE0) n = 2;
        else if ((*p & 0xF8) == 0xF0) n = 3;
        else return false;
        ++p;
        for (int i = 0; i < n; ++i, ++p) {
            if ((*p & 0xC0) != 0x80) return false;
        }
    }
    return true;
}

// ------------------------------------------------------------------------------------------------------------
// runtime
// ------------------------------------------------------------------------------------------------------------

static void test_runtime() {
    EXPECT_EQ(po_abi_version(), PO_ABI_VERSION);
    OK(po_noop(&E));
    EXPECT_EQ(po_noop(nullptr), PO_OK);

    char version[64];
    OK(po_torch_version(version, sizeof version, &E));
    EXPECT_EQ(std::string(version), std::string(TORCH_VERSION));
    const size_t need = std::strlen(version) + 1;
    std::vector<char> exact(need);
    OK(po_torch_version(exact.data(), need, &E));
    FAILS(PO_ERR_INVALID_ARGUMENT, po_torch_version(exact.data(), need - 1, &E), "too small");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_torch_version(nullptr, 64, &E), "buf is NULL");
    EXPECT_EQ(po_torch_version(exact.data(), 0, nullptr), PO_ERR_INVALID_ARGUMENT);

    int32_t count = -1;
    OK(po_cuda_device_count(&count, &E));
    if (po_cuda_compiled() == 0) {
        EXPECT_EQ(count, 0);
    } else {
        EXPECT_EQ(count, static_cast<int32_t>(torch::cuda::device_count()));
    }
    FAILS(PO_ERR_INVALID_ARGUMENT, po_cuda_device_count(nullptr, &E), "count is NULL");

    int32_t before = 0;
    OK(po_get_num_threads(&before, &E));
    EXPECT(before >= 1);
    OK(po_set_num_threads(1, &E));
    int32_t n = 0;
    OK(po_get_num_threads(&n, &E));
    EXPECT_EQ(n, 1);
    if (openblas_get_num_threads) {
        EXPECT_EQ(openblas_get_num_threads(), 1);  // OpenBLAS's own pool follows (Debian's LibTorch uses it)
    } else {
        std::printf("  (this LibTorch does not use OpenBLAS: its thread count is not checked)\n");
    }
    OK(po_set_num_threads(2, &E));
    OK(po_get_num_threads(&n, &E));
    EXPECT_EQ(n, 2);
    if (openblas_get_num_threads) {
        EXPECT_EQ(openblas_get_num_threads(), 2);
    }
    FAILS(PO_ERR_INVALID_ARGUMENT, po_set_num_threads(0, &E), "number of threads 0 must be >= 1");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_set_num_threads(-3, &E), "-3");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_get_num_threads(nullptr, &E), "n is NULL");
    // a thread's own count: the other thread, the process default and OpenBLAS's pool stay as they were
    OK(po_set_num_threads(2, &E));
    int32_t inThread = 0;
    int32_t threadStatus = -1;
    std::thread worker([&] {
        po_error local{};
        threadStatus = po_set_thread_num_threads(1, &local);
        if (threadStatus == PO_OK) {
            threadStatus = po_get_num_threads(&inThread, &local);
        }
    });
    worker.join();
    EXPECT_EQ(threadStatus, PO_OK);
    EXPECT_EQ(inThread, 1);
    OK(po_get_num_threads(&n, &E));
    EXPECT_EQ(n, 2);
    if (openblas_get_num_threads) {
        EXPECT_EQ(openblas_get_num_threads(), 2);
    }
    int32_t fresh = 0;
    std::thread later([&] { po_get_num_threads(&fresh, nullptr); });
    later.join();
    EXPECT_EQ(fresh, 2);  // a new thread still starts from the process default
    FAILS(PO_ERR_INVALID_ARGUMENT, po_set_thread_num_threads(0, &E), "number of threads 0 must be >= 1");
    int32_t applied = -1;
    OK(po_set_blas_num_threads(1, &applied, &E));
    OK(po_get_num_threads(&n, &E));
    EXPECT_EQ(n, 2);  // the intra-op count stays
    if (openblas_get_num_threads) {
        EXPECT_EQ(applied, 1);
        EXPECT_EQ(openblas_get_num_threads(), 1);
    } else {
        EXPECT_EQ(applied, 0);
    }
    FAILS(PO_ERR_INVALID_ARGUMENT, po_set_blas_num_threads(0, &applied, &E), "number of threads 0 must be >= 1");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_set_blas_num_threads(1, nullptr, &E), "applied is NULL");
    OK(po_set_num_threads(before, &E));

    po_module_free(nullptr);
    po_tensor_free(nullptr);
    po_value_free(nullptr);
    po_stream_free(nullptr);
}

// ------------------------------------------------------------------------------------------------------------
// tensors
// ------------------------------------------------------------------------------------------------------------

static size_t element_size(int32_t dtype) {
    switch (dtype) {
        case PO_DTYPE_FLOAT32: case PO_DTYPE_INT32: return 4;
        case PO_DTYPE_INT64: case PO_DTYPE_FLOAT64: return 8;
        case PO_DTYPE_BFLOAT16: case PO_DTYPE_FLOAT16: return 2;
        default: return 1;  // uint8, bool
    }
}

static void encode(int32_t dtype, double v, uint8_t* out) {
    switch (dtype) {
        case PO_DTYPE_FLOAT32: { float x = static_cast<float>(v); std::memcpy(out, &x, sizeof x); break; }
        case PO_DTYPE_BFLOAT16: { c10::BFloat16 x(static_cast<float>(v)); std::memcpy(out, &x, 2); break; }
        case PO_DTYPE_INT32: { int32_t x = static_cast<int32_t>(v); std::memcpy(out, &x, sizeof x); break; }
        case PO_DTYPE_INT64: { int64_t x = static_cast<int64_t>(v); std::memcpy(out, &x, sizeof x); break; }
        case PO_DTYPE_UINT8: { uint8_t x = static_cast<uint8_t>(v); std::memcpy(out, &x, 1); break; }
        case PO_DTYPE_BOOL: { uint8_t x = v != 0.0 ? 1 : 0; std::memcpy(out, &x, 1); break; }
        case PO_DTYPE_FLOAT16: { c10::Half x(static_cast<float>(v)); std::memcpy(out, &x, 2); break; }
        case PO_DTYPE_FLOAT64: { std::memcpy(out, &v, sizeof v); break; }
        default: break;
    }
}

static void test_dtype_round_trip(int32_t dtype, const std::vector<double>& values) {
    const std::vector<int64_t> shape = {2, 3};
    const size_t es = element_size(dtype);
    std::vector<uint8_t> bytes(values.size() * es);
    for (size_t i = 0; i < values.size(); ++i) encode(dtype, values[i], bytes.data() + i * es);

    po_tensor* raw = nullptr;
    OK(po_tensor_from_data(bytes.data(), static_cast<int64_t>(bytes.size()), dtype, shape.data(), 2, PO_DEVICE_CPU,
                           0, &raw, &E));
    Tensor t(raw);
    EXPECT(t != nullptr);
    if (!t) return;
    int32_t got = -1;
    OK(po_tensor_dtype(t.get(), &got, &E));
    EXPECT_EQ(got, dtype);
    EXPECT(shape_of(t.get()) == shape);
    int32_t dt = -1, di = -1;
    OK(po_tensor_device(t.get(), &dt, &di, &E));
    EXPECT_EQ(dt, PO_DEVICE_CPU);
    EXPECT_EQ(di, 0);

    std::vector<uint8_t> back(bytes.size(), 0xAB);
    OK(po_tensor_copy_to(t.get(), back.data(), static_cast<int64_t>(back.size()), &E));
    EXPECT(back == bytes);
    void* ptr = nullptr;
    OK(po_tensor_data_ptr(t.get(), &ptr, &E));
    EXPECT(ptr != nullptr && std::memcmp(ptr, bytes.data(), bytes.size()) == 0);

    // LibTorch reads the bytes as the values meant: convert to float64 and compare.
    po_tensor* as_f64 = nullptr;
    OK(po_tensor_to(t.get(), PO_DEVICE_CPU, 0, PO_DTYPE_FLOAT64, nullptr, &as_f64, &E));
    Tensor d(as_f64);
    std::vector<double> decoded(values.size());
    OK(po_tensor_copy_to(d.get(), decoded.data(), static_cast<int64_t>(decoded.size() * sizeof(double)), &E));
    for (size_t i = 0; i < values.size(); ++i) {
        const double want = dtype == PO_DTYPE_BOOL ? (values[i] != 0.0 ? 1.0 : 0.0) : values[i];
        if (decoded[i] != want) {
            std::fprintf(stderr, "dtype %d element %zu: decoded %g, want %g\n", dtype, i, decoded[i], want);
            ++g_failures;
        }
    }
}

static void test_tensors() {
    const std::vector<double> floats = {0.0, 1.5, -2.0, 3.25, 4.0, -5.5};
    const std::vector<double> ints = {0.0, 1.0, -2.0, 3.0, 4000.0, -5.0};
    test_dtype_round_trip(PO_DTYPE_FLOAT32, floats);
    test_dtype_round_trip(PO_DTYPE_BFLOAT16, floats);
    test_dtype_round_trip(PO_DTYPE_INT32, ints);
    test_dtype_round_trip(PO_DTYPE_INT64, {0.0, 1.0, -2.0, 3.0, 4e12, -5.0});
    test_dtype_round_trip(PO_DTYPE_UINT8, {0.0, 1.0, 2.0, 3.0, 200.0, 255.0});
    test_dtype_round_trip(PO_DTYPE_BOOL, {0.0, 1.0, 1.0, 0.0, 1.0, 0.0});
    test_dtype_round_trip(PO_DTYPE_FLOAT16, floats);
    test_dtype_round_trip(PO_DTYPE_FLOAT64, {0.0, 1.5, -2.0, 3.25, 1e300, -5.5});

    // Bool: one byte per element; a non-zero byte is true.
    {
        const uint8_t bytes[4] = {0, 2, 255, 1};
        const int64_t shape[1] = {4};
        po_tensor* raw = nullptr;
        OK(po_tensor_from_data(bytes, 4, PO_DTYPE_BOOL, shape, 1, PO_DEVICE_CPU, 0, &raw, &E));
        Tensor t(raw);
        uint8_t back[4] = {9, 9, 9, 9};
        OK(po_tensor_copy_to(t.get(), back, 4, &E));
        EXPECT(back[0] == 0 && back[1] == 1 && back[2] == 1 && back[3] == 1);
        FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_from_data(bytes, 8, PO_DTYPE_BOOL, shape, 1, PO_DEVICE_CPU, 0, &raw, &E),
              "data_bytes 8 does not match shape [4] bool (4 bytes)");
    }

    // Rank 0: a scalar; shape may be NULL.
    {
        const float x = 3.5f;
        po_tensor* raw = nullptr;
        OK(po_tensor_from_data(&x, 4, PO_DTYPE_FLOAT32, nullptr, 0, PO_DEVICE_CPU, 0, &raw, &E));
        Tensor t(raw);
        int32_t rank = -1;
        OK(po_tensor_rank(t.get(), &rank, &E));
        EXPECT_EQ(rank, 0);
        OK(po_tensor_shape(t.get(), nullptr, 0, &E));
        EXPECT(read_f32(t.get()) == std::vector<float>{3.5f});
    }

    // Rank 4.
    {
        std::vector<float> data(2 * 1 * 3 * 2);
        for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i) * 0.5f;
        Tensor t = f32(data, {2, 1, 3, 2});
        EXPECT((shape_of(t.get()) == std::vector<int64_t>{2, 1, 3, 2}));
        EXPECT(read_f32(t.get()) == data);
        // capacity smaller than the rank writes only the first dims
        int64_t dims[3] = {-1, -1, -1};
        OK(po_tensor_shape(t.get(), dims, 2, &E));
        EXPECT(dims[0] == 2 && dims[1] == 1 && dims[2] == -1);
    }

    // Zero-size tensors: data may be NULL, no bytes.
    {
        const int64_t shape[3] = {2, 0, 3};
        po_tensor* raw = nullptr;
        OK(po_tensor_from_data(nullptr, 0, PO_DTYPE_FLOAT32, shape, 3, PO_DEVICE_CPU, 0, &raw, &E));
        Tensor t(raw);
        EXPECT((shape_of(t.get()) == std::vector<int64_t>{2, 0, 3}));
        OK(po_tensor_copy_to(t.get(), nullptr, 0, &E));
        void* p = nullptr;
        OK(po_tensor_data_ptr(t.get(), &p, &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_copy_to(t.get(), &p, 4, &E), "dst_bytes 4 does not match tensor [2,0,3]");
        const float one = 1.0f;  // a non-NULL pointer with 0 bytes is fine too
        OK(po_tensor_from_data(&one, 0, PO_DTYPE_INT64, shape, 3, PO_DEVICE_CPU, 0, &raw, &E));
        po_tensor_free(raw);
        po_tensor* empty = nullptr;
        OK(po_tensor_empty(PO_DTYPE_UINT8, shape, 3, PO_DEVICE_CPU, 0, &empty, &E));
        po_tensor_free(empty);
    }

    // po_tensor_empty: contiguous, writable through data_ptr (zero-copy), read back by copy_to.
    {
        const int64_t shape[2] = {3, 4};
        po_tensor* raw = nullptr;
        OK(po_tensor_empty(PO_DTYPE_INT64, shape, 2, PO_DEVICE_CPU, 0, &raw, &E));
        Tensor t(raw);
        int32_t dtype = -1;
        OK(po_tensor_dtype(t.get(), &dtype, &E));
        EXPECT_EQ(dtype, PO_DTYPE_INT64);
        void* p = nullptr;
        OK(po_tensor_data_ptr(t.get(), &p, &E));
        EXPECT(p != nullptr);
        if (p != nullptr) {
            auto* q = static_cast<int64_t*>(p);
            for (int i = 0; i < 12; ++i) q[i] = i * 7;
        }
        int64_t back[12] = {0};
        OK(po_tensor_copy_to(t.get(), back, sizeof back, &E));
        for (int i = 0; i < 12; ++i) EXPECT_EQ(back[i], i * 7);
    }

    // po_tensor_to: always a new handle; shares storage when nothing changes; independent lifetimes.
    {
        Tensor a = f32({1, 2, 3, 4}, {2, 2});
        po_tensor* same = nullptr;
        OK(po_tensor_to(a.get(), PO_DEVICE_CPU, 0, -1, nullptr, &same, &E));
        EXPECT(same != nullptr && same != a.get());
        void* pa = nullptr;
        void* ps = nullptr;
        OK(po_tensor_data_ptr(a.get(), &pa, &E));
        OK(po_tensor_data_ptr(same, &ps, &E));
        EXPECT(pa == ps);
        a.reset();  // freeing one handle never invalidates another
        EXPECT((read_f32(same) == std::vector<float>{1, 2, 3, 4}));
        po_tensor* as_int = nullptr;
        OK(po_tensor_to(same, PO_DEVICE_CPU, 0, PO_DTYPE_INT32, nullptr, &as_int, &E));
        int32_t ints[4] = {0};
        OK(po_tensor_copy_to(as_int, ints, sizeof ints, &E));
        EXPECT(ints[0] == 1 && ints[3] == 4);
        int32_t dtype = -1;
        OK(po_tensor_dtype(as_int, &dtype, &E));
        EXPECT_EQ(dtype, PO_DTYPE_INT32);
        po_tensor_free(as_int);
        po_tensor_free(same);
    }

    // Many create/free cycles stay cheap and correct.
    for (int i = 0; i < 1000; ++i) {
        Tensor t = f32({static_cast<float>(i)}, {1});
        EXPECT(t != nullptr);
    }
}

static void test_tensor_errors() {
    const float data[6] = {0};
    const int64_t shape[2] = {2, 3};
    po_tensor* out = nullptr;

    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, shape, 2, 0, 0, nullptr, &E),
          "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, 8, shape, 2, 0, 0, &out, &E), "unknown dtype 8");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, -1, shape, 2, 0, 0, &out, &E), "unknown dtype -1");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, shape, 17, 0, 0, &out, &E),
          "rank 17 out of range 0..16");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, shape, -1, 0, 0, &out, &E),
          "rank -1");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, nullptr, 2, 0, 0, &out, &E),
          "shape is NULL but rank is 2");
    const int64_t negative[2] = {2, -3};
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, negative, 2, 0, 0, &out, &E),
          "dim 1 of shape [2,-3] is negative");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(nullptr, 24, PO_DTYPE_FLOAT32, shape, 2, 0, 0, &out, &E),
          "data is NULL");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_from_data(data, 12, PO_DTYPE_FLOAT32, shape, 2, 0, 0, &out, &E),
          "data_bytes 12 does not match shape [2,3] float32 (24 bytes)");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_from_data(data, -1, PO_DTYPE_FLOAT32, shape, 2, 0, 0, &out, &E),
          "data_bytes -1");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_from_data(data, 24, PO_DTYPE_BFLOAT16, shape, 2, 0, 0, &out, &E),
          "does not match shape [2,3] bfloat16 (12 bytes)");
    const int64_t huge[2] = {int64_t{1} << 40, int64_t{1} << 40};
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, huge, 2, 0, 0, &out, &E),
          "overflows int64");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, shape, 2, 5, 0, &out, &E),
          "unknown device type 5");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, shape, 2, 0, -1, &out, &E),
          "device index -1 is negative");
    FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_tensor_from_data(data, 24, PO_DTYPE_FLOAT32, shape, 2, 0, 1, &out, &E),
          "cpu:1");
    EXPECT(out == nullptr);  // no output on failure

    // po_tensor_empty
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_empty(PO_DTYPE_FLOAT32, shape, 2, 0, 0, nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_empty(99, shape, 2, 0, 0, &out, &E), "unknown dtype 99");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_empty(PO_DTYPE_FLOAT32, negative, 2, 0, 0, &out, &E), "negative");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_empty(PO_DTYPE_FLOAT32, shape, 20, 0, 0, &out, &E), "rank 20");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_empty(PO_DTYPE_FLOAT32, huge, 2, 0, 0, &out, &E), "overflows int64");
    // 2^60 float32 elements: 4 EiB, representable but impossible to allocate.
    const int64_t absurd[2] = {int64_t{1} << 40, int64_t{1} << 20};
    FAILS(PO_ERR_OUT_OF_MEMORY, po_tensor_empty(PO_DTYPE_FLOAT32, absurd, 2, 0, 0, &out, &E), "allocate");
    EXPECT(out == nullptr);

    // Queries on NULL handles / NULL outputs.
    Tensor t = f32({1, 2, 3, 4, 5, 6}, {2, 3});
    int32_t i32 = 0;
    int64_t dims[2];
    void* p = nullptr;
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_dtype(nullptr, &i32, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_dtype(t.get(), nullptr, &E), "dtype is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_rank(nullptr, &i32, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_rank(t.get(), nullptr, &E), "rank is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_shape(nullptr, dims, 2, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_shape(t.get(), nullptr, 2, &E), "shape is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_shape(t.get(), dims, -1, &E), "capacity -1 is negative");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_device(nullptr, &i32, &i32, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_device(t.get(), nullptr, &i32, &E), "device_type is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_device(t.get(), &i32, nullptr, &E), "device_index is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_data_ptr(nullptr, &p, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_data_ptr(t.get(), nullptr, &E), "data is NULL");

    // po_tensor_copy_to
    float back[6];
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_copy_to(nullptr, back, 24, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_copy_to(t.get(), nullptr, 24, &E), "dst is NULL");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_copy_to(t.get(), back, 8, &E),
          "dst_bytes 8 does not match tensor [2,3] float32 (24 bytes)");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_copy_to(t.get(), back, 28, &E), "dst_bytes 28");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_copy_to(t.get(), back, -24, &E), "dst_bytes -24");

    // po_tensor_to
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_to(nullptr, 0, 0, -1, nullptr, &out, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_to(t.get(), 0, 0, -1, nullptr, nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_to(t.get(), 0, 0, 42, nullptr, &out, &E), "unknown dtype 42");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_to(t.get(), 3, 0, -1, nullptr, &out, &E), "unknown device type 3");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_to(t.get(), 0, -2, -1, nullptr, &out, &E), "device index -2");
    EXPECT(out == nullptr);

    // The same errors with err == NULL: only the status.
    EXPECT_EQ(po_tensor_from_data(data, 12, PO_DTYPE_FLOAT32, shape, 2, 0, 0, &out, nullptr), PO_ERR_SHAPE_MISMATCH);
    EXPECT_EQ(po_tensor_empty(PO_DTYPE_FLOAT32, absurd, 2, 0, 0, &out, nullptr), PO_ERR_OUT_OF_MEMORY);
    EXPECT_EQ(po_tensor_copy_to(t.get(), back, 8, nullptr), PO_ERR_SHAPE_MISMATCH);
    EXPECT(out == nullptr);
}

// ------------------------------------------------------------------------------------------------------------
// values and argument lists
// ------------------------------------------------------------------------------------------------------------

static void test_values() {
    Value args = new_args();
    EXPECT_EQ(kind_of(args.get()), PO_VALUE_LIST);
    EXPECT_EQ(size_of(args.get()), 0);

    Tensor a = f32({1, 2}, {2});
    Tensor b = f32({3, 4}, {2});
    const po_tensor* pair[2] = {a.get(), b.get()};
    const int64_t ints[3] = {7, 8, 9};
    OK(po_args_add_tensor(args.get(), a.get(), &E));
    OK(po_args_add_int(args.get(), -42, &E));
    OK(po_args_add_double(args.get(), 2.5, &E));
    OK(po_args_add_bool(args.get(), 5, &E));  // any non-zero is true
    OK(po_args_add_bool(args.get(), 0, &E));
    OK(po_args_add_none(args.get(), &E));
    OK(po_args_add_tensor_list(args.get(), pair, 2, &E));
    OK(po_args_add_int_list(args.get(), ints, 3, &E));
    OK(po_args_add_tensor_list(args.get(), nullptr, 0, &E));
    OK(po_args_add_int_list(args.get(), nullptr, 0, &E));
    EXPECT_EQ(size_of(args.get()), 10);

    const std::vector<int32_t> kinds = {PO_VALUE_TENSOR, PO_VALUE_INT,  PO_VALUE_DOUBLE, PO_VALUE_BOOL,
                                        PO_VALUE_BOOL,   PO_VALUE_NONE, PO_VALUE_LIST,   PO_VALUE_LIST,
                                        PO_VALUE_LIST,   PO_VALUE_LIST};
    for (int32_t i = 0; i < 10; ++i) {
        Value v = get(args.get(), i);
        EXPECT_EQ(kind_of(v.get()), kinds[static_cast<size_t>(i)]);
    }
    {
        Value v = get(args.get(), 0);
        Tensor t = tensor_of(v.get());
        EXPECT((read_f32(t.get()) == std::vector<float>{1, 2}));
    }
    {
        Value v = get(args.get(), 1);
        int64_t x = 0;
        OK(po_value_int(v.get(), &x, &E));
        EXPECT_EQ(x, -42);
        double d = 0;
        FAILS(PO_ERR_SHAPE_MISMATCH, po_value_double(v.get(), &d, &E), "value is an int, not a double");
    }
    {
        Value v = get(args.get(), 2);
        double x = 0;
        OK(po_value_double(v.get(), &x, &E));
        EXPECT_EQ(x, 2.5);
    }
    {
        Value t = get(args.get(), 3);
        Value f = get(args.get(), 4);
        int32_t x = -1;
        OK(po_value_bool(t.get(), &x, &E));
        EXPECT_EQ(x, 1);
        OK(po_value_bool(f.get(), &x, &E));
        EXPECT_EQ(x, 0);
    }
    {
        Value none = get(args.get(), 5);
        int32_t x = 0;
        FAILS(PO_ERR_SHAPE_MISMATCH, po_value_bool(none.get(), &x, &E), "value is None, not a bool");
        FAILS(PO_ERR_INVALID_ARGUMENT, po_value_size(none.get(), &x, &E), "value is None, not a tuple or list");
    }
    {
        Value list = get(args.get(), 6);  // List[Tensor]
        EXPECT_EQ(size_of(list.get()), 2);
        Value second = get(list.get(), 1);
        Tensor t = tensor_of(second.get());
        EXPECT((read_f32(t.get()) == std::vector<float>{3, 4}));
        Value ilist = get(args.get(), 7);  // List[int]
        EXPECT_EQ(size_of(ilist.get()), 3);
        Value third = get(ilist.get(), 2);
        int64_t x = 0;
        OK(po_value_int(third.get(), &x, &E));
        EXPECT_EQ(x, 9);
        Value empty = get(args.get(), 9);
        EXPECT_EQ(size_of(empty.get()), 0);
        // elements of a value are not argument lists
        FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_int(list.get(), 1, &E), "not an argument list");
        EXPECT_EQ(size_of(list.get()), 2);
    }

    // Errors; a failed append leaves the list as it was.
    int32_t i32 = 0;
    int64_t i64 = 0;
    double dbl = 0;
    po_value* out = nullptr;
    po_tensor* tout = nullptr;
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_create(nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_tensor(nullptr, a.get(), &E), "args is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_tensor(args.get(), nullptr, &E), "tensor is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_int(nullptr, 1, &E), "args is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_double(nullptr, 1.0, &E), "args is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_bool(nullptr, 1, &E), "args is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_none(nullptr, &E), "args is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_tensor_list(args.get(), pair, -1, &E), "count -1 is negative");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_tensor_list(args.get(), nullptr, 2, &E), "tensors is NULL");
    const po_tensor* with_null[2] = {a.get(), nullptr};
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_tensor_list(args.get(), with_null, 2, &E), "tensors[1] is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_int_list(args.get(), ints, -2, &E), "count -2 is negative");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_args_add_int_list(args.get(), nullptr, 2, &E), "values is NULL");
    EXPECT_EQ(size_of(args.get()), 10);

    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_kind(nullptr, &i32, &E), "value is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_kind(args.get(), nullptr, &E), "kind is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_size(nullptr, &i32, &E), "value is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_size(args.get(), nullptr, &E), "size is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_get(args.get(), 10, &out, &E), "index 10 out of range for a list of size 10");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_get(args.get(), -1, &out, &E), "index -1 out of range");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_get(args.get(), 0, nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_get(nullptr, 0, &out, &E), "value is NULL");
    Value first = get(args.get(), 0);
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_get(first.get(), 0, &out, &E), "value is a tensor, not a tuple or list");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_value_int(first.get(), &i64, &E), "value is a tensor, not an int");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_value_double(first.get(), &dbl, &E), "value is a tensor, not a double");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_value_bool(first.get(), &i32, &E), "value is a tensor, not a bool");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_value_tensor(args.get(), &tout, &E), "value is a list, not a tensor");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_tensor(first.get(), nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_int(first.get(), nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_tensor(nullptr, &tout, &E), "value is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_int(nullptr, &i64, &E), "value is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_double(nullptr, &dbl, &E), "value is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_value_bool(nullptr, &i32, &E), "value is NULL");
    EXPECT(out == nullptr && tout == nullptr);

    // A tensor taken out of a value outlives the value.
    Tensor kept = tensor_of(first.get());
    first.reset();
    args.reset();
    EXPECT((read_f32(kept.get()) == std::vector<float>{1, 2}));
}

// ------------------------------------------------------------------------------------------------------------
// modules: load, methods, attributes
// ------------------------------------------------------------------------------------------------------------

static void test_modules() {
    TempDir dir("modules");
    const std::string path = save_test_module(dir.path);

    Module m = load(path);
    EXPECT(m != nullptr);
    if (!m) return;
    EXPECT(method_names(m.get()) == kMethods);
    Module again = load(path);
    EXPECT(method_names(again.get()) == method_names(m.get()));  // stable order

    char buf[8];
    OK(po_module_method_name(m.get(), 0, buf, 8, &E));  // "forward" + NUL fits exactly
    EXPECT_EQ(std::string(buf), std::string("forward"));
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_method_name(m.get(), 0, buf, 7, &E),
          "buffer of 7 bytes is too small for method name 'forward' (needs 8)");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_method_name(m.get(), 9, buf, 8, &E),
          "method index 9 out of range (the module has 9 methods)");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_method_name(m.get(), -1, buf, 8, &E), "method index -1");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_method_name(m.get(), 0, nullptr, 8, &E), "buf is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_method_name(nullptr, 0, buf, 8, &E), "module is NULL");
    int32_t count = 0;
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_method_count(nullptr, &count, &E), "module is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_method_count(m.get(), nullptr, &E), "count is NULL");

    // Attributes: buffer, parameter, a submodule's buffer.
    po_tensor* raw = nullptr;
    OK(po_module_attribute(m.get(), "offset", &raw, &E));
    Tensor offset(raw);
    EXPECT((read_f32(offset.get()) == std::vector<float>{0.5f, 1.5f, 2.5f}));
    OK(po_module_attribute(m.get(), "weight", &raw, &E));
    Tensor weight(raw);
    EXPECT((read_f32(weight.get()) == std::vector<float>{3, 3, 3, 3}));
    OK(po_module_attribute(m.get(), "sub.scale", &raw, &E));
    Tensor scale(raw);
    EXPECT((read_f32(scale.get()) == std::vector<float>{2.0f}));
    raw = nullptr;
    FAILS(PO_ERR_BAD_MODEL, po_module_attribute(m.get(), "nope", &raw, &E),
          "no attribute 'nope' in module (tensor attributes: offset, weight)");
    FAILS(PO_ERR_BAD_MODEL, po_module_attribute(m.get(), "count", &raw, &E), "attribute 'count' is not a tensor but int");
    FAILS(PO_ERR_BAD_MODEL, po_module_attribute(m.get(), "sub", &raw, &E), "attribute 'sub' is not a tensor");
    FAILS(PO_ERR_BAD_MODEL, po_module_attribute(m.get(), "sub.nope", &raw, &E), "no attribute 'sub.nope'");
    FAILS(PO_ERR_BAD_MODEL, po_module_attribute(m.get(), "offset.x", &raw, &E), "no attribute 'offset.x'");
    FAILS(PO_ERR_BAD_MODEL, po_module_attribute(m.get(), "", &raw, &E), "no attribute ''");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_attribute(m.get(), nullptr, &raw, &E), "name is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_attribute(m.get(), "offset", nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_attribute(nullptr, "offset", &raw, &E), "module is NULL");
    EXPECT(raw == nullptr);

    // The module outlives nothing it handed out: tensors stay valid after po_module_free.
    m.reset();
    again.reset();
    EXPECT((read_f32(offset.get()) == std::vector<float>{0.5f, 1.5f, 2.5f}));

    // Load errors.
    po_module* out = nullptr;
    const std::string missing = (dir.path / "missing.pt").string();
    FAILS(PO_ERR_FILE_NOT_FOUND, po_module_load(missing.c_str(), 0, 0, 0, &out, &E), ("file not found: " + missing).c_str());
    FAILS(PO_ERR_FILE_NOT_FOUND, po_module_load("", 0, 0, 0, &out, &E), "file not found");
    FAILS(PO_ERR_FILE_NOT_FOUND, po_module_load(dir.path.string().c_str(), 0, 0, 0, &out, &E),
          ("not a file but a directory: " + dir.path.string()).c_str());
    const fs::path garbage = dir.path / "garbage.pt";
    write_file(garbage, "this is not a TorchScript archive\n");
    FAILS(PO_ERR_BAD_MODEL, po_module_load(garbage.string().c_str(), 0, 0, 0, &out, &E),
          ("not a loadable TorchScript module: " + garbage.string()).c_str());
    const fs::path empty = dir.path / "empty.pt";
    write_file(empty, "");
    FAILS(PO_ERR_BAD_MODEL, po_module_load(empty.string().c_str(), 0, 0, 0, &out, &E), "not a loadable TorchScript");
    const fs::path truncated = dir.path / "truncated.pt";
    {
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        write_file(truncated, bytes.substr(0, bytes.size() / 2));
    }
    FAILS(PO_ERR_BAD_MODEL, po_module_load(truncated.string().c_str(), 0, 0, 0, &out, &E), "not a loadable");
    if (::geteuid() != 0) {
        const fs::path unreadable = dir.path / "unreadable.pt";
        fs::copy_file(path, unreadable);
        fs::permissions(unreadable, fs::perms::none);
        FAILS(PO_ERR_FILE_NOT_FOUND, po_module_load(unreadable.string().c_str(), 0, 0, 0, &out, &E),
              "file cannot be read");
    } else {
        std::printf("note: running as root, the unreadable-file case cannot be made and is not checked\n");
    }
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_load(nullptr, 0, 0, 0, &out, &E), "path is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_load(path.c_str(), 0, 0, 0, nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_load(path.c_str(), 0, 0, 4u, &out, &E), "unknown load flags 0x4");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_load(path.c_str(), 9, 0, 0, &out, &E), "unknown device type 9");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_load(path.c_str(), 0, -1, 0, &out, &E), "device index -1 is negative");
    FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_module_load(path.c_str(), 0, 3, 0, &out, &E), "cpu:3 does not exist");
    EXPECT(out == nullptr);
    EXPECT_EQ(po_module_load(missing.c_str(), 0, 0, 0, &out, nullptr), PO_ERR_FILE_NOT_FOUND);
    EXPECT_EQ(po_module_load(garbage.string().c_str(), 0, 0, 0, &out, nullptr), PO_ERR_BAD_MODEL);
    EXPECT(out == nullptr);
}

// ------------------------------------------------------------------------------------------------------------
// module calls
// ------------------------------------------------------------------------------------------------------------

// Calls every method of the test module with good arguments and checks what comes back.
static void check_test_module_calls(po_module* m) {
    // forward(x) = 2x + offset
    {
        Tensor x = f32({1, 2, 3, 4, 5, 6}, {2, 3});
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), x.get(), &E));
        Value r = call(m, "forward", args.get());
        EXPECT_EQ(kind_of(r.get()), PO_VALUE_TENSOR);
        Tensor y = tensor_of(r.get());
        EXPECT((shape_of(y.get()) == std::vector<int64_t>{2, 3}));
        EXPECT(near(read_f32(y.get()), {2.5f, 5.5f, 8.5f, 8.5f, 11.5f, 14.5f}));
    }
    // kinds(t, i, f, b, o, ts, il) -> (tensor, list of tensors, int, float, bool); o None and o a tensor
    for (int with_o = 0; with_o < 2; ++with_o) {
        Tensor t = f32({1, 1, 1, 1}, {2, 2});
        Tensor u = f32({2, 2, 2, 2}, {2, 2});
        Tensor v = f32({3, 3, 3, 3}, {2, 2});
        Tensor o = f32({10, 10, 10, 10}, {2, 2});
        const po_tensor* ts[2] = {u.get(), v.get()};
        const int64_t il[3] = {1, 2, 3};
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), t.get(), &E));
        OK(po_args_add_int(args.get(), 5, &E));
        OK(po_args_add_double(args.get(), 1.25, &E));
        OK(po_args_add_bool(args.get(), 1, &E));
        if (with_o) {
            OK(po_args_add_tensor(args.get(), o.get(), &E));
        } else {
            OK(po_args_add_none(args.get(), &E));
        }
        OK(po_args_add_tensor_list(args.get(), ts, 2, &E));
        OK(po_args_add_int_list(args.get(), il, 3, &E));
        Value r = call(m, "kinds", args.get());
        EXPECT_EQ(kind_of(r.get()), PO_VALUE_TUPLE);
        EXPECT_EQ(size_of(r.get()), 5);
        Value total = get(r.get(), 0);
        Tensor tt = tensor_of(total.get());
        const float want = with_o ? 16.0f : 6.0f;
        EXPECT(near(read_f32(tt.get()), {want, want, want, want}));
        Value list = get(r.get(), 1);
        EXPECT_EQ(kind_of(list.get()), PO_VALUE_LIST);
        EXPECT_EQ(size_of(list.get()), 2);
        Value second = get(list.get(), 1);
        Tensor st = tensor_of(second.get());
        EXPECT(near(read_f32(st.get()), {3, 3, 3, 3}));
        Value s = get(r.get(), 2);
        int64_t si = 0;
        OK(po_value_int(s.get(), &si, &E));
        EXPECT_EQ(si, 11);
        Value f = get(r.get(), 3);
        double fd = 0;
        OK(po_value_double(f.get(), &fd, &E));
        EXPECT_EQ(fd, 2.5);
        Value b = get(r.get(), 4);
        int32_t bi = -1;
        OK(po_value_bool(b.get(), &bi, &E));
        EXPECT_EQ(bi, 0);
        int64_t wrong = 0;
        FAILS(PO_ERR_SHAPE_MISMATCH, po_value_int(total.get(), &wrong, &E), "value is a tensor, not an int");
        po_tensor* tw = nullptr;
        FAILS(PO_ERR_SHAPE_MISMATCH, po_value_tensor(r.get(), &tw, &E), "value is a tuple, not a tensor");
    }
    // scaled(x, k=3): default argument, then explicit
    {
        Tensor x = f32({1, 2}, {2});
        Value one = new_args();
        OK(po_args_add_tensor(one.get(), x.get(), &E));
        Value r3 = call(m, "scaled", one.get());
        Tensor y3 = tensor_of(r3.get());
        EXPECT(near(read_f32(y3.get()), {6, 12}));
        Value two = new_args();
        OK(po_args_add_tensor(two.get(), x.get(), &E));
        OK(po_args_add_int(two.get(), 4, &E));
        Value r4 = call(m, "scaled", two.get());
        Tensor y4 = tensor_of(r4.get());
        EXPECT(near(read_f32(y4.get()), {8, 16}));
    }
    // misc(): no arguments (args NULL); string, None, float/bool/int lists, a dict
    {
        Value r = call(m, "misc", nullptr);
        EXPECT_EQ(kind_of(r.get()), PO_VALUE_TUPLE);
        EXPECT_EQ(size_of(r.get()), 6);
        Value s = get(r.get(), 0);
        EXPECT_EQ(kind_of(s.get()), PO_VALUE_STRING);
        Value none = get(r.get(), 1);
        EXPECT_EQ(kind_of(none.get()), PO_VALUE_NONE);
        Value floats = get(r.get(), 2);
        EXPECT_EQ(kind_of(floats.get()), PO_VALUE_LIST);
        EXPECT_EQ(size_of(floats.get()), 2);
        Value f1 = get(floats.get(), 1);
        double d = 0;
        OK(po_value_double(f1.get(), &d, &E));
        EXPECT_EQ(d, 2.5);
        Value bools = get(r.get(), 3);
        EXPECT_EQ(size_of(bools.get()), 2);
        Value b1 = get(bools.get(), 1);
        int32_t bv = -1;
        OK(po_value_bool(b1.get(), &bv, &E));
        EXPECT_EQ(bv, 0);
        Value dict = get(r.get(), 4);
        EXPECT_EQ(kind_of(dict.get()), PO_VALUE_OTHER);
        int32_t n = 0;
        FAILS(PO_ERR_INVALID_ARGUMENT, po_value_size(dict.get(), &n, &E), "not a tuple or list");
        Value ints = get(r.get(), 5);
        EXPECT_EQ(size_of(ints.get()), 3);
        for (int32_t i = 0; i < 3; ++i) {
            Value e = get(ints.get(), i);
            int64_t x = 0;
            OK(po_value_int(e.get(), &x, &E));
            EXPECT_EQ(x, i + 1);
        }
        int64_t not_int = 0;
        FAILS(PO_ERR_SHAPE_MISMATCH, po_value_int(s.get(), &not_int, &E), "value is a string, not an int");
        // an empty argument list is the same as NULL
        Value empty = new_args();
        Value r2 = call(m, "misc", empty.get());
        EXPECT_EQ(size_of(r2.get()), 6);
    }
    // count_plus(n) uses an int attribute
    {
        Value args = new_args();
        OK(po_args_add_int(args.get(), 5, &E));
        Value r = call(m, "count_plus", args.get());
        int64_t x = 0;
        OK(po_value_int(r.get(), &x, &E));
        EXPECT_EQ(x, 12);
    }
    // transposed(x): a non-contiguous result; data_ptr refuses it, copy_to gives it in C order
    {
        Tensor x = f32({1, 2, 3, 4, 5, 6}, {2, 3});
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), x.get(), &E));
        Value r = call(m, "transposed", args.get());
        Tensor y = tensor_of(r.get());
        EXPECT((shape_of(y.get()) == std::vector<int64_t>{3, 2}));
        void* p = nullptr;
        FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_data_ptr(y.get(), &p, &E),
              "tensor [3,2] float32 is not contiguous (strides [1,3]): use po_tensor_copy_to");
        EXPECT(p == nullptr);
        EXPECT((read_f32(y.get()) == std::vector<float>{1, 4, 2, 5, 3, 6}));
        // po_tensor_to to the same device and dtype keeps the layout; a tensor from po_tensor_empty is contiguous
        po_tensor* same = nullptr;
        OK(po_tensor_to(y.get(), PO_DEVICE_CPU, 0, -1, nullptr, &same, &E));
        EXPECT((read_f32(same) == std::vector<float>{1, 4, 2, 5, 3, 6}));
        po_tensor_free(same);
        // handles from one value are independent
        Tensor y2 = tensor_of(r.get());
        y.reset();
        r.reset();
        EXPECT((read_f32(y2.get()) == std::vector<float>{1, 4, 2, 5, 3, 6}));
    }
}

// A dtype promptonce has no code for (int16): dtype refuses it, everything else works.
static void check_foreign_dtype(po_module* m) {
    Tensor x = f32({1, -2, 300}, {3});
    Value args = new_args();
    OK(po_args_add_tensor(args.get(), x.get(), &E));
    Value r = call(m, "as_int16", args.get());
    Tensor y = tensor_of(r.get());
    int32_t dtype = -1;
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_dtype(y.get(), &dtype, &E), "tensor has dtype Short");
    EXPECT_EQ(dtype, -1);
    EXPECT((shape_of(y.get()) == std::vector<int64_t>{3}));
    int16_t raw[3] = {0, 0, 0};
    FAILS(PO_ERR_SHAPE_MISMATCH, po_tensor_copy_to(y.get(), raw, 12, &E), "dst_bytes 12 does not match tensor [3] Short (6 bytes)");
    OK(po_tensor_copy_to(y.get(), raw, sizeof raw, &E));
    EXPECT(raw[0] == 1 && raw[1] == -2 && raw[2] == 300);
    po_tensor* back = nullptr;
    OK(po_tensor_to(y.get(), PO_DEVICE_CPU, 0, PO_DTYPE_FLOAT32, nullptr, &back, &E));
    Tensor b(back);
    EXPECT((read_f32(b.get()) == std::vector<float>{1, -2, 300}));
}

static void test_module_call() {
    TempDir dir("module_call");
    Module m = load(save_test_module(dir.path));
    EXPECT(m != nullptr);
    if (!m) return;
    check_test_module_calls(m.get());
    check_foreign_dtype(m.get());

    // A tensor made by po_tensor_empty and filled through data_ptr is a valid argument.
    const int64_t shape[1] = {3};
    po_tensor* raw = nullptr;
    OK(po_tensor_empty(PO_DTYPE_FLOAT32, shape, 1, PO_DEVICE_CPU, 0, &raw, &E));
    Tensor x(raw);
    void* p = nullptr;
    OK(po_tensor_data_ptr(x.get(), &p, &E));
    if (p != nullptr) {
        auto* f = static_cast<float*>(p);
        f[0] = 1;
        f[1] = 2;
        f[2] = 3;
    }
    Value args = new_args();
    OK(po_args_add_tensor(args.get(), x.get(), &E));
    Value r = call(m.get(), "forward", args.get());
    Tensor y = tensor_of(r.get());
    EXPECT(near(read_f32(y.get()), {2.5f, 5.5f, 8.5f}));
}

static void test_call_errors() {
    TempDir dir("call_errors");
    Module m = load(save_test_module(dir.path));
    EXPECT(m != nullptr);
    if (!m) return;
    po_value* out = nullptr;

    FAILS(PO_ERR_BAD_MODEL, po_module_call(m.get(), "nope", nullptr, nullptr, &out, &E),
          "no method 'nope' in module (methods: forward, kinds, fail, mm, transposed, scaled, misc, count_plus, "
          "as_int16)");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_call(nullptr, "forward", nullptr, nullptr, &out, &E), "module is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_call(m.get(), nullptr, nullptr, nullptr, &out, &E), "name is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_module_call(m.get(), "forward", nullptr, nullptr, nullptr, &E), "out is NULL");

    Tensor a = f32({1, 2, 3, 4, 5, 6}, {2, 3});
    Tensor b = f32(std::vector<float>(20, 1.0f), {4, 5});
    Tensor c = f32({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4});
    Tensor d = f64({1, 2, 3, 4, 5, 6}, {3, 2});

    // Wrong argument count: the message shows the schema.
    FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "forward", nullptr, nullptr, &out, &E),
          "method forward(Tensor x) -> Tensor takes 1 argument(s) but 0 were given");
    {
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), a.get(), &E));
        OK(po_args_add_tensor(args.get(), a.get(), &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "forward", args.get(), nullptr, &out, &E),
              "takes 1 argument(s) but 2 were given");
        OK(po_args_add_int(args.get(), 1, &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "scaled", args.get(), nullptr, &out, &E),
              "method scaled(Tensor x, int k=3) -> Tensor takes 1 to 2 argument(s) but 3 were given");
    }
    // Wrong argument type.
    {
        Value args = new_args();
        OK(po_args_add_int(args.get(), 3, &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "forward", args.get(), nullptr, &out, &E),
              "arguments do not match method forward(Tensor x) -> Tensor");
        Value none = new_args();
        OK(po_args_add_none(none.get(), &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "forward", none.get(), nullptr, &out, &E),
              "arguments do not match method forward");
        Value dbl = new_args();
        OK(po_args_add_tensor(dbl.get(), a.get(), &E));
        OK(po_args_add_double(dbl.get(), 2.0, &E));  // k is an int
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "scaled", dbl.get(), nullptr, &out, &E),
              "arguments do not match method scaled(Tensor x, int k=3) -> Tensor");
        // kinds with an int list where List[Tensor] is expected
        const int64_t il[1] = {1};
        Value k = new_args();
        OK(po_args_add_tensor(k.get(), a.get(), &E));
        OK(po_args_add_int(k.get(), 1, &E));
        OK(po_args_add_double(k.get(), 1.0, &E));
        OK(po_args_add_bool(k.get(), 0, &E));
        OK(po_args_add_none(k.get(), &E));
        OK(po_args_add_int_list(k.get(), il, 1, &E));
        OK(po_args_add_int_list(k.get(), il, 1, &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "kinds", k.get(), nullptr, &out, &E), "List[Tensor] ts");
    }
    // Shape and dtype errors raised inside methods.
    {
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), a.get(), &E));
        OK(po_args_add_tensor(args.get(), b.get(), &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "mm", args.get(), nullptr, &out, &E),
              "shapes cannot be multiplied");
        EXPECT(std::strncmp(E.message, "method 'mm' failed: ", 20) == 0);
        const char* what = std::strstr(E.message, "shapes cannot be multiplied");
        const char* newline = std::strchr(E.message, '\n');
        EXPECT(what != nullptr && (newline == nullptr || what < newline));
        EXPECT(std::strstr(E.message, "Exception raised from") == nullptr);  // no C++ backtrace
        Value mixed = new_args();
        OK(po_args_add_tensor(mixed.get(), a.get(), &E));
        OK(po_args_add_tensor(mixed.get(), d.get(), &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "mm", mixed.get(), nullptr, &out, &E), "method 'mm' failed");
        Value broadcast = new_args();
        OK(po_args_add_tensor(broadcast.get(), c.get(), &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(m.get(), "forward", broadcast.get(), nullptr, &out, &E),
              "must match the size");
    }
    // Anything else raised inside a method is INTERNAL, LibTorch's text first, the TorchScript traceback after.
    {
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), a.get(), &E));
        FAILS(PO_ERR_INTERNAL, po_module_call(m.get(), "fail", args.get(), nullptr, &out, &E), "boom from fail");
        EXPECT(std::strncmp(E.message, "method 'fail' failed: ", 22) == 0);
        // LibTorch's own text is on the first line; the TorchScript traceback follows.
        const char* boom = std::strstr(E.message, "boom from fail");
        const char* newline = std::strchr(E.message, '\n');
        EXPECT(boom != nullptr && (newline == nullptr || boom < newline));
        EXPECT(std::strstr(E.message, "Traceback of TorchScript") != nullptr);
        EXPECT(std::strstr(E.message, "Exception raised from") == nullptr);
        EXPECT_EQ(po_module_call(m.get(), "fail", args.get(), nullptr, &out, nullptr), PO_ERR_INTERNAL);
    }
    // args must be a list made by po_args_create
    {
        Value r = call(m.get(), "misc", nullptr);
        FAILS(PO_ERR_INVALID_ARGUMENT, po_module_call(m.get(), "misc", r.get(), nullptr, &out, &E),
              "args is not an argument list made by po_args_create");
    }
    EXPECT(out == nullptr);

    // Long messages are truncated to the buffer, NUL-terminated, on a UTF-8 boundary, marked with "...".
    {
        std::string name;
        for (int i = 0; i < 700; ++i) name += "\xC3\xA9";  // "é" x 700 = 1400 bytes
        std::memset(&E, 'x', sizeof E);
        EXPECT_EQ(po_module_call(m.get(), name.c_str(), nullptr, nullptr, &out, &E), PO_ERR_BAD_MODEL);
        EXPECT_EQ(E.code, PO_ERR_BAD_MODEL);
        const size_t len = strnlen(E.message, sizeof E.message);
        EXPECT(len < sizeof E.message);
        EXPECT(len >= sizeof E.message - 5);
        EXPECT(len >= 3 && std::strcmp(E.message + len - 3, "...") == 0);
        EXPECT(valid_utf8(E.message));
    }
}

// ------------------------------------------------------------------------------------------------------------
// PO_LOAD_OPTIMIZE
// ------------------------------------------------------------------------------------------------------------

static void test_optimize() {
    TempDir dir("optimize");
    const std::string path = save_test_module(dir.path);

    // This LibTorch can freeze the test module keeping every method, so PO_LOAD_OPTIMIZE takes the optimised
    // path below rather than its fallback.
    {
        torch::jit::Module plain = torch::jit::load(path);
        plain.eval();
        std::vector<std::string> others(kMethods.begin() + 1, kMethods.end());
        torch::jit::Module frozen = torch::jit::freeze(plain, others);
        frozen = torch::jit::optimize_for_inference(frozen, others);
        for (const std::string& name : kMethods) {
            EXPECT(frozen.find_method(name).has_value());
        }
        EXPECT(!frozen.hasattr("offset"));  // folded away: po_module_attribute must still find it
    }

    Module plain = load(path);
    Module fast = load(path, PO_LOAD_OPTIMIZE);
    EXPECT(fast != nullptr);
    if (!fast || !plain) return;
    EXPECT(method_names(fast.get()) == kMethods);
    EXPECT(method_names(fast.get()) == method_names(plain.get()));
    check_test_module_calls(fast.get());

    // Same results as the unoptimised module.
    Tensor x = f32({0.25f, -1, 2, 3.5f, 4, -5}, {2, 3});
    for (const char* name : {"forward", "scaled", "transposed"}) {
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), x.get(), &E));
        Value r1 = call(plain.get(), name, args.get());
        Value r2 = call(fast.get(), name, args.get());
        Tensor t1 = tensor_of(r1.get());
        Tensor t2 = tensor_of(r2.get());
        EXPECT(shape_of(t1.get()) == shape_of(t2.get()));
        EXPECT(near(read_f32(t1.get()), read_f32(t2.get())));
    }
    // Attributes survive freezing (through the unfrozen module kept for them).
    po_tensor* raw = nullptr;
    OK(po_module_attribute(fast.get(), "offset", &raw, &E));
    Tensor offset(raw);
    EXPECT((read_f32(offset.get()) == std::vector<float>{0.5f, 1.5f, 2.5f}));
    OK(po_module_attribute(fast.get(), "sub.scale", &raw, &E));
    po_tensor_free(raw);
    raw = nullptr;
    FAILS(PO_ERR_BAD_MODEL, po_module_attribute(fast.get(), "count", &raw, &E), "not a tensor");
    // Errors map the same way.
    po_value* out = nullptr;
    FAILS(PO_ERR_BAD_MODEL, po_module_call(fast.get(), "nope", nullptr, nullptr, &out, &E), "no method 'nope'");
    FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(fast.get(), "forward", nullptr, nullptr, &out, &E),
          "forward(Tensor x) -> Tensor");
    {
        Tensor b = f32(std::vector<float>(20, 1.0f), {4, 5});
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), x.get(), &E));
        OK(po_args_add_tensor(args.get(), b.get(), &E));
        FAILS(PO_ERR_SHAPE_MISMATCH, po_module_call(fast.get(), "mm", args.get(), nullptr, &out, &E),
              "shapes cannot be multiplied");
        Value one = new_args();
        OK(po_args_add_tensor(one.get(), x.get(), &E));
        FAILS(PO_ERR_INTERNAL, po_module_call(fast.get(), "fail", one.get(), nullptr, &out, &E), "boom from fail");
    }

    // A module that cannot be frozen (no forward) loads unfrozen, silently.
    Module nf = load(save_no_forward_module(dir.path), PO_LOAD_OPTIMIZE);
    EXPECT(nf != nullptr);
    if (nf) {
        EXPECT(method_names(nf.get()) == std::vector<std::string>{"encode"});
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), x.get(), &E));
        Value r = call(nf.get(), "encode", args.get());
        Tensor y = tensor_of(r.get());
        EXPECT(near(read_f32(y.get()), {1.25f, 0, 3, 4.5f, 5, -4}));
    }
}

// ------------------------------------------------------------------------------------------------------------
// concurrency: one module, 8 threads, 100 calls each
// ------------------------------------------------------------------------------------------------------------

static void hammer(po_module* m, const char* label) {
    constexpr int kThreads = 8;
    constexpr int kCalls = 100;
    std::atomic<int> bad{0};
    std::atomic<int> done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCalls; ++i) {
                po_error err;
                const float v = static_cast<float>(t * 1000 + i);
                const std::vector<float> data = {v, v + 1, v + 2};
                const int64_t shape[2] = {1, 3};
                po_tensor* x = nullptr;
                po_value* args = nullptr;
                po_value* result = nullptr;
                po_tensor* y = nullptr;
                const bool scaled = (i % 2) == 1;
                float out[3] = {0, 0, 0};
                bool ok = po_tensor_from_data(data.data(), 12, PO_DTYPE_FLOAT32, shape, 2, PO_DEVICE_CPU, 0, &x,
                                              &err) == PO_OK &&
                          po_args_create(&args, &err) == PO_OK && po_args_add_tensor(args, x, &err) == PO_OK &&
                          (!scaled || po_args_add_int(args, t + 1, &err) == PO_OK) &&
                          po_module_call(m, scaled ? "scaled" : "forward", args, nullptr, &result, &err) == PO_OK &&
                          po_value_tensor(result, &y, &err) == PO_OK &&
                          po_tensor_copy_to(y, out, sizeof out, &err) == PO_OK;
                if (ok) {
                    const float offset[3] = {0.5f, 1.5f, 2.5f};
                    for (int j = 0; j < 3; ++j) {
                        const float want = scaled ? data[static_cast<size_t>(j)] * 2.0f * static_cast<float>(t + 1)
                                                  : data[static_cast<size_t>(j)] * 2.0f + offset[j];
                        if (out[j] != want) ok = false;
                    }
                } else {
                    std::fprintf(stderr, "%s thread %d call %d: %s\n", label, t, i, err.message);
                }
                if (!ok) ++bad;
                ++done;
                po_tensor_free(y);
                po_value_free(result);
                po_value_free(args);
                po_tensor_free(x);
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(done.load(), kThreads * kCalls);
    EXPECT_EQ(bad.load(), 0);
}

static void test_concurrency() {
    TempDir dir("concurrency");
    const std::string path = save_test_module(dir.path);
    Module m = load(path);
    Module fast = load(path, PO_LOAD_OPTIMIZE);
    EXPECT(m != nullptr && fast != nullptr);
    if (!m || !fast) return;
    hammer(m.get(), "plain");
    hammer(fast.get(), "optimized");
}

// ------------------------------------------------------------------------------------------------------------
// devices and CUDA streams
// ------------------------------------------------------------------------------------------------------------

static void test_devices() {
    TempDir dir("devices");
    const std::string path = save_test_module(dir.path);
    Tensor t = f32({1, 2, 3}, {3});
    const float data[3] = {1, 2, 3};
    const int64_t shape[1] = {3};
    po_tensor* tout = nullptr;
    po_module* mout = nullptr;
    po_value* vout = nullptr;
    po_stream* stream = nullptr;
    int32_t count = -1;
    OK(po_cuda_device_count(&count, &E));

    if (po_cuda_compiled() == 0) {
        // A CPU build: CUDA devices and streams are unsupported, whatever the arguments.
        EXPECT_EQ(count, 0);
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_stream_create(0, &stream, &E), "CUDA streams need a LibTorch with CUDA");
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_stream_create(-1, nullptr, &E), "CUDA streams");
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_stream_synchronize(nullptr, &E), "CUDA streams");
        EXPECT_EQ(po_stream_create(0, &stream, nullptr), PO_ERR_UNSUPPORTED_DEVICE);
        EXPECT(stream == nullptr);
        FAILS(PO_ERR_UNSUPPORTED_DEVICE,
              po_tensor_from_data(data, 12, PO_DTYPE_FLOAT32, shape, 1, PO_DEVICE_CUDA, 0, &tout, &E),
              "device cuda:0 requested, but this library was built against a LibTorch without CUDA");
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_tensor_empty(PO_DTYPE_FLOAT32, shape, 1, PO_DEVICE_CUDA, 0, &tout, &E),
              "without CUDA");
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_tensor_to(t.get(), PO_DEVICE_CUDA, 0, -1, nullptr, &tout, &E),
              "without CUDA");
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_module_load(path.c_str(), PO_DEVICE_CUDA, 0, 0, &mout, &E),
              "device cuda:0 requested");
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_module_load(path.c_str(), PO_DEVICE_CUDA, 1, PO_LOAD_OPTIMIZE, &mout, &E),
              "cuda:1");
        // No stream can be made on a CPU build; a non-NULL stream pointer is refused before it is ever read.
        int not_a_stream = 0;
        auto* fake = reinterpret_cast<po_stream*>(&not_a_stream);
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_tensor_to(t.get(), PO_DEVICE_CPU, 0, -1, fake, &tout, &E),
              "a CUDA stream was given");
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_stream_synchronize(fake, &E), "CUDA streams");
        Module m = load(path);
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), t.get(), &E));
        FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_module_call(m.get(), "forward", args.get(), fake, &vout, &E),
              "a CUDA stream was given");
        EXPECT(tout == nullptr && mout == nullptr && vout == nullptr);
        return;
    }

    // A CUDA build.
    FAILS(PO_ERR_INVALID_ARGUMENT, po_stream_synchronize(nullptr, &E), "stream is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_stream_create(0, nullptr, &E), "out is NULL");
    FAILS(PO_ERR_INVALID_ARGUMENT, po_stream_create(-1, &stream, &E), "negative");
    FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_stream_create(count, &stream, &E), "does not exist");
    FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_tensor_empty(PO_DTYPE_FLOAT32, shape, 1, PO_DEVICE_CUDA, count, &tout, &E),
          "does not exist");
    FAILS(PO_ERR_UNSUPPORTED_DEVICE, po_module_load(path.c_str(), PO_DEVICE_CUDA, count, 0, &mout, &E),
          "does not exist");
    if (count == 0) {
        std::printf("note: CUDA build without a GPU: the GPU round trip is not run\n");
        return;
    }
    OK(po_stream_create(0, &stream, &E));
    EXPECT(stream != nullptr);
    po_tensor* on_gpu = nullptr;
    OK(po_tensor_from_data(data, 12, PO_DTYPE_FLOAT32, shape, 1, PO_DEVICE_CUDA, 0, &on_gpu, &E));
    Tensor g(on_gpu);
    int32_t dt = -1, di = -1;
    OK(po_tensor_device(g.get(), &dt, &di, &E));
    EXPECT(dt == PO_DEVICE_CUDA && di == 0);
    void* p = nullptr;
    FAILS(PO_ERR_INVALID_ARGUMENT, po_tensor_data_ptr(g.get(), &p, &E), "not the CPU");
    EXPECT((read_f32(g.get()) == std::vector<float>{1, 2, 3}));
    po_tensor* moved = nullptr;
    OK(po_tensor_to(t.get(), PO_DEVICE_CUDA, 0, -1, stream, &moved, &E));
    Tensor mv(moved);
    Module m;
    {
        po_module* raw = nullptr;
        OK(po_module_load(path.c_str(), PO_DEVICE_CUDA, 0, PO_LOAD_OPTIMIZE, &raw, &E));
        m.reset(raw);
    }
    if (m) {
        Value args = new_args();
        OK(po_args_add_tensor(args.get(), mv.get(), &E));
        OK(po_module_call(m.get(), "forward", args.get(), stream, &vout, &E));
        Value r(vout);
        OK(po_stream_synchronize(stream, &E));
        Tensor y = tensor_of(r.get());
        po_tensor* back = nullptr;
        OK(po_tensor_to(y.get(), PO_DEVICE_CPU, 0, -1, stream, &back, &E));
        OK(po_stream_synchronize(stream, &E));
        Tensor b(back);
        EXPECT(near(read_f32(b.get()), {2.5f, 5.5f, 8.5f}));
        // a CPU module refuses a stream
        Module cpu = load(path);
        po_value* none = nullptr;
        FAILS(PO_ERR_INVALID_ARGUMENT, po_module_call(cpu.get(), "forward", args.get(), stream, &none, &E),
              "the module is on cpu");
    }
    po_stream_free(stream);
}

// ------------------------------------------------------------------------------------------------------------

int main(int argc, char** argv) {
    const std::map<std::string, std::function<void()>> cases = {
        {"runtime", test_runtime},         {"tensors", test_tensors},         {"tensor_errors", test_tensor_errors},
        {"values", test_values},           {"modules", test_modules},         {"module_call", test_module_call},
        {"call_errors", test_call_errors}, {"optimize", test_optimize},       {"concurrency", test_concurrency},
        {"devices", test_devices},
    };
    g_verbose = std::getenv("PO_TESTS_VERBOSE") != nullptr;
    std::vector<std::string> selected;
    for (int i = 1; i < argc; ++i) selected.emplace_back(argv[i]);
    if (selected.empty()) {
        for (const auto& c : cases) selected.push_back(c.first);
    }
    for (const std::string& name : selected) {
        auto it = cases.find(name);
        if (it == cases.end()) {
            std::fprintf(stderr, "unknown test case '%s'\n", name.c_str());
            return 2;
        }
        const int before = g_failures;
        try {
            it->second();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s: unexpected exception: %s\n", name.c_str(), e.what());
            ++g_failures;
        }
        std::printf("%s: %s\n", name.c_str(), g_failures == before ? "passed" : "FAILED");
    }
    return g_failures == 0 ? 0 : 1;
}
