// Internals shared by the translation units of libpromptonce: handle structs, the exception boundary and small
// formatting helpers. Nothing here is part of the public contract (that is include/promptonce.h).
#ifndef PO_INTERNAL_H
#define PO_INTERNAL_H

#include "promptonce.h"

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>
#include <ATen/core/ivalue.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#ifdef PO_WITH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

// Every definition of a function declared in promptonce.h carries PO_EXPORT; the library is compiled with
// -fvisibility=hidden (and linked with a version script), so nothing else is exported.
#define PO_EXPORT __attribute__((visibility("default")))

// ------------------------------------------------------------------------------------------------------------
// Handles
// ------------------------------------------------------------------------------------------------------------

struct po_tensor {
    at::Tensor tensor;
};

struct po_value {
    c10::IValue value;     // for an argument list: a generic list (c10::impl::GenericList of AnyType)
    bool is_args = false;  // true only for lists made by po_args_create (only those accept po_args_add_*)
};

#ifdef PO_WITH_CUDA
struct po_stream {
    c10::cuda::CUDAStream stream;
};
#else
struct po_stream {
    int unused;  // never created on CPU builds
};
#endif

namespace po {

// ------------------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------------------

// Thrown by fail(); turned into a status code at the ABI boundary. Deliberately not a std::exception.
struct Failure {
    int32_t code;
    std::string message;
};

[[noreturn]] void fail(int32_t code, std::string message);

// Classifies the exception being handled (call only inside a catch block) and reports it in err.
int32_t report_current_exception(po_error* err) noexcept;

// Writes code and message (truncated at a UTF-8 boundary, NUL-terminated) into err when it is not NULL;
// returns code.
int32_t report(po_error* err, int32_t code, const char* message) noexcept;

// Heuristics on LibTorch's error texts (see po_error.cpp for the lists).
bool looks_like_out_of_memory(const char* message) noexcept;
bool looks_like_shape_mismatch(const char* message) noexcept;

// The exception boundary: runs body; any exception becomes a status code (and a message in err).
// On success err is left untouched.
template <class F>
int32_t guard(po_error* err, F&& body) noexcept {
    try {
        body();
        return PO_OK;
    } catch (...) {
        return report_current_exception(err);
    }
}

// ------------------------------------------------------------------------------------------------------------
// Formatting
// ------------------------------------------------------------------------------------------------------------

template <class... A>
std::string cat(A&&... parts) {
    std::ostringstream out;
    (out << ... << std::forward<A>(parts));
    return out.str();
}

std::string shape_string(const int64_t* dims, size_t rank);
std::string shape_string(c10::IntArrayRef dims);

// ------------------------------------------------------------------------------------------------------------
// Enumerations and checks shared by modules and tensors
// ------------------------------------------------------------------------------------------------------------

// po_dtype -> ScalarType; false for values outside the enum.
bool to_scalar_type(int32_t dtype, c10::ScalarType* out) noexcept;
// ScalarType -> po_dtype, or -1 when promptonce has no code for it.
int32_t from_scalar_type(c10::ScalarType type) noexcept;
// "float32", "bfloat16", ...; LibTorch's own name for types promptonce does not know.
std::string dtype_name(c10::ScalarType type);

// Validates (device_type, device_index) and returns the LibTorch device.
// PO_ERR_INVALID_ARGUMENT: negative index, unknown type. PO_ERR_UNSUPPORTED_DEVICE: CUDA on a CPU build,
// an index past the devices present (cpu has only index 0).
c10::Device parse_device(int32_t device_type, int32_t device_index);
std::string device_string(const c10::Device& device);

// Throws PO_ERR_INVALID_ARGUMENT (naming `what`) when p is NULL.
inline void require(const void* p, const char* what) {
    if (p == nullptr) {
        fail(PO_ERR_INVALID_ARGUMENT, cat(what, " is NULL"));
    }
}

}  // namespace po

#endif  // PO_INTERNAL_H
