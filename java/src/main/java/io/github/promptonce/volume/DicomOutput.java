package io.github.promptonce.volume;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DICOM data set being built for writing, Explicit VR Little Endian: elements kept sorted by tag, values padded
 * to even length (UI with NUL, text with a space, binary with 0), sequences written with explicit lengths.
 */
final class DicomOutput {
    private final Map<Integer, byte[]> encoded = new TreeMap<>(Integer::compareUnsigned);

    DicomOutput text(int tag, String vr, String value) {
        byte[] v = (value == null ? "" : value).getBytes(StandardCharsets.ISO_8859_1);
        return put(tag, vr, pad(v, vr.equals("UI") ? (byte) 0 : (byte) ' '));
    }

    DicomOutput us(int tag, int... values) {
        byte[] v = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            v[2 * i] = (byte) values[i];
            v[2 * i + 1] = (byte) (values[i] >>> 8);
        }
        return put(tag, "US", v);
    }

    DicomOutput ul(int tag, long... values) {
        byte[] v = new byte[4 * values.length];
        for (int i = 0; i < values.length; i++) {
            le32(v, 4 * i, values[i]);
        }
        return put(tag, "UL", v);
    }

    /** An attribute tag value (AT): group then element, each little endian. */
    DicomOutput at(int tag, int value) {
        byte[] v = new byte[4];
        v[0] = (byte) (value >>> 16);
        v[1] = (byte) (value >>> 24);
        v[2] = (byte) value;
        v[3] = (byte) (value >>> 8);
        return put(tag, "AT", v);
    }

    DicomOutput bytes(int tag, String vr, byte[] value) {
        return put(tag, vr, pad(value, (byte) 0));
    }

    DicomOutput sequence(int tag, List<DicomOutput> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DicomOutput item : items) {
            byte[] body = item.toBytes();
            byte[] h = new byte[8];
            h[0] = (byte) 0xFE;
            h[1] = (byte) 0xFF;
            h[2] = 0x00;
            h[3] = (byte) 0xE0;
            le32(h, 4, body.length);
            out.writeBytes(h);
            out.writeBytes(body);
        }
        return put(tag, "SQ", out.toByteArray());
    }

    DicomOutput sequence(int tag, DicomOutput item) {
        return sequence(tag, List.of(item));
    }

    /** The encoded elements, in tag order. */
    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : encoded.values()) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    private DicomOutput put(int tag, String vr, byte[] value) {
        boolean longForm = switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
        if (!longForm && value.length > 0xFFFF) {
            throw new IllegalArgumentException(DicomParser.tagText(tag) + " " + vr + " value of " + value.length
                    + " bytes exceeds 65534");
        }
        byte[] e = new byte[(longForm ? 12 : 8) + value.length];
        e[0] = (byte) (tag >>> 16);
        e[1] = (byte) (tag >>> 24);
        e[2] = (byte) tag;
        e[3] = (byte) (tag >>> 8);
        e[4] = (byte) vr.charAt(0);
        e[5] = (byte) vr.charAt(1);
        if (longForm) {
            le32(e, 8, value.length);
            System.arraycopy(value, 0, e, 12, value.length);
        } else {
            e[6] = (byte) value.length;
            e[7] = (byte) (value.length >>> 8);
            System.arraycopy(value, 0, e, 8, value.length);
        }
        encoded.put(tag, e);
        return this;
    }

    private static byte[] pad(byte[] v, byte with) {
        if (v.length % 2 == 0) {
            return v;
        }
        byte[] out = java.util.Arrays.copyOf(v, v.length + 1);
        out[v.length] = with;
        return out;
    }

    static void le32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /** A Part 10 file: preamble, "DICM", file meta group (with its group length), then the data set. */
    static byte[] part10(String sopClassUid, String sopInstanceUid, String implementationUid, String version,
                         DicomOutput dataset) {
        DicomOutput meta = new DicomOutput()
                .bytes(0x00020001, "OB", new byte[] {0, 1})
                .text(0x00020002, "UI", sopClassUid)
                .text(0x00020003, "UI", sopInstanceUid)
                .text(0x00020010, "UI", DicomParser.EXPLICIT_LE)
                .text(0x00020012, "UI", implementationUid)
                .text(0x00020013, "SH", version);
        byte[] metaBytes = meta.toBytes();
        byte[] groupLength = new DicomOutput().ul(0x00020000, metaBytes.length).toBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(groupLength);
        out.writeBytes(metaBytes);
        out.writeBytes(dataset.toBytes());
        return out.toByteArray();
    }
}
