package io.github.promptonce.volume;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntToDoubleFunction;
import java.util.zip.GZIPOutputStream;

/** Builds small NIfTI-1/2 files in memory for tests, with every header field under control. */
final class NiftiBytes {
    int version = 1;
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    long[] dim = {3, 4, 3, 2, 1, 1, 1, 1};
    int datatype = 4;
    int bitpix = 16;
    double[] pixdim = {1, 1.5, 2, 3, 0, 0, 0, 0};
    double voxOffset = -1; // -1: right after header + extender
    double slope = 1;
    double inter = 0;
    int xyztUnits = 2;
    int qformCode = 0;
    int sformCode = 1;
    double[] quatern = {0, 0, 0, 0, 0, 0};
    double[] srow = {1.5, 0, 0, -10, 0, 2, 0, 20, 0, 0, 3, 30};
    String descrip = "test";
    byte[] magicOverride;
    IntToDoubleFunction values = i -> (i * 7) % 23 - 5; // stored values
    int extraDataBytes = 0; // appended after the data (or negative: cut off)
    boolean gzip;

    NiftiBytes v2() {
        version = 2;
        return this;
    }

    NiftiBytes bigEndian() {
        order = ByteOrder.BIG_ENDIAN;
        return this;
    }

    NiftiBytes type(DataType t) {
        datatype = t.niftiCode();
        bitpix = t.bytes() * 8;
        return this;
    }

    NiftiBytes dims(long... d) {
        dim = new long[] {d.length, 1, 1, 1, 1, 1, 1, 1};
        System.arraycopy(d, 0, dim, 1, d.length);
        return this;
    }

    NiftiBytes gz() {
        gzip = true;
        return this;
    }

    int headerSize() {
        return version == 2 ? 540 : 348;
    }

    long voxelCount() {
        long n = 1;
        for (int i = 1; i <= Math.max(0, Math.min(7, dim[0])); i++) {
            n *= Math.max(0, dim[i]);
        }
        return n;
    }

    int bytesPerVoxel() {
        return DataType.fromNiftiCode(datatype).map(DataType::bytes).orElse(Math.max(1, bitpix / 8));
    }

    byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(headerSize() + 4).order(order);
        long off = voxOffset < 0 ? headerSize() + 4 : (long) voxOffset;
        if (version == 1) {
            b.putInt(0, 348);
            for (int i = 0; i < 8; i++) {
                b.putShort(40 + 2 * i, (short) dim[i]);
            }
            b.putShort(70, (short) datatype);
            b.putShort(72, (short) bitpix);
            for (int i = 0; i < 8; i++) {
                b.putFloat(76 + 4 * i, (float) pixdim[i]);
            }
            b.putFloat(108, voxOffset < 0 ? off : (float) voxOffset);
            b.putFloat(112, (float) slope);
            b.putFloat(116, (float) inter);
            b.put(123, (byte) xyztUnits);
            byte[] d = descrip.getBytes();
            b.put(148, d, 0, Math.min(79, d.length));
            b.putShort(252, (short) qformCode);
            b.putShort(254, (short) sformCode);
            for (int i = 0; i < 6; i++) {
                b.putFloat(256 + 4 * i, (float) quatern[i]);
            }
            for (int i = 0; i < 12; i++) {
                b.putFloat(280 + 4 * i, (float) srow[i]);
            }
            b.put(344, magicOverride != null ? magicOverride : new byte[] {'n', '+', '1', 0});
        } else {
            b.putInt(0, 540);
            b.put(4, magicOverride != null ? magicOverride : NiftiHeader.MAGIC_V2);
            b.putShort(12, (short) datatype);
            b.putShort(14, (short) bitpix);
            for (int i = 0; i < 8; i++) {
                b.putLong(16 + 8 * i, dim[i]);
            }
            for (int i = 0; i < 8; i++) {
                b.putDouble(104 + 8 * i, pixdim[i]);
            }
            b.putLong(168, off);
            b.putDouble(176, slope);
            b.putDouble(184, inter);
            byte[] d = descrip.getBytes();
            b.put(240, d, 0, Math.min(79, d.length));
            b.putInt(344, qformCode);
            b.putInt(348, sformCode);
            for (int i = 0; i < 6; i++) {
                b.putDouble(352 + 8 * i, quatern[i]);
            }
            for (int i = 0; i < 12; i++) {
                b.putDouble(400 + 8 * i, srow[i]);
            }
            b.putInt(500, xyztUnits);
        }
        return b.array();
    }

    /** Encoded stored values for voxel indices [0, n). */
    byte[] data(long n) {
        DataType t = DataType.fromNiftiCode(datatype).orElse(DataType.UINT8);
        ByteBuffer b = ByteBuffer.allocate((int) (n * t.bytes())).order(order);
        for (int i = 0; i < n; i++) {
            double v = values.applyAsDouble(i);
            switch (t) {
                case UINT8, INT8 -> b.put(i, (byte) (long) v);
                case INT16, UINT16 -> b.putShort(2 * i, (short) (long) v);
                case INT32, UINT32 -> b.putInt(4 * i, (int) (long) v);
                case FLOAT32 -> b.putFloat(4 * i, (float) v);
                case FLOAT64 -> b.putDouble(8 * i, v);
            }
        }
        return b.array();
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header();
        out.writeBytes(h);
        long off = voxOffset < 0 ? h.length : (long) voxOffset;
        for (long p = h.length; p < off; p++) {
            out.write(0);
        }
        long n = Math.min(voxelCount(), 1 << 20);
        byte[] data = data(n);
        int len = (int) Math.max(0, data.length + Math.min(0, extraDataBytes));
        out.write(data, 0, len);
        for (int i = 0; i < extraDataBytes; i++) {
            out.write(0x5a);
        }
        byte[] raw = out.toByteArray();
        return gzip ? gzip(raw) : raw;
    }

    static byte[] gzip(byte[] raw) {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
                g.write(raw);
            }
            return bo.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Volume read() throws VolumeFormatException {
        return NiftiReader.read(build(), "test.nii", ReadOptions.defaults());
    }

    Volume read(ReadOptions o) throws VolumeFormatException {
        return NiftiReader.read(build(), "test.nii", o);
    }
}
