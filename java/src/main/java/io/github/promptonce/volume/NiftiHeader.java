package io.github.promptonce.volume;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header that promptonce uses, parsed in the file's byte
 * order, and the encoder for the headers it writes (little-endian, no extensions).
 */
final class NiftiHeader {
    static final int SIZE_V1 = 348;
    static final int SIZE_V2 = 540;
    static final byte[] MAGIC_V2 = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};

    int version;
    ByteOrder order;
    final long[] dim = new long[8];
    int datatype;
    int bitpix;
    final double[] pixdim = new double[8];
    double voxOffset;
    double sclSlope;
    double sclInter;
    int xyztUnits;
    int qformCode;
    int sformCode;
    final double[] quatern = new double[6];
    final double[] srow = new double[12];
    String descrip = "";

    int headerSize() {
        return version == 2 ? SIZE_V2 : SIZE_V1;
    }

    /** Parses {@code b[0..len)}; {@code name} is used in messages. */
    static NiftiHeader parse(byte[] b, int len, String name) throws VolumeFormatException {
        if (len < 4) {
            throw new VolumeFormatException(name + ": file holds only " + len
                    + " bytes; a NIfTI header needs 348 (NIfTI-1) or 540 (NIfTI-2)");
        }
        int le = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int be = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        NiftiHeader h = new NiftiHeader();
        if (le == SIZE_V1 || be == SIZE_V1) {
            h.version = 1;
            h.order = le == SIZE_V1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        } else if (le == SIZE_V2 || be == SIZE_V2) {
            h.version = 2;
            h.order = le == SIZE_V2 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        } else {
            throw new VolumeFormatException(name + ": sizeof_hdr is " + le + " (little-endian; " + be
                    + " big-endian); expected 348 (NIfTI-1) or 540 (NIfTI-2): not a NIfTI file");
        }
        if (len < h.headerSize()) {
            throw new VolumeFormatException(name + ": file ends after " + len + " bytes, inside the NIfTI-"
                    + h.version + " header (" + h.headerSize() + " bytes)");
        }
        ByteBuffer bb = ByteBuffer.wrap(b, 0, h.headerSize()).order(h.order);
        if (h.version == 1) {
            h.parseV1(bb, b, name);
        } else {
            h.parseV2(bb, b, name);
        }
        return h;
    }

    private void parseV1(ByteBuffer bb, byte[] b, String name) throws VolumeFormatException {
        String magic = ascii(b, 344, 4);
        if (magic.equals("ni1")) {
            throw new VolumeFormatException(name + ": magic \"ni1\" marks a NIfTI-1 header/image pair (.hdr + .img),"
                    + " which is not supported; expected a single .nii/.nii.gz file (magic \"n+1\")");
        }
        if (!magic.equals("n+1") || b[347] != 0) {
            throw new VolumeFormatException(name + ": wrong magic " + quoted(b, 344, 4)
                    + " at byte 344; expected \"n+1\" (single-file NIfTI-1)");
        }
        for (int i = 0; i < 8; i++) {
            dim[i] = bb.getShort(40 + 2 * i);
        }
        datatype = bb.getShort(70);
        bitpix = bb.getShort(72);
        for (int i = 0; i < 8; i++) {
            pixdim[i] = bb.getFloat(76 + 4 * i);
        }
        voxOffset = bb.getFloat(108);
        sclSlope = bb.getFloat(112);
        sclInter = bb.getFloat(116);
        xyztUnits = b[123] & 0xff;
        descrip = ascii(b, 148, 80);
        qformCode = bb.getShort(252);
        sformCode = bb.getShort(254);
        for (int i = 0; i < 6; i++) {
            quatern[i] = bb.getFloat(256 + 4 * i);
        }
        for (int i = 0; i < 12; i++) {
            srow[i] = bb.getFloat(280 + 4 * i);
        }
    }

    private void parseV2(ByteBuffer bb, byte[] b, String name) throws VolumeFormatException {
        boolean ok = true;
        for (int i = 0; i < 8; i++) {
            ok &= b[4 + i] == MAGIC_V2[i];
        }
        if (!ok) {
            if (ascii(b, 4, 4).equals("ni2")) {
                throw new VolumeFormatException(name + ": magic \"ni2\" marks a NIfTI-2 header/image pair, which is"
                        + " not supported; expected a single .nii/.nii.gz file (magic \"n+2\")");
            }
            throw new VolumeFormatException(name + ": wrong magic " + quoted(b, 4, 8)
                    + " at byte 4; expected \"n+2\\0\\r\\n\\032\\n\" (single-file NIfTI-2)");
        }
        datatype = bb.getShort(12);
        bitpix = bb.getShort(14);
        for (int i = 0; i < 8; i++) {
            dim[i] = bb.getLong(16 + 8 * i);
        }
        for (int i = 0; i < 8; i++) {
            pixdim[i] = bb.getDouble(104 + 8 * i);
        }
        long off = bb.getLong(168);
        voxOffset = off;
        if (off < 0 || off > (1L << 53)) {
            voxOffset = off < 0 ? -1 : Double.POSITIVE_INFINITY;
        }
        sclSlope = bb.getDouble(176);
        sclInter = bb.getDouble(184);
        descrip = ascii(b, 240, 80);
        qformCode = bb.getInt(344);
        sformCode = bb.getInt(348);
        for (int i = 0; i < 6; i++) {
            quatern[i] = bb.getDouble(352 + 8 * i);
        }
        for (int i = 0; i < 12; i++) {
            srow[i] = bb.getDouble(400 + 8 * i);
        }
        xyztUnits = bb.getInt(500);
    }

    /** The geometry as read. */
    Geometry geometry() {
        return new Geometry(version, pixdim, xyztUnits, qformCode, quatern, sformCode, srow, descrip);
    }

    /**
     * A little-endian header plus the 4-byte extender (no extensions), so the data starts right after:
     * 352 bytes for NIfTI-1, 544 for NIfTI-2.
     */
    static byte[] encode(int version, int nx, int ny, int nz, DataType type, Geometry g, double slope, double inter,
                         String description) {
        double[] pix = g.pixdim();
        double[] q = g.quaternion();
        double[] s = g.srow();
        byte[] desc = asciiBytes(description, 79);
        if (version == 2) {
            ByteBuffer bb = ByteBuffer.allocate(SIZE_V2 + 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.putInt(0, SIZE_V2);
            bb.put(4, MAGIC_V2);
            bb.putShort(12, (short) type.niftiCode());
            bb.putShort(14, (short) (type.bytes() * 8));
            long[] d = {3, nx, ny, nz, 1, 1, 1, 1};
            for (int i = 0; i < 8; i++) {
                bb.putLong(16 + 8 * i, d[i]);
            }
            for (int i = 0; i < 8; i++) {
                bb.putDouble(104 + 8 * i, pix[i]);
            }
            bb.putLong(168, SIZE_V2 + 4);
            bb.putDouble(176, slope);
            bb.putDouble(184, inter);
            bb.put(240, desc);
            bb.putInt(344, g.qformCode());
            bb.putInt(348, g.sformCode());
            for (int i = 0; i < 6; i++) {
                bb.putDouble(352 + 8 * i, q[i]);
            }
            for (int i = 0; i < 12; i++) {
                bb.putDouble(400 + 8 * i, s[i]);
            }
            bb.putInt(500, g.xyztUnits());
            return bb.array();
        }
        ByteBuffer bb = ByteBuffer.allocate(SIZE_V1 + 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0, SIZE_V1);
        bb.put(38, (byte) 'r');
        short[] d = {3, (short) nx, (short) ny, (short) nz, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) {
            bb.putShort(40 + 2 * i, d[i]);
        }
        bb.putShort(70, (short) type.niftiCode());
        bb.putShort(72, (short) (type.bytes() * 8));
        for (int i = 0; i < 8; i++) {
            bb.putFloat(76 + 4 * i, (float) pix[i]);
        }
        bb.putFloat(108, SIZE_V1 + 4);
        bb.putFloat(112, (float) slope);
        bb.putFloat(116, (float) inter);
        bb.put(123, (byte) g.xyztUnits());
        bb.put(148, desc);
        bb.putShort(252, (short) g.qformCode());
        bb.putShort(254, (short) g.sformCode());
        for (int i = 0; i < 6; i++) {
            bb.putFloat(256 + 4 * i, (float) q[i]);
        }
        for (int i = 0; i < 12; i++) {
            bb.putFloat(280 + 4 * i, (float) s[i]);
        }
        bb.put(344, new byte[] {'n', '+', '1', 0});
        return bb.array();
    }

    private static byte[] asciiBytes(String s, int max) {
        byte[] out = new byte[Math.min(max, s.length())];
        for (int i = 0; i < out.length; i++) {
            char c = s.charAt(i);
            out[i] = (byte) (c >= 32 && c < 127 ? c : '?');
        }
        return out;
    }

    /** Printable ASCII up to the first NUL. */
    static String ascii(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = off; i < off + len && i < b.length; i++) {
            if (b[i] == 0) {
                break;
            }
            sb.append(b[i] >= 32 && b[i] < 127 ? (char) b[i] : '?');
        }
        return sb.toString();
    }

    /** The bytes as a quoted string with escapes, for messages. */
    static String quoted(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = off; i < off + len && i < b.length; i++) {
            int c = b[i] & 0xff;
            if (c >= 32 && c < 127 && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append('"').toString();
    }
}
