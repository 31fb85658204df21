package io.github.promptonce.volume;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.UUID;

/**
 * Writes a {@link VolumeMask} as a DICOM Segmentation object (SOP class 1.2.840.10008.5.1.4.1.1.66.4, BINARY) that
 * references the DICOM series the mask was made on: one segment per label, one frame per (segment, slice) with its
 * plane position and the source SOP instance it derives from, Referenced Series, Frame of Reference, patient and
 * study copied from the source, new Series and SOP Instance UIDs, algorithm type SEMIAUTOMATIC with an Algorithm
 * Identification. Explicit VR Little Endian. The file is written to a temporary file beside {@code out} and moved
 * into place, so a failure never leaves a partial SEG.
 */
public final class DicomSegWriter {
    public static final String SEG_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.66.4";
    /** promptonce's implementation class UID (a UUID-derived 2.25 UID, fixed). */
    static final String IMPLEMENTATION_UID = "2.25.235706062625976169547752431605088537266";

    /** A coded concept: value, coding scheme designator, meaning (e.g. 85756007, SCT, Tissue). */
    public record Code(String value, String scheme, String meaning) {
        public Code {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(meaning, "meaning");
        }

        /** Parses {@code VALUE,SCHEME,MEANING} (the meaning may hold commas). */
        public static Code parse(String text) {
            String[] p = text.split(",", 3);
            if (p.length != 3 || p[0].isBlank() || p[1].isBlank() || p[2].isBlank()) {
                throw new IllegalArgumentException("code '" + text + "': expected VALUE,SCHEME,MEANING, e.g. "
                        + "85756007,SCT,Tissue");
            }
            return new Code(p[0].trim(), p[1].trim(), p[2].trim());
        }
    }

    /** The default segmented property category and type: SNOMED CT "Tissue" (as dcmqi's generic segments). */
    public static final Code TISSUE = new Code("85756007", "SCT", "Tissue");

    /** One segment: the mask label it holds, a label text, and what it is (category and type codes). */
    public record Segment(int label, String name, Code category, Code type) {
        public Segment {
            if (label < 1 || label > 255) {
                throw new IllegalArgumentException("segment label " + label + "; expected 1..255");
            }
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(category, "category");
            Objects.requireNonNull(type, "type");
        }

        /** Label {@code label} named "Segment N", category and type Tissue. */
        public static Segment of(int label) {
            return new Segment(label, "Segment " + label, TISSUE, TISSUE);
        }
    }

    /** Who made the segmentation: the software (name, version) and the model it ran. */
    public record Algorithm(String name, String version, String model) {
        public Algorithm {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(model, "model");
        }
    }

    private DicomSegWriter() {
    }

