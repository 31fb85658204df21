package io.github.promptonce.volume;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * A small DICOM Part 10 parser: enough to read greyscale images. Parses the file meta group and the data set up to
 * the top-level Pixel Data element, whose position is recorded (the pixels are read later, encapsulated ones by
 * {@link EncapsulatedPixels}). Transfer syntaxes: implicit VR little endian, explicit VR little endian, explicit VR
 * big endian, deflated explicit VR little endian, and the compressed ones (named here, decoded by
 * {@link FrameDecoders}). Files without the 128-byte preamble are accepted
 * when their first element looks like DICOM.
 */
final class DicomParser {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";

    static final int TAG_TRANSFER_SYNTAX = 0x00020010;
    static final int TAG_PIXEL_DATA = 0x7FE00010;
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_DELIM = 0xFFFEE00D;
    private static final int SEQ_DELIM = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int MAX_STORED_VALUE = 1 << 20;
    private static final int MAX_DEPTH = 32;

    private DicomParser() {
    }

    /** A parsed file. {@code pixelOffset} is a position in the data-set stream (inflated for deflated files). */
    record ParsedFile(Path path, String transferSyntax, boolean explicit, ByteOrder order, boolean deflated,
                      long datasetStart, DicomDataset dataset, long pixelOffset, long pixelLength,
                      boolean encapsulated) {
        boolean hasPixelData() {
            return pixelOffset >= 0;
        }
    }

    /** Names of transfer syntaxes, for messages. */
    static String syntaxName(String uid) {
        if (uid == null) {
            return "none";
        }
        return switch (uid) {
            case IMPLICIT_LE -> "Implicit VR Little Endian";
            case EXPLICIT_LE -> "Explicit VR Little Endian";
            case DEFLATED_LE -> "Deflated Explicit VR Little Endian";
            case EXPLICIT_BE -> "Explicit VR Big Endian";
            case "1.2.840.10008.1.2.4.50" -> "JPEG Baseline (Process 1)";
            case "1.2.840.10008.1.2.4.51" -> "JPEG Extended (Process 2 & 4)";
            case "1.2.840.10008.1.2.4.57" -> "JPEG Lossless, Non-Hierarchical (Process 14)";
            case "1.2.840.10008.1.2.4.70" -> "JPEG Lossless, Non-Hierarchical, First-Order Prediction";
            case "1.2.840.10008.1.2.4.80" -> "JPEG-LS Lossless";
            case "1.2.840.10008.1.2.4.81" -> "JPEG-LS Lossy (Near-Lossless)";
            case "1.2.840.10008.1.2.4.90" -> "JPEG 2000 Image Compression (Lossless Only)";
            case "1.2.840.10008.1.2.4.91" -> "JPEG 2000 Image Compression";
            case "1.2.840.10008.1.2.4.92" -> "JPEG 2000 Part 2 Multi-component (Lossless Only)";
            case "1.2.840.10008.1.2.4.93" -> "JPEG 2000 Part 2 Multi-component";
            case "1.2.840.10008.1.2.4.201" -> "High-Throughput JPEG 2000 (Lossless Only)";
            case "1.2.840.10008.1.2.4.202" -> "High-Throughput JPEG 2000 with RPCL (Lossless Only)";
            case "1.2.840.10008.1.2.4.203" -> "High-Throughput JPEG 2000";
            case "1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.101", "1.2.840.10008.1.2.4.102",
                 "1.2.840.10008.1.2.4.103", "1.2.840.10008.1.2.4.104", "1.2.840.10008.1.2.4.105",
                 "1.2.840.10008.1.2.4.106" -> "MPEG video";
            case "1.2.840.10008.1.2.5" -> "RLE Lossless";
            default -> "unknown transfer syntax";
        };
    }

    static boolean isUncompressed(String uid) {
        return IMPLICIT_LE.equals(uid) || EXPLICIT_LE.equals(uid) || DEFLATED_LE.equals(uid)
                || EXPLICIT_BE.equals(uid);
    }

    /** Whether the first bytes of a file look like DICOM (preamble + "DICM", or a plausible first element). */
    static boolean looksLikeDicom(byte[] head, int len) {
        if (len >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') {
            return true;
        }
        return guessRawSyntax(head, len) != null;
    }

