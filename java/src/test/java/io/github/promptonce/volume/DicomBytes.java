package io.github.promptonce.volume;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/** Writes small DICOM Part 10 files for tests, in any of the uncompressed transfer syntaxes. */
final class DicomBytes {
    private record Value(String vr, byte[] bytes, List<DicomBytes> items) {
    }

    String transferSyntax = DicomParser.EXPLICIT_LE;
    boolean preamble = true;
    private final TreeMap<Long, Value> elements = new TreeMap<>();

    private static long key(int tag) {
        return tag & 0xffffffffL;
    }

    DicomBytes str(int tag, String vr, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length % 2 == 1) {
            byte[] p = new byte[b.length + 1];
            System.arraycopy(b, 0, p, 0, b.length);
            p[b.length] = (byte) (vr.equals("UI") ? 0 : ' ');
            b = p;
        }
        elements.put(key(tag), new Value(vr, b, null));
        return this;
    }

    DicomBytes ds(int tag, double... v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append('\\');
            }
            sb.append(String.format(Locale.ROOT, "%.6g", v[i]).replaceAll("(\\.\\d*?)0+($|e)", "$1$2")
                    .replaceAll("\\.($|e)", "$1"));
        }
        return str(tag, "DS", sb.toString());
    }

    DicomBytes is(int tag, long v) {
        return str(tag, "IS", Long.toString(v));
    }

    DicomBytes us(int tag, int v) {
        elements.put(key(tag), new Value("US", new byte[] {(byte) v, (byte) (v >> 8)}, null)); // swapped if BE
        return this;
    }

    DicomBytes raw(int tag, String vr, byte[] b) {
        elements.put(key(tag), new Value(vr, b, null));
        return this;
    }

    DicomBytes sq(int tag, DicomBytes... items) {
        elements.put(key(tag), new Value("SQ", null, List.of(items)));
        return this;
    }

    DicomBytes remove(int tag) {
        elements.remove(key(tag));
        return this;
    }

    /** 16-bit pixels (stored little-endian here, swapped on output for big endian). */
    DicomBytes pixels16(int[] values) {
        byte[] b = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            b[2 * i] = (byte) values[i];
            b[2 * i + 1] = (byte) (values[i] >> 8);
        }
        elements.put(key(DicomParser.TAG_PIXEL_DATA), new Value("OW", b, null));
        return this;
    }

    DicomBytes pixels8(int[] values) {
        byte[] b = new byte[values.length + (values.length % 2)];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        elements.put(key(DicomParser.TAG_PIXEL_DATA), new Value("OB", b, null));
        return this;
    }

    /** A CT image with the usual attributes; pixel values are stored values (HU + 1024). */
    static DicomBytes ct(String series, int rows, int cols, double[] position, double[] orientation, int[] stored) {
        DicomBytes d = new DicomBytes()
                .str(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2")
                .str(0x00080060, "CS", "CT")
                .str(0x0008103E, "LO", "test series")
                .str(0x0020000E, "UI", series)
                .us(0x00280002, 1)
                .str(0x00280004, "CS", "MONOCHROME2")
                .us(0x00280010, rows)
                .us(0x00280011, cols)
                .ds(0x00280030, 0.5, 0.75)
                .us(0x00280100, 16)
                .us(0x00280101, 16)
                .us(0x00280102, 15)
                .us(0x00280103, 1)
                .ds(0x00281052, -1024)
                .ds(0x00281053, 1)
                .pixels16(stored);
        if (position != null) {
            d.ds(0x00200032, position);
        }
        if (orientation != null) {
            d.ds(0x00200037, orientation);
        }
        return d;
    }

    static final double[] AXIAL = {1, 0, 0, 0, 1, 0};

    byte[] build() {
        boolean explicit = !transferSyntax.equals(DicomParser.IMPLICIT_LE);
        ByteOrder order = transferSyntax.equals(DicomParser.EXPLICIT_BE) ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (preamble) {
            out.writeBytes(new byte[128]);
            out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream meta = new ByteArrayOutputStream();
            byte[] ts = (transferSyntax + (transferSyntax.length() % 2 == 1 ? "\0" : ""))
                    .getBytes(StandardCharsets.US_ASCII);
            writeElement(meta, 0x00020010, "UI", ts, null, true, ByteOrder.LITTLE_ENDIAN);
            byte[] m = meta.toByteArray();
            byte[] len = {(byte) m.length, (byte) (m.length >> 8), (byte) (m.length >> 16), (byte) (m.length >> 24)};
            writeElement(out, 0x00020000, "UL", len, null, true, ByteOrder.LITTLE_ENDIAN);
            out.writeBytes(m);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeDataset(body, explicit, order);
        byte[] b = body.toByteArray();
        if (transferSyntax.equals(DicomParser.DEFLATED_LE)) {
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (DeflaterOutputStream d = new DeflaterOutputStream(z, new Deflater(6, true))) {
                d.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            b = z.toByteArray();
        }
        out.writeBytes(b);
        return out.toByteArray();
    }

    private void writeDataset(ByteArrayOutputStream out, boolean explicit, ByteOrder order) {
        for (Map.Entry<Long, Value> e : elements.entrySet()) {
            Value v = e.getValue();
            writeElement(out, (int) (long) e.getKey(), v.vr(), v.bytes(), v.items(), explicit, order);
        }
    }

    private static void writeElement(ByteArrayOutputStream out, int tag, String vr, byte[] value,
                                     List<DicomBytes> items, boolean explicit, ByteOrder order) {
        put16(out, tag >>> 16, order);
        put16(out, tag & 0xffff, order);
        byte[] v = value == null ? null : swapped(vr, value, order);
        long len = items != null ? 0xFFFFFFFFL : v.length;
        if (explicit) {
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            if (List.of("OB", "OW", "SQ", "UN", "UT", "OF", "OD", "OL", "UC", "UR").contains(vr)) {
                put16(out, 0, order);
                put32(out, len, order);
            } else {
                put16(out, (int) len, order);
            }
        } else {
            put32(out, len, order);
        }
        if (items != null) {
            for (DicomBytes item : items) {
                put16(out, 0xFFFE, order);
                put16(out, 0xE000, order);
                put32(out, 0xFFFFFFFFL, order);
                item.writeDataset(out, explicit, order);
                put16(out, 0xFFFE, order);
                put16(out, 0xE00D, order);
                put32(out, 0, order);
            }
            put16(out, 0xFFFE, order);
            put16(out, 0xE0DD, order);
            put32(out, 0, order);
        } else {
            out.writeBytes(v);
        }
    }

    private static byte[] swapped(String vr, byte[] le, ByteOrder order) {
        if (order == ByteOrder.LITTLE_ENDIAN || !(vr.equals("US") || vr.equals("OW") || vr.equals("UL"))) {
            return le;
        }
        int w = vr.equals("UL") ? 4 : 2;
        byte[] b = new byte[le.length];
        for (int i = 0; i + w <= le.length; i += w) {
            for (int k = 0; k < w; k++) {
                b[i + k] = le[i + w - 1 - k];
            }
        }
        return b;
    }

    private static void put16(ByteArrayOutputStream out, int v, ByteOrder o) {
        if (o == ByteOrder.LITTLE_ENDIAN) {
            out.write(v);
            out.write(v >> 8);
        } else {
            out.write(v >> 8);
            out.write(v);
        }
    }

    private static void put32(ByteArrayOutputStream out, long v, ByteOrder o) {
        if (o == ByteOrder.LITTLE_ENDIAN) {
            put16(out, (int) (v & 0xffff), o);
            put16(out, (int) (v >>> 16), o);
        } else {
            put16(out, (int) (v >>> 16), o);
            put16(out, (int) (v & 0xffff), o);
        }
    }

    Path write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, build());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] constant(int n, int value) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
