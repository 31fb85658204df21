/*
 * promptonce.h — the whole native contract of promptonce: a minimal C ABI over LibTorch.
 *
 * Generic: it loads TorchScript modules, moves tensors in and out, and calls methods. It knows nothing of SAM.
 *
 * THREADING: a po_module may be called from many threads at once; every other handle (po_tensor, po_value,
 * po_stream) is used by one thread at a time (it may move between threads), and no handle may be freed while
 * another thread uses it. Thread counts: po_set_num_threads changes process-wide state (call it once, at start);
 * po_set_thread_num_threads changes only the calling thread's.
 *
 * CONVENTIONS
 * - Every fallible function returns an int32_t status (PO_OK or a po_status code) and, when it fails, fills the
 *   caller-owned po_error (when err is not NULL) with the same code and a NUL-terminated message. On failure no
 *   output handle is written and no state changes, unless a function says otherwise.
 * - Every create has a free; every free accepts NULL and returns nothing.
 * - No C++ exception ever crosses this ABI.
 * - Handles returned through out-parameters are owned by the caller and must be freed exactly once.
 * - Tensors handed out by this library are independent handles: freeing one never invalidates another, even if
 *   they share storage.
 */
#ifndef PROMPTONCE_H
#define PROMPTONCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Raised whenever a function is added or a signature changes; the Java side refuses a mismatching library. */
#define PO_ABI_VERSION 2

/* ---------------------------------------------------------------------------------------------------------- */
/* Status codes and errors                                                                                   */
/* ---------------------------------------------------------------------------------------------------------- */

typedef enum po_status {
    PO_OK = 0,
    PO_ERR_INVALID_ARGUMENT = 1,   /* NULL where a value is required, negative size, unknown enum value, ... */
    PO_ERR_FILE_NOT_FOUND = 2,     /* a file is missing or cannot be read */
    PO_ERR_BAD_MODEL = 3,          /* a file is not a loadable TorchScript module, or a method is unknown */
    PO_ERR_SHAPE_MISMATCH = 4,     /* a shape, dtype, byte count or argument type does not match */
    PO_ERR_OUT_OF_MEMORY = 5,      /* host or device allocation failed */
    PO_ERR_UNSUPPORTED_DEVICE = 6, /* a device (or CUDA streams) that this build or machine does not have */
    PO_ERR_INTERNAL = 7            /* anything else LibTorch raised; the message has its text */
} po_status;

#define PO_ERROR_MESSAGE_SIZE 1024

typedef struct po_error {
    int32_t code;                          /* a po_status */
    char message[PO_ERROR_MESSAGE_SIZE];   /* NUL-terminated, truncated to fit */
} po_error;

/* ---------------------------------------------------------------------------------------------------------- */
/* Enumerations                                                                                              */
/* ---------------------------------------------------------------------------------------------------------- */

typedef enum po_dtype {
    PO_DTYPE_FLOAT32 = 0,
    PO_DTYPE_BFLOAT16 = 1,
    PO_DTYPE_INT32 = 2,
    PO_DTYPE_INT64 = 3,
    PO_DTYPE_UINT8 = 4,
    PO_DTYPE_BOOL = 5,     /* one byte per element, 0 or 1 */
    PO_DTYPE_FLOAT16 = 6,
    PO_DTYPE_FLOAT64 = 7
} po_dtype;

typedef enum po_device_type {
    PO_DEVICE_CPU = 0,
    PO_DEVICE_CUDA = 1
} po_device_type;

/* The kind of a po_value (an argument list, or what a method returned), as po_value_kind() reports it. (The
 * type is po_kind, not po_value_kind: a typedef cannot share its name with the function.) */
typedef enum po_kind {
    PO_VALUE_NONE = 0,
    PO_VALUE_TENSOR = 1,
    PO_VALUE_INT = 2,
    PO_VALUE_DOUBLE = 3,
    PO_VALUE_BOOL = 4,
    PO_VALUE_TUPLE = 5,
    PO_VALUE_LIST = 6,     /* any list: of tensors, ints, doubles, bools or mixed */
    PO_VALUE_STRING = 7,
    PO_VALUE_OTHER = 8     /* dicts, objects, ...: can be inspected by kind only */
} po_kind;

/* Flags for po_module_load. */
#define PO_LOAD_DEFAULT 0u
/* torch.jit.freeze + optimize_for_inference when the module allows it (it must have a forward method and no
 * mutable attributes used by other methods); a module that cannot be frozen is loaded unfrozen, silently. */
#define PO_LOAD_OPTIMIZE 1u

/* Opaque handles. */
typedef struct po_module po_module;   /* a loaded TorchScript module on one device */
typedef struct po_tensor po_tensor;   /* a reference to a tensor (shares storage with LibTorch) */
typedef struct po_value po_value;     /* an argument list being built, or a method's result */
typedef struct po_stream po_stream;   /* a CUDA stream from LibTorch's pool */

