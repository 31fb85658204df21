// The exception boundary of libpromptonce: every exception becomes a po_status and a message.
#include "po_internal.h"

#include <cstring>
#include <new>
#include <stdexcept>

#include <c10/util/Exception.h>

namespace po {

namespace {

// Case-insensitive (ASCII) substring search; allocates nothing, so it is safe while reporting bad_alloc.
bool contains_ci(const char* hay, const char* needle) noexcept {
    if (hay == nullptr || needle == nullptr) {
        return false;
    }
    const size_t n = std::strlen(needle);
    for (const char* h = hay; *h != '\0'; ++h) {
        size_t i = 0;
        while (i < n && h[i] != '\0') {
            char a = h[i];
            char b = needle[i];
            if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
            if (a != b) break;
            ++i;
        }
        if (i == n) {
            return true;
        }
    }
    return false;
}

bool contains_any(const char* message, const char* const* needles) noexcept {
    for (const char* const* p = needles; *p != nullptr; ++p) {
        if (contains_ci(message, *p)) {
            return true;
        }
    }
    return false;
}

// Classification of a LibTorch message that arrived as c10::Error or std::exception (errors raised inside a
// TorchScript method reach us as std::runtime_error: the interpreter rewraps them with a TorchScript traceback).
int32_t classify(const char* message) noexcept {
    if (looks_like_out_of_memory(message)) {
        return PO_ERR_OUT_OF_MEMORY;
    }
    if (looks_like_shape_mismatch(message)) {
        return PO_ERR_SHAPE_MISMATCH;
    }
    return PO_ERR_INTERNAL;
}

}  // namespace

// Allocation failures LibTorch reports as plain c10::Error / runtime_error, by their texts:
//  - CPU:  "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes. Error code 12 (Cannot
//          allocate memory)"
//  - CUDA: "CUDA out of memory. Tried to allocate ..." (c10::OutOfMemoryError where LibTorch has it, but the
//          TorchScript interpreter rewraps it into a runtime_error that keeps the text), "CUDA error: out of
//          memory", cuBLAS/cuDNN "..._STATUS_ALLOC_FAILED" / "NOT_ENOUGH_WORKSPACE" are left to INTERNAL.
bool looks_like_out_of_memory(const char* message) noexcept {
    static const char* const needles[] = {
        "out of memory",
        "can't allocate memory",
        "cannot allocate memory",
        nullptr,
    };
    return contains_any(message, needles);
}

// Size, shape and dtype mismatches, by the texts LibTorch 1.13 .. 2.x uses for them (case-insensitive):
//  - broadcasting:   "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
//                    "... doesn't match the broadcast shape ..."
//  - matmul/linear:  "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", "size mismatch, got ...",
//                    "inconsistent tensor size"
//  - cat/stack:      "Sizes of tensors must match except in dimension 1"
//  - view/reshape:   "shape '[2, 5]' is invalid for input of size 6"
//  - rank:           "Dimension out of range (expected to be in range of [-2, 1], but got 3)",
//                    "Expected 4-dimensional input for 4-dimensional weight ...", "but got input of size",
//                    "number of dims don't match in permute"
//  - dtype:          "expected scalar type Float but found Double", "Expected object of scalar type ...",
//                    "expected mat1 and mat2 to have the same dtype", "... dtype mismatch ..."
//  - argument types: "Expected a value of type 'Tensor' for argument 'x' but instead found type 'int'"
// Anything else raised inside a method is PO_ERR_INTERNAL.
bool looks_like_shape_mismatch(const char* message) noexcept {
    static const char* const needles[] = {
        "must match the size",
        "doesn't match the broadcast shape",
        "shapes cannot be multiplied",
        "size mismatch",
        "inconsistent tensor size",
        "sizes of tensors must match",
        "is invalid for input of size",
        "dimension out of range",
        "-dimensional input",
        "but got input of size",
        "number of dims don't match",
        "expected scalar type",
        "expected object of scalar type",
        "same dtype",
        "dtype mismatch",
        "expected a value of type",
        nullptr,
    };
    return contains_any(message, needles);
}

void fail(int32_t code, std::string message) {
    throw Failure{code, std::move(message)};
}

int32_t report(po_error* err, int32_t code, const char* message) noexcept {
    if (err == nullptr) {
        return code;
    }
    err->code = code;
    if (message == nullptr) {
        message = "";
    }
    const size_t capacity = PO_ERROR_MESSAGE_SIZE - 1;
    size_t len = std::strlen(message);
    if (len <= capacity) {
        std::memcpy(err->message, message, len);
        err->message[len] = '\0';
        return code;
    }
    // Truncate, marking it with "...", and never cut a UTF-8 sequence in two: message[len] is the first byte
    // left out; while it is a continuation byte (10xxxxxx) the character it belongs to started earlier.
    len = capacity - 3;
    while (len > 0 && (static_cast<unsigned char>(message[len]) & 0xC0u) == 0x80u) {
        --len;
    }
    std::memcpy(err->message, message, len);
    std::memcpy(err->message + len, "...", 4);
    return code;
}

int32_t report_current_exception(po_error* err) noexcept {
    try {
        throw;
    } catch (const Failure& f) {
        return report(err, f.code, f.message.c_str());
    } catch (const c10::OutOfMemoryError& e) {
        return report(err, PO_ERR_OUT_OF_MEMORY, e.what_without_backtrace());
    } catch (const c10::Error& e) {
        const char* message = e.what_without_backtrace();
        return report(err, classify(message), message);
    } catch (const std::bad_alloc&) {
        return report(err, PO_ERR_OUT_OF_MEMORY, "out of memory (std::bad_alloc)");
    } catch (const std::exception& e) {
        const char* message = e.what();
        return report(err, classify(message), message);
    } catch (...) {
        return report(err, PO_ERR_INTERNAL, "unknown error");
    }
}

std::string shape_string(const int64_t* dims, size_t rank) {
    std::string s = "[";
    for (size_t i = 0; i < rank; ++i) {
        if (i > 0) {
            s += ',';
        }
        s += std::to_string(dims[i]);
    }
    s += ']';
    return s;
}

std::string shape_string(c10::IntArrayRef dims) {
    return shape_string(dims.data(), dims.size());
}

}  // namespace po
