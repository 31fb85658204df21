package io.github.promptonce.runtime;

/** Element types a tensor can cross the runtime boundary with; numbers mirror {@code po_dtype}. */
public enum DType {
    FLOAT32(0, 4),
    BFLOAT16(1, 2),
    INT32(2, 4),
    INT64(3, 8),
    UINT8(4, 1),
    /** One byte per element, 0 or 1. */
    BOOL(5, 1),
    FLOAT16(6, 2),
    FLOAT64(7, 8);

    private final int nativeCode;
    private final int byteSize;

    DType(int nativeCode, int byteSize) {
        this.nativeCode = nativeCode;
        this.byteSize = byteSize;
    }

    public int nativeCode() {
        return nativeCode;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public static DType fromNative(int code) {
        for (DType d : values()) {
            if (d.nativeCode == code) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown native dtype code " + code);
    }
}