/* ---------------------------------------------------------------------------------------------------------- */
/* Runtime                                                                                                   */
/* ---------------------------------------------------------------------------------------------------------- */

/* PO_ABI_VERSION of the compiled library. Never fails. */
int32_t po_abi_version(void);

/* Does nothing and returns PO_OK: measures the cost of one call across the ABI. */
int32_t po_noop(po_error* err);

/* Writes the LibTorch version (e.g. "1.13.1") into buf, NUL-terminated. PO_ERR_INVALID_ARGUMENT if buf is
 * NULL or buf_size is too small for the text and its NUL. */
int32_t po_torch_version(char* buf, size_t buf_size, po_error* err);

/* 1 when this library was compiled against a LibTorch with CUDA, else 0. Never fails. */
int32_t po_cuda_compiled(void);

/* Number of usable CUDA devices (0 on CPU builds or machines without a GPU). */
int32_t po_cuda_device_count(int32_t* count, po_error* err);

/*
 * Intra-op threads of LibTorch, n >= 1: the count for OpenMP work started from the calling thread and the default for
 * threads that have not set their own (LibTorch's rule), and the process-wide count of an OpenBLAS that LibTorch
 * uses (Debian's libtorch-dev), whose own thread pool at::set_num_threads does not reach. po_get_num_threads reads
 * the calling thread's count.
 */
int32_t po_set_num_threads(int32_t n, po_error* err);
int32_t po_get_num_threads(int32_t* n, po_error* err);

/*
 * Intra-op threads for OpenMP work started from the calling thread only, n >= 1: neither the process-wide default
 * nor OpenBLAS's pool changes, so threads running at once may each use their own count. The calling thread first
 * takes the process default (LibTorch's lazy per-thread initialisation), then n. PO_ERR_UNSUPPORTED_DEVICE when
 * LibTorch runs without OpenMP (no per-thread count exists then).
 */
int32_t po_set_thread_num_threads(int32_t n, po_error* err);

/*
 * The process-wide thread count of the OpenBLAS that LibTorch uses, n >= 1, alone (po_set_num_threads sets it with the
 * intra-op count). *applied is 1 when this LibTorch uses OpenBLAS and the count was set, else 0 (nothing to set).
 */
int32_t po_set_blas_num_threads(int32_t n, int32_t* applied, po_error* err);

/* ---------------------------------------------------------------------------------------------------------- */
/* Modules                                                                                                   */
/* ---------------------------------------------------------------------------------------------------------- */

/* Loads a TorchScript file onto a device and puts it in eval mode. path is UTF-8.
 * PO_ERR_FILE_NOT_FOUND: missing or unreadable file. PO_ERR_BAD_MODEL: not a TorchScript archive.
 * PO_ERR_UNSUPPORTED_DEVICE: CUDA asked on a CPU build, or a device index out of range. */
int32_t po_module_load(const char* path, int32_t device_type, int32_t device_index, uint32_t flags,
                       po_module** out, po_error* err);
void po_module_free(po_module* module);

/* Methods of the module (forward included when defined), in a stable order. */
int32_t po_module_method_count(const po_module* module, int32_t* count, po_error* err);
/* Writes the name of method `index` (0 <= index < count) into buf. PO_ERR_INVALID_ARGUMENT when the index is
 * out of range or buf too small. */
int32_t po_module_method_name(const po_module* module, int32_t index, char* buf, size_t buf_size,
                              po_error* err);

/* A tensor attribute of the module (a registered buffer, parameter or tensor attribute), e.g. a constant.
 * PO_ERR_BAD_MODEL when there is no such attribute or it is not a tensor. */
int32_t po_module_attribute(const po_module* module, const char* name, po_tensor** out, po_error* err);

/* Calls method `name` with the arguments in `args` (a list made by po_args_create; NULL = no arguments), under
 * c10::InferenceMode. When stream is not NULL the call runs on that CUDA stream (the module must be on its
 * device). The result is written to *out (free with po_value_free).
 * PO_ERR_BAD_MODEL: no such method. PO_ERR_SHAPE_MISMATCH: wrong argument count or type (the message names
 * the schema). Errors raised inside the method: PO_ERR_SHAPE_MISMATCH when LibTorch reports a size or dtype
 * problem it can be identified as, else PO_ERR_INTERNAL; the message is LibTorch's, without backtrace. */
int32_t po_module_call(po_module* module, const char* name, const po_value* args, po_stream* stream,
                       po_value** out, po_error* err);

/* ---------------------------------------------------------------------------------------------------------- */
/* Tensors                                                                                                   */
/* ---------------------------------------------------------------------------------------------------------- */

/* A new tensor on a device with a copy of data. data holds numel * element-size bytes, C order; data_bytes must
 * equal that exactly (PO_ERR_SHAPE_MISMATCH otherwise). rank 0..16; rank 0 is a scalar (shape may be NULL);
 * every dim >= 0. data may be NULL only when numel is 0. The caller keeps ownership of data. */
