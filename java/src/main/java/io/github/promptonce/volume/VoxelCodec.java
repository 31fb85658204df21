package io.github.promptonce.volume;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Bulk conversion between stored voxel bytes and float32. */
final class VoxelCodec {
    private VoxelCodec() {
    }

    /**
     * Decodes {@code count} voxels of {@code type} from {@code src[off..]} into {@code dst[dstOff..]}, applying
     * {@code v·slope + inter} in double precision when {@code scaled}.
     */
    static void decode(byte[] src, int off, int count, DataType type, ByteOrder order, float[] dst, int dstOff,
                       boolean scaled, double slope, double inter) {
        ByteBuffer bb = ByteBuffer.wrap(src, off, count * type.bytes()).slice().order(order);
        switch (type) {
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    int v = src[off + i] & 0xff;
                    dst[dstOff + i] = scaled ? (float) (v * slope + inter) : v;
                }
            }
            case INT8 -> {
                for (int i = 0; i < count; i++) {
                    int v = src[off + i];
                    dst[dstOff + i] = scaled ? (float) (v * slope + inter) : v;
                }
            }
            case INT16 -> {
                for (int i = 0; i < count; i++) {
                    int v = bb.getShort(2 * i);
                    dst[dstOff + i] = scaled ? (float) (v * slope + inter) : v;
                }
            }
            case UINT16 -> {
                for (int i = 0; i < count; i++) {
                    int v = bb.getShort(2 * i) & 0xffff;
                    dst[dstOff + i] = scaled ? (float) (v * slope + inter) : v;
                }
            }
            case INT32 -> {
                for (int i = 0; i < count; i++) {
                    int v = bb.getInt(4 * i);
                    dst[dstOff + i] = scaled ? (float) (v * slope + inter) : (float) v;
                }
            }
            case UINT32 -> {
                for (int i = 0; i < count; i++) {
                    long v = bb.getInt(4 * i) & 0xffffffffL;
                    dst[dstOff + i] = scaled ? (float) (v * slope + inter) : (float) v;
                }
            }
            case FLOAT32 -> {
                for (int i = 0; i < count; i++) {
                    float v = bb.getFloat(4 * i);
                    dst[dstOff + i] = scaled ? (float) (v * slope + inter) : v;
                }
            }
            case FLOAT64 -> {
                for (int i = 0; i < count; i++) {
                    double v = bb.getDouble(8 * i);
                    dst[dstOff + i] = (float) (scaled ? v * slope + inter : v);
                }
            }
        }
    }

    /**
     * Encodes {@code count} floats as {@code type} (little-endian) into {@code dst[0..]}: stored = round((v − inter)
     * / slope) for integer types. Values must have been checked with {@link #representable}.
     */
    static void encode(float[] src, int off, int count, DataType type, byte[] dst, double slope, double inter) {
        ByteBuffer bb = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN);
        boolean identity = slope == 1 && inter == 0;
        for (int i = 0; i < count; i++) {
            float v = src[off + i];
            switch (type) {
                case FLOAT32 -> bb.putFloat(4 * i, identity ? v : (float) ((v - inter) / slope));
                case FLOAT64 -> bb.putDouble(8 * i, identity ? v : (v - inter) / slope);
                default -> {
                    long s = Math.round(identity ? v : (v - inter) / slope);
                    switch (type) {
                        case UINT8, INT8 -> dst[i] = (byte) s;
                        case INT16, UINT16 -> bb.putShort(2 * i, (short) s);
                        case INT32, UINT32 -> bb.putInt(4 * i, (int) s);
                        default -> throw new AssertionError(type);
                    }
                }
            }
        }
    }

    /**
     * Index of the first voxel that does not survive encoding as {@code type} with this scaling and decoding again
     * exactly, or -1 if all do.
     */
    static int firstUnrepresentable(float[] src, DataType type, double slope, double inter) {
        boolean scaled = !(slope == 1 && inter == 0);
        for (int i = 0; i < src.length; i++) {
            float v = src[i];
            if (!representable(v, type, scaled, slope, inter)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean representable(float v, DataType type, boolean scaled, double slope, double inter) {
        if (type == DataType.FLOAT32 && !scaled) {
            return true;
        }
        if (type == DataType.FLOAT64 && !scaled) {
            return true;
        }
        if (!Float.isFinite(v)) {
            return !type.isInteger();
        }
        double stored = scaled ? (v - inter) / slope : v;
        if (type.isInteger()) {
            long s = Math.round(stored);
            if (s < type.minValue() || s > type.maxValue()) {
                return false;
            }
            float back = scaled ? (float) (s * slope + inter) : (float) s;
            return Float.floatToIntBits(back) == Float.floatToIntBits(v) || back == v;
        }
        if (type == DataType.FLOAT32) {
            float s = (float) stored;
            return (float) (s * slope + inter) == v;
        }
        return (float) (stored * slope + inter) == v;
    }
}