    /**
     * Writes {@code mask} (on {@code source}'s grid) as a SEG at {@code out}. With no {@code segments}, one segment
     * per label present (label 1 when the mask is empty), named "Segment N". A label of the mask without a segment
     * is an error, as is a source that was not read from DICOM or has no patient geometry.
     *
     * @throws IllegalArgumentException when the mask, source or segments do not fit together (the message says how)
     * @throws IOException              when the file cannot be written
     */
    public static void write(VolumeMask mask, Volume source, List<Segment> segments, Algorithm algorithm, Path out)
            throws IOException {
        byte[] file = encode(mask, source, segments, algorithm);
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
        try {
            Files.write(tmp, file);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The SEG file's bytes (see {@link #write}). */
    static byte[] encode(VolumeMask mask, Volume source, List<Segment> segments, Algorithm algorithm) {
        DicomSource src = checkSource(source);
        if (mask.nx() != source.nx() || mask.ny() != source.ny() || mask.nz() != source.nz()) {
            throw new IllegalArgumentException("mask " + mask.nx() + "x" + mask.ny() + "x" + mask.nz()
                    + " is not on the source's grid " + source.nx() + "x" + source.ny() + "x" + source.nz());
        }
        List<Segment> segs = segments(mask, segments);
        Affine lps = source.affine().lpsToRas(); // negating x and y is its own inverse: RAS -> LPS
        double[] colI = {lps.get(0, 0), lps.get(1, 0), lps.get(2, 0)};
        double[] colJ = {lps.get(0, 1), lps.get(1, 1), lps.get(2, 1)};
        double[] colK = {lps.get(0, 2), lps.get(1, 2), lps.get(2, 2)};
        double dx = norm(colI);
        double dy = norm(colJ);
        double dz = norm(colK);
        String orientation = ds(colI[0] / dx) + "\\" + ds(colI[1] / dx) + "\\" + ds(colI[2] / dx) + "\\"
                + ds(colJ[0] / dy) + "\\" + ds(colJ[1] / dy) + "\\" + ds(colJ[2] / dy);

        LocalDateTime now = LocalDateTime.now();
        String date = now.format(DateTimeFormatter.BASIC_ISO_DATE);
        String time = now.format(DateTimeFormatter.ofPattern("HHmmss"));
        String sopInstance = newUid();
        String dimensionOrg = newUid();
        int nz = mask.nz();

        DicomOutput ds = new DicomOutput();
        for (Map.Entry<Integer, String> e : DicomSource.COPIED.entrySet()) {
            if (e.getKey() != 0x00080005) { // type 2: present, empty when the source had none
                ds.text(e.getKey(), e.getValue(), src.attributes().get(e.getKey()));
            }
        }
        if (src.attributes().containsKey(0x00080005)) {
            ds.text(0x00080005, "CS", src.attributes().get(0x00080005));
        }
        ds.text(0x00080008, "CS", "DERIVED\\PRIMARY")
                .text(0x00080016, "UI", SEG_SOP_CLASS)
                .text(0x00080018, "UI", sopInstance)
                .text(0x00080023, "DA", date)
                .text(0x00080033, "TM", time)
                .text(0x00080060, "CS", "SEG")
                .text(0x00080070, "LO", algorithm.name())
                .text(0x0008103E, "LO", "Segmentation (" + algorithm.name() + ", " + algorithm.model() + ")")
                .text(0x00081090, "LO", algorithm.name())
                .text(0x00181000, "LO", "none")
                .text(0x00181020, "LO", algorithm.version())
                .text(0x0020000D, "UI", src.studyInstanceUid())
                .text(0x0020000E, "UI", newUid())
                .text(0x00200011, "IS", "1000")
                .text(0x00200013, "IS", "1")
                .text(0x00200052, "UI", src.frameOfReferenceUid())
                .text(0x00280004, "CS", "MONOCHROME2")
                .text(0x00280008, "IS", Integer.toString(segs.size() * nz))
                .us(0x00280002, 1)
                .us(0x00280010, mask.ny())
                .us(0x00280011, mask.nx())
                .us(0x00280100, 1)
                .us(0x00280101, 1)
                .us(0x00280102, 0)
                .us(0x00280103, 0)
                .text(0x00282110, "CS", "00")
                .text(0x00620001, "CS", "BINARY")
                .text(0x00700080, "CS", "PROMPTONCE")
                .text(0x00700081, "LO", "Segmentation by " + algorithm.name() + " " + algorithm.version()
                        + " with " + algorithm.model())
                .text(0x00700084, "PN", "");
        ds.sequence(0x00081115, referencedSeries(src));
        ds.sequence(0x00209221, new DicomOutput().text(0x00209164, "UI", dimensionOrg));
        ds.sequence(0x00209222, List.of(
                new DicomOutput().text(0x00209164, "UI", dimensionOrg).at(0x00209165, 0x0062000B)
                        .at(0x00209167, 0x0062000A).text(0x00209421, "LO", "Segment number"),
                new DicomOutput().text(0x00209164, "UI", dimensionOrg).at(0x00209165, 0x00200032)
                        .at(0x00209167, 0x00209113).text(0x00209421, "LO", "Image position")));
        List<DicomOutput> segItems = new ArrayList<>();
        for (int s = 0; s < segs.size(); s++) {
            segItems.add(segmentItem(s + 1, segs.get(s), algorithm));
        }
        ds.sequence(0x00620002, segItems);
        ds.sequence(0x52009229, new DicomOutput()
                .sequence(0x00209116, new DicomOutput().text(0x00200037, "DS", orientation))
                .sequence(0x00289110, new DicomOutput()
                        .text(0x00280030, "DS", ds(dy) + "\\" + ds(dx))
                        .text(0x00180050, "DS", ds(dz))
                        .text(0x00180088, "DS", ds(dz))));
        List<DicomOutput> perFrame = new ArrayList<>();
        for (int s = 0; s < segs.size(); s++) {
            for (int k = 0; k < nz; k++) {
                double[] p = lps.apply(0, 0, k);
                perFrame.add(frameItem(src.slices().get(k), s + 1, k, ds(p[0]) + "\\" + ds(p[1]) + "\\" + ds(p[2])));
            }
        }
        ds.sequence(0x52009230, perFrame);
        ds.bytes(0x7FE00010, "OB", pixels(mask, segs));
        return DicomOutput.part10(SEG_SOP_CLASS, sopInstance, IMPLEMENTATION_UID, "PROMPTONCE", ds);
    }

    /**
     * Checks that a SEG can be made of {@code source}: read from DICOM, with patient geometry, a StudyInstanceUID, a
     * FrameOfReferenceUID and SOP class/instance UIDs on every image. Returns its {@link DicomSource}.
     *
     * @throws IllegalArgumentException naming what is missing
     */
    public static DicomSource checkSource(Volume source) {
        DicomSource src = source.dicomSource().orElseThrow(() -> new IllegalArgumentException("a DICOM SEG "
                + "references its source series, but " + describe(source) + " was not read from DICOM; write the "
                + "mask as NIfTI instead"));
        if (source.geometry().sformCode() == 0) {
            throw new IllegalArgumentException(describe(source) + " has no ImagePositionPatient/Orientation; a "
                    + "DICOM SEG needs the patient geometry of its frames");
        }
        if (src.studyInstanceUid() == null || src.frameOfReferenceUid() == null) {
            throw new IllegalArgumentException(describe(source) + " has no " + (src.studyInstanceUid() == null
                    ? "StudyInstanceUID (0020,000D)" : "FrameOfReferenceUID (0020,0052)")
                    + "; a DICOM SEG must carry its source's");
        }
        for (DicomSource.SliceReference r : src.slices()) {
            if (r.sopClassUid() == null || r.sopInstanceUid() == null) {
                throw new IllegalArgumentException(describe(source) + ": a source image has no SOPClassUID/"
                        + "SOPInstanceUID; a DICOM SEG references each source image");
            }
        }
        return src;
    }

    private static String describe(Volume v) {
        return v.source() == null ? "the volume" : v.source().toString();
    }

    private static List<Segment> segments(VolumeMask mask, List<Segment> given) {
        SortedSet<Integer> labels = mask.labelSet();
        Map<Integer, Segment> byLabel = new LinkedHashMap<>();
        if (given == null || given.isEmpty()) {
            for (int label : labels) {
                byLabel.put(label, Segment.of(label));
            }
            if (byLabel.isEmpty()) {
                byLabel.put(1, Segment.of(1));
            }
        } else {
            for (Segment s : given) {
                if (byLabel.put(s.label(), s) != null) {
                    throw new IllegalArgumentException("two segments for label " + s.label());
                }
            }
            for (int label : labels) {
                if (!byLabel.containsKey(label)) {
                    throw new IllegalArgumentException("the mask holds label " + label + " but no segment describes "
                            + "it; segments are given for labels " + byLabel.keySet());
                }
            }
        }
        return List.copyOf(byLabel.values());
    }

    private static DicomOutput referencedSeries(DicomSource src) {
        List<DicomOutput> instances = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (DicomSource.SliceReference r : src.slices()) {
            if (seen.putIfAbsent(r.sopInstanceUid(), r.sopClassUid()) == null) {
                instances.add(new DicomOutput().text(0x00081150, "UI", r.sopClassUid())
                        .text(0x00081155, "UI", r.sopInstanceUid()));
            }
        }
        return new DicomOutput().text(0x0020000E, "UI", src.seriesInstanceUid()).sequence(0x0008114A, instances);
    }

    private static DicomOutput code(Code c) {
        return new DicomOutput().text(0x00080100, "SH", c.value()).text(0x00080102, "SH", c.scheme())
                .text(0x00080104, "LO", c.meaning());
    }

    private static DicomOutput segmentItem(int number, Segment s, Algorithm a) {
        return new DicomOutput()
                .sequence(0x00620003, code(s.category()))
                .us(0x00620004, number)
                .text(0x00620005, "LO", s.name())
                .sequence(0x00620007, new DicomOutput()
                        .sequence(0x0066002F, code(new Code("113076", "DCM", "Segmentation")))
                        .text(0x00660031, "LO", a.version())
                        .text(0x00660032, "LT", "model=" + a.model())
                        .text(0x00660036, "LO", a.name()))
                .text(0x00620008, "CS", "SEMIAUTOMATIC")
                .text(0x00620009, "LO", a.name() + " " + a.model())
                .sequence(0x0062000F, code(s.type()));
    }

    private static DicomOutput frameItem(DicomSource.SliceReference ref, int segment, int k, String position) {
        DicomOutput sourceImage = new DicomOutput()
                .text(0x00081150, "UI", ref.sopClassUid())
                .text(0x00081155, "UI", ref.sopInstanceUid())
                .sequence(0x0040A170, code(new Code("121322", "DCM",
                        "Source image for image processing operation")));
        if (ref.frameNumber() > 0) {
            sourceImage.text(0x00081160, "IS", Integer.toString(ref.frameNumber()));
        }
        return new DicomOutput()
                .sequence(0x00089124, new DicomOutput()
                        .sequence(0x00082112, sourceImage)
                        .sequence(0x00089215, code(new Code("113076", "DCM", "Segmentation"))))
                .sequence(0x00209111, new DicomOutput().ul(0x00209157, segment, k + 1))
                .sequence(0x00209113, new DicomOutput().text(0x00200032, "DS", position))
                .sequence(0x0062000A, new DicomOutput().us(0x0062000B, segment));
    }

    /** Frames one after another, bits packed without padding between frames, least significant bit first. */
    private static byte[] pixels(VolumeMask mask, List<Segment> segs) {
        long plane = (long) mask.nx() * mask.ny();
        long bits = plane * mask.nz() * segs.size();
        if ((bits + 7) / 8 > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("SEG pixel data of " + bits + " bits exceeds a DICOM element");
        }
        byte[] out = new byte[(int) ((bits + 7) / 8)];
        byte[] labels = mask.labels();
        long bit = 0;
        for (Segment s : segs) {
            byte label = (byte) s.label();
            for (byte v : labels) {
                if (v == label) {
                    out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                }
                bit++;
            }
        }
        return out;
    }

    private static double norm(double[] v) {
        return Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }

    /** A decimal string of at most 16 characters (DICOM DS), as precise as fits. */
    static String ds(double v) {
        if (Math.abs(v) < 1e-12) {
            return "0";
        }
        for (int digits = 15; digits > 0; digits--) {
            String s = new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toString();
            if (s.length() <= 16) {
                return s;
            }
        }
        throw new AssertionError(v);
    }

    /** A new UID under the UUID root 2.25 (PS3.5 B.2). */
    static String newUid() {
        UUID u = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, b.array());
    }
}