int32_t po_tensor_from_data(const void* data, int64_t data_bytes, int32_t dtype, const int64_t* shape,
                            int32_t rank, int32_t device_type, int32_t device_index, po_tensor** out,
                            po_error* err);

/* A new uninitialised contiguous tensor (fill a CPU one through po_tensor_data_ptr: zero-copy). */
int32_t po_tensor_empty(int32_t dtype, const int64_t* shape, int32_t rank, int32_t device_type,
                        int32_t device_index, po_tensor** out, po_error* err);

void po_tensor_free(po_tensor* tensor);

int32_t po_tensor_dtype(const po_tensor* tensor, int32_t* dtype, po_error* err);
int32_t po_tensor_rank(const po_tensor* tensor, int32_t* rank, po_error* err);
/* Writes min(rank, capacity) dims into shape. */
int32_t po_tensor_shape(const po_tensor* tensor, int64_t* shape, int32_t capacity, po_error* err);
int32_t po_tensor_device(const po_tensor* tensor, int32_t* device_type, int32_t* device_index, po_error* err);

/* Pointer to the data of a contiguous CPU tensor (valid while this handle lives and the tensor is not
 * resized), for zero-copy reads and writes. PO_ERR_INVALID_ARGUMENT when the tensor is not on the CPU or not
 * contiguous: use po_tensor_copy_to. */
int32_t po_tensor_data_ptr(const po_tensor* tensor, void** data, po_error* err);

/* Copies the tensor (any device, any layout) into a caller buffer of exactly numel * element-size bytes, C
 * order, same dtype. PO_ERR_SHAPE_MISMATCH when dst_bytes differs. Synchronous. */
int32_t po_tensor_copy_to(const po_tensor* tensor, void* dst, int64_t dst_bytes, po_error* err);

/* A new tensor on another device and/or dtype (dtype < 0 keeps it). With a stream, the copy is queued on it
 * (the caller synchronises before reading on another stream). Always a new handle; shares storage when
 * nothing changes. */
int32_t po_tensor_to(const po_tensor* tensor, int32_t device_type, int32_t device_index, int32_t dtype,
                     po_stream* stream, po_tensor** out, po_error* err);

/* ---------------------------------------------------------------------------------------------------------- */
/* Values: argument lists and results                                                                        */
/* ---------------------------------------------------------------------------------------------------------- */

/* An empty argument list for po_module_call. Arguments are appended in order. */
int32_t po_args_create(po_value** out, po_error* err);
int32_t po_args_add_tensor(po_value* args, const po_tensor* tensor, po_error* err);
int32_t po_args_add_int(po_value* args, int64_t value, po_error* err);
int32_t po_args_add_double(po_value* args, double value, po_error* err);
int32_t po_args_add_bool(po_value* args, int32_t value, po_error* err);
int32_t po_args_add_none(po_value* args, po_error* err);
/* A List[Tensor] argument; count >= 0 (tensors may be NULL when count is 0). */
int32_t po_args_add_tensor_list(po_value* args, const po_tensor* const* tensors, int32_t count, po_error* err);
/* A List[int] argument; count >= 0. */
int32_t po_args_add_int_list(po_value* args, const int64_t* values, int32_t count, po_error* err);

void po_value_free(po_value* value);

int32_t po_value_kind(const po_value* value, int32_t* kind, po_error* err);
/* Element count of a tuple or list (PO_ERR_INVALID_ARGUMENT for other kinds). */
int32_t po_value_size(const po_value* value, int32_t* size, po_error* err);
/* Element `index` of a tuple or list, as a new value handle. */
int32_t po_value_get(const po_value* value, int32_t index, po_value** out, po_error* err);
/* The value as a tensor (new handle), int, double or bool; PO_ERR_SHAPE_MISMATCH when the kind differs. */
int32_t po_value_tensor(const po_value* value, po_tensor** out, po_error* err);
int32_t po_value_int(const po_value* value, int64_t* out, po_error* err);
int32_t po_value_double(const po_value* value, double* out, po_error* err);
int32_t po_value_bool(const po_value* value, int32_t* out, po_error* err);

/* ---------------------------------------------------------------------------------------------------------- */
/* CUDA streams (compiled in only when LibTorch has CUDA; else every function below returns                  */
/* PO_ERR_UNSUPPORTED_DEVICE)                                                                                */
/* ---------------------------------------------------------------------------------------------------------- */

/* A stream from LibTorch's pool on device `device_index`. */
int32_t po_stream_create(int32_t device_index, po_stream** out, po_error* err);
void po_stream_free(po_stream* stream);
/* Waits until all work queued on the stream has finished. */
int32_t po_stream_synchronize(po_stream* stream, po_error* err);

#ifdef __cplusplus
}
#endif

#endif /* PROMPTONCE_H */
