package io.github.promptonce.volume;

import java.util.Locale;
import java.util.Optional;

/**
 * Voxel datatypes promptonce reads and writes, with their NIfTI codes. Every voxel becomes a float32 in a
 * {@link Volume}; this records what the file held.
 */
public enum DataType {
    UINT8(2, 1, "uint8"),
    INT8(256, 1, "int8"),
    INT16(4, 2, "int16"),
    UINT16(512, 2, "uint16"),
    INT32(8, 4, "int32"),
    UINT32(768, 4, "uint32"),
    FLOAT32(16, 4, "float32"),
    FLOAT64(64, 8, "float64");

    private final int niftiCode;
    private final int bytes;
    private final String label;

    DataType(int niftiCode, int bytes, String label) {
        this.niftiCode = niftiCode;
        this.bytes = bytes;
        this.label = label;
    }

    /** The NIfTI {@code datatype} code (e.g. 4 for int16). */
    public int niftiCode() {
        return niftiCode;
    }

    /** Bytes per voxel. */
    public int bytes() {
        return bytes;
    }

    /** Lower-case name as in nibabel / numpy ({@code "int16"}). */
    public String label() {
        return label;
    }

    /** Whether every value of this type is an integer. */
    public boolean isInteger() {
        return this != FLOAT32 && this != FLOAT64;
    }

    /** Smallest value of an integer type (as double); {@code -Double.MAX_VALUE} for float types. */
    public double minValue() {
        return switch (this) {
            case UINT8, UINT16, UINT32 -> 0;
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case FLOAT32, FLOAT64 -> -Double.MAX_VALUE;
        };
    }

    /** Largest value of an integer type (as double); {@code Double.MAX_VALUE} for float types. */
    public double maxValue() {
        return switch (this) {
            case UINT8 -> 255;
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 65535;
            case INT32 -> Integer.MAX_VALUE;
            case UINT32 -> 4294967295.0;
            case FLOAT32, FLOAT64 -> Double.MAX_VALUE;
        };
    }

    /** The supported type with this NIfTI code, if any. */
    public static Optional<DataType> fromNiftiCode(int code) {
        for (DataType t : values()) {
            if (t.niftiCode == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Name of any NIfTI datatype code as in nifti1.h ({@code "complex64"}, {@code "rgb24"}), or "unknown". */
    public static String niftiName(int code) {
        return switch (code) {
            case 0 -> "unknown";
            case 1 -> "binary";
            case 2 -> "uint8";
            case 4 -> "int16";
            case 8 -> "int32";
            case 16 -> "float32";
            case 32 -> "complex64";
            case 64 -> "float64";
            case 128 -> "rgb24";
            case 256 -> "int8";
            case 512 -> "uint16";
            case 768 -> "uint32";
            case 1024 -> "int64";
            case 1280 -> "uint64";
            case 1536 -> "float128";
            case 1792 -> "complex128";
            case 2048 -> "complex256";
            case 2304 -> "rgba32";
            default -> "not a NIfTI datatype";
        };
    }

    /** Parses a label such as {@code "int16"} (case-insensitive). */
    public static DataType parse(String label) {
        String l = label.trim().toLowerCase(Locale.ROOT);
        for (DataType t : values()) {
            if (t.label.equals(l)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown datatype '" + label + "'; expected one of uint8, int8, int16, "
                + "uint16, int32, uint32, float32, float64");
    }

    @Override
    public String toString() {
        return label;
    }
}
