package io.github.promptonce.volume;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed DICOM data set (or sequence item): elements by tag, values kept as bytes in the data set's order. */
final class DicomDataset {
    /** One element: VR ("UN" when implicit and not in the small dictionary), value bytes or null if skipped. */
    record Element(int tag, String vr, long length, byte[] value, List<DicomDataset> items) {
    }

    final ByteOrder order;
    final Map<Integer, Element> elements = new LinkedHashMap<>();

    DicomDataset(ByteOrder order) {
        this.order = order;
    }

    boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    Element get(int tag) {
        return elements.get(tag);
    }

    /** The string value (trailing spaces/NULs trimmed), or null if absent or empty. */
    String string(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.value() == null) {
            return null;
        }
        String s = new String(e.value(), StandardCharsets.ISO_8859_1);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == 0)) {
            end--;
        }
        int start = 0;
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        s = s.substring(start, end);
        return s.isEmpty() ? null : s;
    }

    /** A multi-valued decimal string (DS/IS) as doubles, or null if absent; NaN for an unparsable value. */
    double[] decimals(int tag) {
        String s = string(tag);
        if (s == null) {
            return null;
        }
        String[] parts = s.split("\\\\", -1);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                out[i] = Double.NaN;
            }
        }
        return out;
    }

    /** The first decimal value, or {@code def} if absent or unparsable. */
    double decimal(int tag, double def) {
        double[] d = decimals(tag);
        return d == null || d.length == 0 || Double.isNaN(d[0]) ? def : d[0];
    }

    /** An unsigned short (US) value, or {@code def}; string VRs (IS) are parsed. */
    int uint16(int tag, int def) {
        Element e = elements.get(tag);
        if (e == null || e.value() == null || e.value().length == 0) {
            return def;
        }
        if (isText(e.vr())) {
            double d = decimal(tag, Double.NaN);
            return Double.isNaN(d) ? def : (int) d;
        }
        if (e.value().length < 2) {
            return def;
        }
        return ByteBuffer.wrap(e.value()).order(order).getShort(0) & 0xffff;
    }

    /** An integer string (IS) value, or {@code def}. */
    long integer(int tag, long def) {
        Element e = elements.get(tag);
        if (e == null || e.value() == null) {
            return def;
        }
        if (!isText(e.vr()) && e.value().length >= 2) {
            return e.value().length >= 4 ? ByteBuffer.wrap(e.value()).order(order).getInt(0)
                    : ByteBuffer.wrap(e.value()).order(order).getShort(0) & 0xffff;
        }
        double d = decimal(tag, Double.NaN);
        return Double.isNaN(d) ? def : (long) d;
    }

    /** The first item of a sequence, or null. */
    DicomDataset item(int sequenceTag, int index) {
        Element e = elements.get(sequenceTag);
        if (e == null || e.items() == null || e.items().size() <= index) {
            return null;
        }
        return e.items().get(index);
    }

    /** Number of items in a sequence (0 if absent). */
    int itemCount(int sequenceTag) {
        Element e = elements.get(sequenceTag);
        return e == null || e.items() == null ? 0 : e.items().size();
    }

    private static boolean isText(String vr) {
        return switch (vr) {
            case "IS", "DS", "CS", "LO", "SH", "UI", "ST", "LT", "UT", "PN", "DA", "TM", "DT", "AS", "AE", "UC" -> true;
            default -> false;
        };
    }
}
