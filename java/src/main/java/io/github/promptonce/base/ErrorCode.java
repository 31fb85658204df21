package io.github.promptonce.base;

/**
 * What went wrong, as a code. The first seven mirror the native layer's {@code po_status} values one to one
 * (same numbers); the others arise on the Java side only.
 */
public enum ErrorCode {
    /** A NULL, negative, out-of-range or otherwise invalid argument ({@code PO_ERR_INVALID_ARGUMENT}). */
    INVALID_ARGUMENT(1),
    /** A file is missing or cannot be read ({@code PO_ERR_FILE_NOT_FOUND}). */
    FILE_NOT_FOUND(2),
    /** Not a loadable TorchScript module, or no such method / attribute ({@code PO_ERR_BAD_MODEL}). */
    BAD_MODEL(3),
    /** A shape, dtype, byte count or argument type does not match ({@code PO_ERR_SHAPE_MISMATCH}). */
    SHAPE_MISMATCH(4),
    /** Host or device memory ran out ({@code PO_ERR_OUT_OF_MEMORY}). */
    OUT_OF_MEMORY(5),
    /** A device this build or machine does not have, or CUDA streams on a CPU build ({@code PO_ERR_UNSUPPORTED_DEVICE}). */
    UNSUPPORTED_DEVICE(6),
    /** Anything else LibTorch raised ({@code PO_ERR_INTERNAL}). */
    INTERNAL(7),
    /** The native library could not be found, loaded or used (Java side only). */
    NATIVE_LIBRARY(-1),
    /** An input file (volume, image stack, DICOM series) is missing, corrupt or unsupported (Java side only). */
    BAD_INPUT(-2),
    /** The operation needs another kind of model, e.g. propagation with a SAM (v1) model (Java side only). */
    UNSUPPORTED_MODEL(-3);

    private final int nativeCode;

    ErrorCode(int nativeCode) {
        this.nativeCode = nativeCode;
    }

    /** The {@code po_status} value, or -1 for codes that exist on the Java side only. */
    public int nativeCode() {
        return nativeCode;
    }

    /** The code for a native status; an unknown status maps to {@link #INTERNAL}. */
    public static ErrorCode fromNative(int status) {
        for (ErrorCode c : values()) {
            if (c.nativeCode == status && status > 0) {
                return c;
            }
        }
        return INTERNAL;
    }
}
