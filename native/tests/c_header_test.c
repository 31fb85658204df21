/* promptonce.h compiled as plain, strict C (C11, -pedantic -Werror) and linked against libpromptonce. */
#include "promptonce.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                              \
        }                                                                            \
    } while (0)

static void test_runtime(void) {
    po_error err;
    char version[64];
    char tiny[2];
    int32_t count = -1;

    CHECK(po_abi_version() == PO_ABI_VERSION);
    CHECK(po_noop(&err) == PO_OK);
    CHECK(po_noop(NULL) == PO_OK);

    memset(version, 'x', sizeof version);
    CHECK(po_torch_version(version, sizeof version, &err) == PO_OK);
    CHECK(memchr(version, '\0', sizeof version) != NULL);
    CHECK(version[0] >= '0' && version[0] <= '9');
    CHECK(strchr(version, '.') != NULL);

    memset(&err, 0, sizeof err);
    CHECK(po_torch_version(tiny, sizeof tiny, &err) == PO_ERR_INVALID_ARGUMENT);
    CHECK(err.code == PO_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err.message, "too small") != NULL);
    CHECK(po_torch_version(NULL, 64, &err) == PO_ERR_INVALID_ARGUMENT);

    CHECK(po_cuda_compiled() == 0 || po_cuda_compiled() == 1);
    CHECK(po_cuda_device_count(&count, &err) == PO_OK);
    CHECK(count >= 0);
}

static void test_free_null(void) {
    po_module_free(NULL);
    po_tensor_free(NULL);
    po_value_free(NULL);
    po_stream_free(NULL);
}

static void test_float32_round_trip(void) {
    const float data[6] = {1.0f, -2.5f, 3.25f, 0.0f, 1e-3f, 6.0f};
    const int64_t shape[2] = {2, 3};
    float back[6];
    int64_t shape_back[4] = {0, 0, 0, 0};
    int32_t dtype = -1, rank = -1, device_type = -1, device_index = -1;
    void* ptr = NULL;
    po_tensor* t = NULL;
    po_error err;

    CHECK(po_tensor_from_data(data, (int64_t)sizeof data, PO_DTYPE_FLOAT32, shape, 2, PO_DEVICE_CPU, 0, &t, &err) ==
          PO_OK);
    CHECK(t != NULL);
    if (t == NULL) {
        return;
    }
    CHECK(po_tensor_dtype(t, &dtype, &err) == PO_OK && dtype == PO_DTYPE_FLOAT32);
    CHECK(po_tensor_rank(t, &rank, &err) == PO_OK && rank == 2);
    CHECK(po_tensor_shape(t, shape_back, 4, &err) == PO_OK);
    CHECK(shape_back[0] == 2 && shape_back[1] == 3 && shape_back[2] == 0);
    CHECK(po_tensor_device(t, &device_type, &device_index, &err) == PO_OK);
    CHECK(device_type == PO_DEVICE_CPU && device_index == 0);
    memset(back, 0, sizeof back);
    CHECK(po_tensor_copy_to(t, back, (int64_t)sizeof back, &err) == PO_OK);
    CHECK(memcmp(back, data, sizeof data) == 0);
    CHECK(po_tensor_data_ptr(t, &ptr, &err) == PO_OK);
    CHECK(ptr != NULL && memcmp(ptr, data, sizeof data) == 0);
    po_tensor_free(t);
}

static void test_errors(void) {
    const float data[6] = {0};
    const int64_t shape[2] = {2, 3};
    po_tensor* t = NULL;
    po_error err;
    int32_t rank = 0;

    /* err == NULL: the status still comes back, nothing is written. */
    CHECK(po_tensor_from_data(data, 12, PO_DTYPE_FLOAT32, shape, 2, PO_DEVICE_CPU, 0, &t, NULL) ==
          PO_ERR_SHAPE_MISMATCH);
    CHECK(t == NULL);
    CHECK(po_tensor_rank(NULL, &rank, NULL) == PO_ERR_INVALID_ARGUMENT);
    CHECK(po_module_load("/nonexistent/promptonce/model.pt", PO_DEVICE_CPU, 0, PO_LOAD_DEFAULT, NULL, NULL) ==
          PO_ERR_INVALID_ARGUMENT);

    /* With err: code and message. */
    memset(&err, 0, sizeof err);
    CHECK(po_tensor_from_data(data, 12, PO_DTYPE_FLOAT32, shape, 2, PO_DEVICE_CPU, 0, &t, &err) ==
          PO_ERR_SHAPE_MISMATCH);
    CHECK(err.code == PO_ERR_SHAPE_MISMATCH);
    CHECK(strstr(err.message, "data_bytes 12 does not match shape [2,3] float32 (24 bytes)") != NULL);
    CHECK(t == NULL);
}

int main(void) {
    po_kind kind = PO_VALUE_NONE; /* the enum typedefs are usable from C */
    po_status status = PO_OK;
    (void)kind;
    (void)status;
    test_runtime();
    test_free_null();
    test_float32_round_trip();
    test_errors();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("c_header_test: all checks passed\n");
    return 0;
}