    /** For a file without preamble: the transfer syntax its first element suggests, or null if not DICOM-like. */
    static String guessRawSyntax(byte[] h, int len) {
        if (len < 8) {
            return null;
        }
        int groupLe = (h[0] & 0xff) | (h[1] & 0xff) << 8;
        int groupBe = (h[1] & 0xff) | (h[0] & 0xff) << 8;
        boolean vrLetters = isUpper(h[4]) && isUpper(h[5]) && isKnownVr(new String(h, 4, 2, StandardCharsets.US_ASCII));
        if (groupLe == 0x0002 || groupLe == 0x0008) {
            return vrLetters ? EXPLICIT_LE : IMPLICIT_LE;
        }
        if (groupBe == 0x0008 && vrLetters) {
            return EXPLICIT_BE;
        }
        return null;
    }

    private static boolean isUpper(byte b) {
        return b >= 'A' && b <= 'Z';
    }

    static boolean isKnownVr(String vr) {
        return switch (vr) {
            case "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV",
                 "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV" ->
                    true;
            default -> false;
        };
    }

    private static boolean longLength(String vr) {
        return switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    /** VRs of the tags promptonce reads, for implicit VR files (everything else is "UN"). */
    private static String implicitVr(int tag) {
        return switch (tag) {
            case 0x00280002, 0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103, 0x00280006 -> "US";
            case 0x00280008, 0x00200013, 0x00200011 -> "IS";
            case 0x00200032, 0x00200037, 0x00280030, 0x00180050, 0x00180088, 0x00281052, 0x00281053 -> "DS";
            case 0x0020000E, 0x0020000D, 0x00080016, 0x00080018, 0x00020010 -> "UI";
            case 0x00080060, 0x00280004 -> "CS";
            case 0x0008103E -> "LO";
            case 0x52009229, 0x52009230, 0x00209116, 0x00289110, 0x00209113, 0x00289145, 0x00209111 -> "SQ";
            default -> "UN";
        };
    }

    /** Counting input over a stream; byte order switches per data set. */
    static final class Input {
        private InputStream in;
        long pos;
        final long limit; // file size for unencoded streams, or -1

        Input(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        void replace(InputStream next) {
            this.in = next;
        }

        InputStream stream() {
            return in;
        }

        /** Reads exactly n bytes; -1 in the array position means clean EOF before the first byte (returns null). */
        byte[] read(int n, boolean eofOk) throws IOException {
            byte[] b = in.readNBytes(n);
            pos += b.length;
            if (b.length == 0 && eofOk) {
                return null;
            }
            if (b.length < n) {
                throw new EOFException();
            }
            return b;
        }

        void skip(long n) throws IOException {
            long done = 0;
            while (done < n) {
                long k = in.skip(n - done);
                if (k <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException();
                    }
                    k = 1;
                }
                done += k;
            }
            pos += n;
        }
    }

    static int u16(byte[] b, int off, ByteOrder o) {
        return o == ByteOrder.LITTLE_ENDIAN ? (b[off] & 0xff) | (b[off + 1] & 0xff) << 8
                : (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }

    static long u32(byte[] b, int off, ByteOrder o) {
        return o == ByteOrder.LITTLE_ENDIAN ? u16(b, off, o) | (long) u16(b, off + 2, o) << 16
                : (long) u16(b, off, o) << 16 | u16(b, off + 2, o);
    }

    /** Parses a file's header (everything before the top-level pixel data). */
    static ParsedFile parse(Path path) throws VolumeFormatException {
        String name = path.toString();
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new VolumeFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return parse(raw, size, path, name);
        } catch (EOFException e) {
            throw new VolumeFormatException(name + ": DICOM data ends early (truncated file)", e);
        } catch (java.util.zip.ZipException e) {
            throw new VolumeFormatException(name + ": corrupt deflated DICOM data: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new VolumeFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static ParsedFile parse(InputStream raw, long size, Path path, String name)
            throws IOException, VolumeFormatException {
        raw.mark(140);
        byte[] head = raw.readNBytes(132);
        raw.reset();
        Input in = new Input(raw, size);
        String ts;
        DicomDataset meta = new DicomDataset(ByteOrder.LITTLE_ENDIAN);
        boolean preamble = head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C'
                && head[131] == 'M';
        if (preamble) {
            in.skip(132);
        }
        boolean metaFirst = preamble || (head.length >= 2 && head[0] == 2 && head[1] == 0);
        if (metaFirst) {
            readMeta(in, raw, meta, name);
            ts = meta.string(TAG_TRANSFER_SYNTAX);
            if (ts == null) {
                raw.mark(16);
                byte[] h = raw.readNBytes(8);
                raw.reset();
                ts = guessRawSyntax(h, h.length);
                if (ts == null) {
                    ts = EXPLICIT_LE;
                }
            }
        } else {
            ts = guessRawSyntax(head, head.length);
            if (ts == null) {
                throw new VolumeFormatException(name + ": not a DICOM file (no \"DICM\" marker at byte 128 and no "
                        + "DICOM element at the start)");
            }
        }
        boolean deflated = DEFLATED_LE.equals(ts);
        boolean explicit = !IMPLICIT_LE.equals(ts);
        ByteOrder order = EXPLICIT_BE.equals(ts) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        long datasetStart = in.pos;
        long limit = size;
        if (deflated) {
            in = new Input(new BufferedInputStream(new InflaterInputStream(raw, new Inflater(true), 1 << 16), 1 << 16),
                    -1);
            limit = -1;
        }
        DicomDataset ds = new DicomDataset(order);
        long[] pixel = {-1, 0, 0}; // offset, length, encapsulated
        parseDataset(in, ds, explicit, order, -1, 0, pixel, name, limit);
        for (Map.Entry<Integer, DicomDataset.Element> e : meta.elements.entrySet()) {
            ds.elements.putIfAbsent(e.getKey(), e.getValue());
        }
        return new ParsedFile(path, ts, explicit, order, deflated, datasetStart, ds, pixel[0], pixel[1],
                pixel[2] != 0);
    }

    private static void readMeta(Input in, InputStream raw, DicomDataset meta, String name)
            throws IOException, VolumeFormatException {
        while (true) {
            raw.mark(8);
            byte[] g = raw.readNBytes(2);
            raw.reset();
            if (g.length < 2 || u16(g, 0, ByteOrder.LITTLE_ENDIAN) != 0x0002) {
                return;
            }
            byte[] h = in.read(8, false);
            int tag = 0x00020000 | u16(h, 2, ByteOrder.LITTLE_ENDIAN);
            String vr = new String(h, 4, 2, StandardCharsets.US_ASCII);
            long len;
            if (!isKnownVr(vr)) {
                throw new VolumeFormatException(name + ": corrupt DICOM file meta information: element "
                        + tagText(tag) + " has VR bytes " + NiftiHeader.quoted(h, 4, 2) + "; expected explicit VR");
            }
            if (longLength(vr)) {
                len = u32(in.read(4, false), 0, ByteOrder.LITTLE_ENDIAN);
            } else {
                len = u16(h, 6, ByteOrder.LITTLE_ENDIAN);
            }
            if (len > MAX_STORED_VALUE) {
                throw new VolumeFormatException(name + ": DICOM meta element " + tagText(tag) + " claims " + len
                        + " bytes; expected a short value");
            }
            meta.elements.put(tag, new DicomDataset.Element(tag, vr, len, in.read((int) len, false), null));
        }
    }

    /**
     * Parses elements into {@code ds} until {@code end} (a position; -1 = until EOF or an item delimiter).
     * At depth 0, stops at the Pixel Data element and records it in {@code pixel}.
     */
    private static void parseDataset(Input in, DicomDataset ds, boolean explicit, ByteOrder order, long end,
                                     int depth, long[] pixel, String name, long limit)
            throws IOException, VolumeFormatException {
        if (depth > MAX_DEPTH) {
            throw new VolumeFormatException(name + ": DICOM sequences nested more than " + MAX_DEPTH + " deep");
        }
        while (end < 0 || in.pos < end) {
            long start = in.pos;
            byte[] h = in.read(4, depth == 0 && end < 0);
            if (h == null) {
                return; // clean end of file
            }
            int tag = u16(h, 0, order) << 16 | u16(h, 2, order);
            if (tag == ITEM_DELIM || tag == SEQ_DELIM) {
                in.read(4, false);
                if (end < 0 && depth > 0) {
                    return;
                }
                throw new VolumeFormatException(name + ": unexpected delimiter " + tagText(tag) + " at byte " + start);
            }
            String vr;
            long len;
            boolean unImplicit = false;
            if ((tag >>> 16) == 0xFFFE) {
                throw new VolumeFormatException(name + ": unexpected item tag " + tagText(tag) + " at byte " + start
                        + " outside a sequence");
            }
            if (explicit) {
                byte[] v = in.read(2, false);
                vr = new String(v, StandardCharsets.US_ASCII);
                if (!isKnownVr(vr)) {
                    throw new VolumeFormatException(name + ": corrupt DICOM data: element " + tagText(tag) + " at byte "
                            + start + " has VR bytes " + NiftiHeader.quoted(v, 0, 2) + "; expected a DICOM VR");
                }
                if (longLength(vr)) {
                    in.read(2, false);
                    len = u32(in.read(4, false), 0, order);
                } else {
                    len = u16(in.read(2, false), 0, order);
                }
                unImplicit = vr.equals("UN") && len == UNDEFINED;
            } else {
                vr = implicitVr(tag);
                len = u32(in.read(4, false), 0, order);
            }
            if (depth == 0 && tag == TAG_PIXEL_DATA) {
                if (len != UNDEFINED && limit >= 0 && in.pos + len > limit) {
                    throw new VolumeFormatException(name + ": element " + tagText(tag) + " at byte " + start
                            + " claims " + len + " bytes, past the end of the file (" + limit
                            + " bytes; truncated file?)");
                }
                pixel[0] = in.pos;
                pixel[1] = len == UNDEFINED ? -1 : len;
                pixel[2] = len == UNDEFINED ? 1 : 0;
                return;
            }
            boolean sequence = vr.equals("SQ") || unImplicit || (!explicit && len == UNDEFINED);
            if (sequence) {
                List<DicomDataset> items = new ArrayList<>();
                boolean itemsExplicit = explicit && !unImplicit;
                ByteOrder itemOrder = unImplicit ? ByteOrder.LITTLE_ENDIAN : order;
                parseSequence(in, items, itemsExplicit, itemOrder, len, depth + 1, name, limit, tag);
                ds.elements.put(tag, new DicomDataset.Element(tag, "SQ", len, null, items));
                continue;
            }
            if (len == UNDEFINED) {
                // Encapsulated data (e.g. an icon's pixel data): items of fragments up to a sequence delimiter.
                skipFragments(in, order, name);
                ds.elements.put(tag, new DicomDataset.Element(tag, vr, len, null, null));
                continue;
            }
            if (limit >= 0 && in.pos + len > limit) {
                throw new VolumeFormatException(name + ": element " + tagText(tag) + " at byte " + start + " claims "
                        + len + " bytes, past the end of the file (" + limit + " bytes)");
            }
            if (end >= 0 && in.pos + len > end) {
                throw new VolumeFormatException(name + ": element " + tagText(tag) + " at byte " + start + " claims "
                        + len + " bytes, past the end of its item");
            }
            byte[] value = null;
            if (len <= MAX_STORED_VALUE) {
                value = in.read((int) len, false);
            } else {
                in.skip(len);
            }
            ds.elements.put(tag, new DicomDataset.Element(tag, vr, len, value, null));
        }
    }

    private static void parseSequence(Input in, List<DicomDataset> items, boolean explicit, ByteOrder order,
                                      long len, int depth, String name, long limit, int seqTag)
            throws IOException, VolumeFormatException {
        long end = len == UNDEFINED ? -1 : in.pos + len;
        if (end >= 0 && limit >= 0 && end > limit) {
            throw new VolumeFormatException(name + ": sequence " + tagText(seqTag) + " claims " + len
                    + " bytes, past the end of the file (" + limit + " bytes)");
        }
        while (end < 0 || in.pos < end) {
            byte[] h = in.read(8, false);
            int tag = u16(h, 0, order) << 16 | u16(h, 2, order);
            long ilen = u32(h, 4, order);
            if (tag == SEQ_DELIM) {
                if (end < 0) {
                    return;
                }
                continue;
            }
            if (tag != ITEM) {
                throw new VolumeFormatException(name + ": sequence " + tagText(seqTag) + " holds " + tagText(tag)
                        + " where an item (FFFE,E000) was expected");
            }
            DicomDataset item = new DicomDataset(order);
            if (ilen == UNDEFINED) {
                parseDataset(in, item, explicit, order, -1, depth, null, name, limit);
            } else {
                parseDataset(in, item, explicit, order, in.pos + ilen, depth, null, name, limit);
            }
            items.add(item);
        }
    }

    private static void skipFragments(Input in, ByteOrder order, String name)
            throws IOException, VolumeFormatException {
        while (true) {
            byte[] h = in.read(8, false);
            int tag = u16(h, 0, order) << 16 | u16(h, 2, order);
            long len = u32(h, 4, order);
            if (tag == SEQ_DELIM) {
                return;
            }
            if (tag != ITEM || len == UNDEFINED) {
                throw new VolumeFormatException(name + ": corrupt encapsulated data: " + tagText(tag));
            }
            in.skip(len);
        }
    }

    /** Opens the data-set stream of a parsed file positioned at its pixel data. */
    static InputStream openPixels(ParsedFile f) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(f.path()), 1 << 16);
        try {
            Input in = new Input(raw, -1);
            if (f.deflated()) {
                in.skip(f.datasetStart());
                in = new Input(new BufferedInputStream(new InflaterInputStream(raw, new Inflater(true), 1 << 16),
                        1 << 16), -1);
            }
            in.skip(f.pixelOffset());
            return in.stream();
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    static String tagText(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xffff);
    }
}
