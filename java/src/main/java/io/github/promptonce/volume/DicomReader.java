package io.github.promptonce.volume;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a DICOM series (a directory, searched recursively) or a single DICOM file (one slice or a multi-frame
 * image) into a {@link Volume}.
 *
 * <ul>
 *   <li>Files are grouped by SeriesInstanceUID; with several series the caller chooses one
 *       ({@link ReadOptions#withSeries}), otherwise the error lists them ({@link #listSeries}).</li>
 *   <li>Slices (files, or frames of enhanced multi-frame files with per-frame PlanePositionSequence) are sorted by
 *       ImagePositionPatient projected on the slice normal (row × column direction cosines). Missing
 *       position/orientation (for more than one slice), mixed sizes, mixed orientations, duplicate positions and
 *       uneven spacing are errors.</li>
 *   <li>Voxel (i, j, k) = (column, row, sorted slice). Values are {@code stored · RescaleSlope + RescaleIntercept}
 *       (per slice), e.g. Hounsfield units for CT.</li>
 *   <li>Geometry: the LPS affine has columns rowCosines·columnSpacing, columnCosines·rowSpacing, the step between
 *       consecutive slice positions, and the first slice's position; it is converted to RAS (x, y negated) and
 *       stored as sform and qform with code 1, as dcm2niix and nibabel do.</li>
 *   <li>Uncompressed transfer syntaxes (implicit VR LE, explicit VR LE/BE, deflated explicit VR LE) and
 *       compressed ones decoded frame by frame ({@link FrameDecoders}: RLE, JPEG baseline/extended/lossless,
 *       JPEG-LS, JPEG 2000); others (HTJ2K, MPEG) are refused with their name. Greyscale only
 *       (SamplesPerPixel 1); BitsAllocated 1, 8, 16 or 32.</li>
 * </ul>
 */
public final class DicomReader {
    private static final int MAX_DEPTH = 16;
    /** Relative deviation of a slice gap from the mean gap that is still "even". */
    private static final double GAP_TOLERANCE = 0.05;

    /** The images found under a path, and how many unreadable DICOM files were skipped. */
    record Scan(List<DicomParser.ParsedFile> files, int skipped) {
    }

    private DicomReader() {
    }

    /** One series found in a directory. */
    public record SeriesInfo(String seriesInstanceUid, String modality, String description, int files, int frames,
                             int rows, int columns) {
        @Override
        public String toString() {
            return seriesInstanceUid + " (" + (modality == null ? "?" : modality) + ", " + files
                    + (files == 1 ? " file" : " files") + (frames != files ? ", " + frames + " frames" : "")
                    + ", " + columns + "x" + rows + (description == null ? "" : ", '" + description + "'") + ")";
        }
    }

    // Tags
    static final int SERIES_UID = 0x0020000E;
    static final int MODALITY = 0x00080060;
    static final int SERIES_DESCRIPTION = 0x0008103E;
    static final int ROWS = 0x00280010;
    static final int COLUMNS = 0x00280011;
    static final int FRAMES = 0x00280008;
    static final int SAMPLES = 0x00280002;
    static final int PHOTOMETRIC = 0x00280004;
    static final int BITS_ALLOCATED = 0x00280100;
    static final int BITS_STORED = 0x00280101;
    static final int HIGH_BIT = 0x00280102;
    static final int PIXEL_REPRESENTATION = 0x00280103;
    static final int PIXEL_SPACING = 0x00280030;
    static final int SLICE_THICKNESS = 0x00180050;
    static final int SPACING_BETWEEN = 0x00180088;
    static final int POSITION = 0x00200032;
    static final int ORIENTATION = 0x00200037;
    static final int RESCALE_INTERCEPT = 0x00281052;
    static final int RESCALE_SLOPE = 0x00281053;
    static final int SHARED_FG = 0x52009229;
    static final int PER_FRAME_FG = 0x52009230;
    static final int PLANE_POSITION_SQ = 0x00209113;
    static final int PLANE_ORIENTATION_SQ = 0x00209116;
    static final int PIXEL_MEASURES_SQ = 0x00289110;
    static final int VALUE_TRANSFORMATION_SQ = 0x00289145;

    /** One 2-D frame to place in the volume. */
    private record Frame(DicomParser.ParsedFile file, int frameIndex, double[] position, double[] orientation,
                         double[] pixelSpacing, double slope, double intercept) {
    }

    /** Lists the series under a directory (searched recursively) or in a file. */
    public static List<SeriesInfo> listSeries(Path path) throws VolumeFormatException {
        Map<String, List<DicomParser.ParsedFile>> groups = group(scan(path).files(), path);
        List<SeriesInfo> out = new ArrayList<>();
        for (Map.Entry<String, List<DicomParser.ParsedFile>> e : groups.entrySet()) {
            List<DicomParser.ParsedFile> files = e.getValue();
            DicomDataset first = files.get(0).dataset();
            int frames = 0;
            for (DicomParser.ParsedFile f : files) {
                frames += (int) Math.max(1, f.dataset().integer(FRAMES, 1));
            }
            out.add(new SeriesInfo(e.getKey(), first.string(MODALITY), first.string(SERIES_DESCRIPTION),
                    files.size(), frames, first.uint16(ROWS, 0), first.uint16(COLUMNS, 0)));
        }
        return out;
    }

    /** Reads the series in a directory or a single file. */
    public static Volume read(Path path, ReadOptions options) throws VolumeFormatException {
        Scan scan = scan(path);
        List<DicomParser.ParsedFile> all = scan.files();
        int skipped = scan.skipped();
        Map<String, List<DicomParser.ParsedFile>> groups = group(all, path);
        List<DicomParser.ParsedFile> files;
        String uid;
        if (options.series().isPresent()) {
            uid = options.series().get();
            files = groups.get(uid);
            if (files == null) {
                throw new VolumeFormatException(path + ": no DICOM series with SeriesInstanceUID " + uid
                        + "; found " + describe(groups));
            }
        } else if (groups.size() > 1) {
            throw new VolumeFormatException(path + ": holds " + groups.size()
                    + " DICOM series; choose one with --series UID: " + describe(groups));
        } else {
            Map.Entry<String, List<DicomParser.ParsedFile>> only = groups.entrySet().iterator().next();
            uid = only.getKey();
            files = only.getValue();
        }
        return build(path, uid, files, options, skipped);
    }

    private static String describe(Map<String, List<DicomParser.ParsedFile>> groups) {
        return groups.entrySet().stream().map(e -> {
            DicomDataset d = e.getValue().get(0).dataset();
            String m = d.string(MODALITY);
            String desc = d.string(SERIES_DESCRIPTION);
            return e.getKey() + " (" + (m == null ? "?" : m) + ", " + e.getValue().size()
                    + (e.getValue().size() == 1 ? " file" : " files") + (desc == null ? "" : ", '" + desc + "'")
                    + ")";
        }).collect(Collectors.joining("; "));
    }

    /** Parses the DICOM files under {@code path} that have pixel data. */
    static Scan scan(Path path) throws VolumeFormatException {
        if (!Files.exists(path)) {
            throw new VolumeFormatException(path + ": no such file or directory");
        }
        if (!Files.isDirectory(path)) {
            DicomParser.ParsedFile f = DicomParser.parse(path);
            if (!f.hasPixelData()) {
                throw new VolumeFormatException(path + ": DICOM file has no Pixel Data (7FE0,0010); SOP class "
                        + f.dataset().string(0x00080016) + " is not an image");
            }
            return new Scan(List.of(f), 0);
        }
        List<Path> candidates;
        try (Stream<Path> s = Files.walk(path, MAX_DEPTH)) {
            candidates = s.filter(Files::isRegularFile).sorted(NaturalOrder.PATHS).toList();
        } catch (IOException e) {
            throw new VolumeFormatException(path + ": cannot list directory: " + e.getMessage(), e);
        }
        if (candidates.isEmpty()) {
            throw new VolumeFormatException(path + ": directory is empty; expected DICOM files of one series");
        }
        List<DicomParser.ParsedFile> out = new ArrayList<>();
        int dicomWithoutPixels = 0;
        List<String> unreadable = new ArrayList<>();
        for (Path p : candidates) {
            if (!isDicomFile(p)) {
                continue;
            }
            DicomParser.ParsedFile f;
            try {
                f = DicomParser.parse(p);
            } catch (VolumeFormatException e) {
                // A corrupt file (often a DICOMDIR or a stray export) must not hide the series next to it; a missing
                // slice is still caught by the spacing check, and the count is reported.
                unreadable.add(e.getMessage());
                continue;
            }
            if (f.hasPixelData()) {
                out.add(f);
            } else {
                dicomWithoutPixels++;
            }
        }
        if (out.isEmpty()) {
            throw new VolumeFormatException(path + ": no DICOM images found (" + candidates.size() + " files looked at"
                    + (dicomWithoutPixels > 0 ? ", " + dicomWithoutPixels + " DICOM files without pixel data" : "")
                    + (unreadable.isEmpty() ? "" : ", " + unreadable.size() + " unreadable, first: "
                    + unreadable.get(0)) + ")");
        }
        return new Scan(out, unreadable.size());
    }

    /** Whether the file starts like DICOM (preamble + DICM, or a plausible first element). */
    static boolean isDicomFile(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(132);
            return DicomParser.looksLikeDicom(head, head.length);
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, List<DicomParser.ParsedFile>> group(List<DicomParser.ParsedFile> files, Path path) {
        Map<String, List<DicomParser.ParsedFile>> groups = new LinkedHashMap<>();
        for (DicomParser.ParsedFile f : files) {
            String uid = f.dataset().string(SERIES_UID);
            groups.computeIfAbsent(uid == null ? "(no SeriesInstanceUID)" : uid, k -> new ArrayList<>()).add(f);
        }
        return groups;
    }

    private static Volume build(Path path, String uid, List<DicomParser.ParsedFile> files, ReadOptions options,
                                int skipped) throws VolumeFormatException {
        DicomParser.ParsedFile first = files.get(0);
        DicomDataset d0 = first.dataset();
        int rows = d0.uint16(ROWS, -1);
        int cols = d0.uint16(COLUMNS, -1);
        List<Frame> frames = new ArrayList<>();
        for (DicomParser.ParsedFile f : files) {
            checkDecodable(f);
            DicomDataset d = f.dataset();
            int r = d.uint16(ROWS, -1);
            int c = d.uint16(COLUMNS, -1);
            if (r != rows || c != cols) {
                throw new VolumeFormatException(path + ": mixed image sizes in series " + uid + ": " + cols + "x"
                        + rows + " in " + first.path().getFileName() + " but " + c + "x" + r + " in "
                        + f.path().getFileName() + "; expected one size (Columns x Rows)");
            }
            frames.addAll(framesOf(f));
        }
        int n = frames.size();
        String name = path.toString();

        // Geometry
        Affine lps;
        boolean known;
        Frame f0 = frames.get(0);
        double[] ps = f0.pixelSpacing() != null ? f0.pixelSpacing() : new double[] {1, 1};
        if (n == 1) {
            known = f0.position() != null && f0.orientation() != null;
            double[] o = known ? f0.orientation() : new double[] {1, 0, 0, 0, 1, 0};
            double[] normal = cross(o);
            DicomDataset d = f0.file().dataset();
            double dz = d.decimal(SPACING_BETWEEN, d.decimal(SLICE_THICKNESS, 1));
            DicomDataset shared = d.item(SHARED_FG, 0);
            if (shared != null && shared.item(PIXEL_MEASURES_SQ, 0) != null) {
                DicomDataset pm = shared.item(PIXEL_MEASURES_SQ, 0);
                dz = pm.decimal(SPACING_BETWEEN, pm.decimal(SLICE_THICKNESS, dz));
            }
            if (!(dz > 0)) {
                dz = 1;
            }
            double[] p = known ? f0.position() : new double[3];
            lps = Affine.ofColumns(scale(o, 0, ps[1]), scale(o, 3, ps[0]),
                    new double[] {normal[0] * dz, normal[1] * dz, normal[2] * dz}, p);
        } else {
            known = true;
            for (Frame f : frames) {
                if (f.position() == null || f.orientation() == null) {
                    throw new VolumeFormatException(name + ": " + f.file().path().getFileName()
                            + (f.file().dataset().integer(FRAMES, 1) > 1 ? " frame " + (f.frameIndex() + 1) : "")
                            + " has no " + (f.position() == null ? "ImagePositionPatient (0020,0032)"
                            : "ImageOrientationPatient (0020,0037)") + "; cannot order " + n + " slices");
                }
            }
            double[] o = f0.orientation();
            for (Frame f : frames) {
                for (int a = 0; a < 6; a++) {
                    if (Math.abs(f.orientation()[a] - o[a]) > 1e-4) {
                        throw new VolumeFormatException(name + ": mixed slice orientations in series " + uid + ": "
                                + fmt(o) + " in " + f0.file().path().getFileName() + " but " + fmt(f.orientation())
                                + " in " + f.file().path().getFileName() + "; expected one orientation");
                    }
                }
            }
            double[] normal = cross(o);
            frames.sort(Comparator.comparingDouble(f -> dot(normal, f.position())));
            double[] dist = new double[n];
            for (int k = 0; k < n; k++) {
                dist[k] = dot(normal, frames.get(k).position());
            }
            for (int k = 1; k < n; k++) {
                if (dist[k] - dist[k - 1] < 1e-3) {
                    Frame a = frames.get(k - 1);
                    Frame b = frames.get(k);
                    throw new VolumeFormatException(name + ": duplicate slice position " + fmt(b.position()) + " in "
                            + label(a) + " and " + label(b) + "; expected one slice per position (several "
                            + "acquisitions in one series?)");
                }
            }
            double mean = (dist[n - 1] - dist[0]) / (n - 1);
            int worst = 1;
            for (int k = 2; k < n; k++) {
                if (Math.abs(dist[k] - dist[k - 1] - mean) > Math.abs(dist[worst] - dist[worst - 1] - mean)) {
                    worst = k;
                }
            }
            double gap = dist[worst] - dist[worst - 1];
            if (Math.abs(gap - mean) > Math.max(GAP_TOLERANCE * mean, 1e-3)) {
                throw new VolumeFormatException(name + ": uneven slice spacing: " + fmtNum(gap) + " mm between "
                        + label(frames.get(worst - 1)) + " and " + label(frames.get(worst)) + ", mean "
                        + fmtNum(mean) + " mm; expected even spacing (a missing slice?)");
            }
            double[] pFirst = frames.get(0).position();
            double[] pLast = frames.get(n - 1).position();
            double[] step = new double[3];
            for (int a = 0; a < 3; a++) {
                step[a] = (pLast[a] - pFirst[a]) / (n - 1);
            }
            lps = Affine.ofColumns(scale(o, 0, ps[1]), scale(o, 3, ps[0]), step, pFirst);
        }
        Affine ras = lps.lpsToRas();
        Geometry geometry = known ? Geometry.fromAffine(ras, 1) : Geometry.ofSpacing(ps[1], ps[0],
                ras.zooms()[2] > 0 ? ras.zooms()[2] : 1);

        // Pixels: check sizes before allocating
        long perFrame = (long) rows * cols;
        if (rows < 1 || cols < 1) {
            throw new VolumeFormatException(name + ": Rows " + rows + " / Columns " + cols
                    + "; expected positive image dimensions");
        }
        if (perFrame * n > Volume.MAX_VOXELS) {
            throw new VolumeFormatException(name + ": " + cols + "x" + rows + "x" + n + " voxels exceed the "
                    + Volume.MAX_VOXELS + " supported");
        }
        for (DicomParser.ParsedFile f : files) {
            long need = pixelBytes(f);
            if (!f.encapsulated() && f.pixelLength() < need) {
                throw new VolumeFormatException(f.path() + ": Pixel Data holds " + f.pixelLength() + " bytes but "
                        + "Rows x Columns x frames x BitsAllocated need " + need + " (truncated file?)");
            }
        }
        float[] voxels = NiftiReader.allocate((int) (perFrame * n), name);
        Map<DicomParser.ParsedFile, List<Integer>> slotsByFile = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            slotsByFile.computeIfAbsent(frames.get(k).file(), x -> new ArrayList<>()).add(k);
        }
        for (Map.Entry<DicomParser.ParsedFile, List<Integer>> e : slotsByFile.entrySet()) {
            readFrames(e.getKey(), e.getValue(), frames, voxels, (int) perFrame);
        }
        long nonFinite = NiftiReader.applyNonFinite(voxels, options.nonFinite(), name);
        DataType type = storedType(d0);
        String modality = d0.string(MODALITY);
        String detail = "DICOM" + (Files.isDirectory(path) ? " series, " + files.size()
                + (files.size() == 1 ? " file" : " files") : " file") + (n != files.size() ? ", " + n + " frames" : "")
                + ", " + DicomParser.syntaxName(first.transferSyntax()) + (modality == null ? "" : ", " + modality)
                + (known ? "" : ", no patient position/orientation: geometry unknown")
                + (skipped > 0 ? ", " + skipped + " unreadable DICOM " + (skipped == 1 ? "file" : "files")
                + " skipped" : "");
        return new Volume(voxels, cols, rows, n, geometry, SourceFormat.DICOM, detail, path, type,
                frames.get(0).slope(), frames.get(0).intercept(), 0, 1, nonFinite, source(d0, uid, frames));
    }

    /** The references a derived object (DICOM SEG) needs: one per slice, in slice order. */
    private static DicomSource source(DicomDataset d0, String seriesUid, List<Frame> frames) {
        Map<Integer, String> attributes = new java.util.HashMap<>();
        for (Integer tag : DicomSource.COPIED.keySet()) {
            String v = d0.string(tag);
            if (v != null) {
                attributes.put(tag, v);
            }
        }
        List<DicomSource.SliceReference> slices = new ArrayList<>();
        for (Frame f : frames) {
            DicomDataset d = f.file().dataset();
            slices.add(new DicomSource.SliceReference(d.string(0x00080016), d.string(0x00080018),
                    d.integer(FRAMES, 1) > 1 ? f.frameIndex() + 1 : 0));
        }
        return new DicomSource(d0.string(0x0020000D), seriesUid, d0.string(0x00200052), attributes, slices);
    }

    private static String label(Frame f) {
        return f.file().path().getFileName() + (f.file().dataset().integer(FRAMES, 1) > 1
                ? " frame " + (f.frameIndex() + 1) : "");
    }

    private static void checkDecodable(DicomParser.ParsedFile f) throws VolumeFormatException {
        String ts = f.transferSyntax();
        boolean compressed = FrameDecoders.forSyntax(ts) != null;
        if (!DicomParser.isUncompressed(ts) && !compressed) {
            throw new VolumeFormatException(f.path() + ": transfer syntax " + ts + " (" + DicomParser.syntaxName(ts)
                    + ") is not supported; promptonce reads uncompressed DICOM, RLE, JPEG (baseline, extended, "
                    + "lossless), JPEG-LS and JPEG 2000; decompress first, e.g. gdcmconv --raw IN OUT");
        }
        if (compressed != f.encapsulated()) {
            throw new VolumeFormatException(f.path() + ": transfer syntax " + ts + " (" + DicomParser.syntaxName(ts)
                    + ") but Pixel Data is " + (f.encapsulated() ? "encapsulated (undefined length)"
                    : "not encapsulated") + "; the file contradicts itself");
        }
        DicomDataset d = f.dataset();
        int spp = d.uint16(SAMPLES, 1);
        if (spp != 1) {
            throw new VolumeFormatException(f.path() + ": SamplesPerPixel " + spp + " (" + d.string(PHOTOMETRIC)
                    + "); expected 1: only greyscale images are supported");
        }
        int bits = d.uint16(BITS_ALLOCATED, -1);
        if (bits != 1 && bits != 8 && bits != 16 && bits != 32) {
            throw new VolumeFormatException(f.path() + ": BitsAllocated " + bits + "; expected 1, 8, 16 or 32");
        }
        if (compressed && bits == 1) {
            throw new VolumeFormatException(f.path() + ": BitsAllocated 1 with compressed transfer syntax "
                    + ts + "; expected 8, 16 or 32");
        }
        int stored = d.uint16(BITS_STORED, bits);
        int high = d.uint16(HIGH_BIT, stored - 1);
        if (stored < 1 || stored > bits || high < stored - 1 || high >= bits) {
            throw new VolumeFormatException(f.path() + ": BitsStored " + stored + " / HighBit " + high
                    + " do not fit BitsAllocated " + bits);
        }
        if (d.uint16(ROWS, 0) < 1 || d.uint16(COLUMNS, 0) < 1) {
            throw new VolumeFormatException(f.path() + ": Rows " + d.uint16(ROWS, 0) + " / Columns "
                    + d.uint16(COLUMNS, 0) + "; expected positive image dimensions");
        }
        long frames = d.integer(FRAMES, 1);
        if (frames < 1 || frames > Integer.MAX_VALUE) {
            throw new VolumeFormatException(f.path() + ": NumberOfFrames " + frames + "; expected at least 1");
        }
    }

    private static DataType storedType(DicomDataset d) {
        int bits = d.uint16(BITS_ALLOCATED, 16);
        boolean signed = d.uint16(PIXEL_REPRESENTATION, 0) == 1;
        return switch (bits) {
            case 1 -> DataType.UINT8;
            case 8 -> signed ? DataType.INT8 : DataType.UINT8;
            case 32 -> signed ? DataType.INT32 : DataType.UINT32;
            default -> signed ? DataType.INT16 : DataType.UINT16;
        };
    }

    private static long pixelBytes(DicomParser.ParsedFile f) {
        DicomDataset d = f.dataset();
        long px = (long) d.uint16(ROWS, 0) * d.uint16(COLUMNS, 0) * d.integer(FRAMES, 1);
        int bits = d.uint16(BITS_ALLOCATED, 16);
        return bits == 1 ? (px + 7) / 8 : px * (bits / 8);
    }

    /** The frames of one file with their geometry and rescale, from top-level or functional-group attributes. */
    private static List<Frame> framesOf(DicomParser.ParsedFile f) throws VolumeFormatException {
        DicomDataset d = f.dataset();
        int nFrames = (int) d.integer(FRAMES, 1);
        DicomDataset shared = d.item(SHARED_FG, 0);
        int perFrameItems = d.itemCount(PER_FRAME_FG);
        List<Frame> out = new ArrayList<>();
        double[] legacyOffsets = null;
        if (nFrames > 1 && perFrameItems == 0) {
            legacyOffsets = LegacyMultiFrame.offsets(f, d, nFrames);
        } else if (nFrames > 1 && perFrameItems < nFrames) {
            throw new VolumeFormatException(f.path() + ": multi-frame image with " + nFrames + " frames but "
                    + perFrameItems + " per-frame functional groups (5200,9230); cannot place the frames "
                    + "(ImagePositionPatient per frame is required)");
        }
        for (int i = 0; i < nFrames; i++) {
            DicomDataset pf = perFrameItems > i ? d.item(PER_FRAME_FG, i) : null;
            double[] pos = pick(pf, shared, d, PLANE_POSITION_SQ, POSITION, 3);
            double[] ori = pick(pf, shared, d, PLANE_ORIENTATION_SQ, ORIENTATION, 6);
            double[] spacing = pick(pf, shared, d, PIXEL_MEASURES_SQ, PIXEL_SPACING, 2);
            double[] slope = pick(pf, shared, d, VALUE_TRANSFORMATION_SQ, RESCALE_SLOPE, 1);
            double[] inter = pick(pf, shared, d, VALUE_TRANSFORMATION_SQ, RESCALE_INTERCEPT, 1);
            if (ori != null) {
                ori = normalise(ori);
            }
            if (legacyOffsets != null) {
                pos = LegacyMultiFrame.position(pos, ori, legacyOffsets[i]);
            }
            if (spacing != null && !(spacing[0] > 0 && spacing[1] > 0)) {
                throw new VolumeFormatException(f.path() + ": PixelSpacing " + fmt(spacing)
                        + "; expected two positive numbers");
            }
            double s = slope == null || slope[0] == 0 ? 1 : slope[0];
            double b = inter == null ? 0 : inter[0];
            out.add(new Frame(f, i, pos, ori, spacing, s, b));
        }
        return out;
    }

    /** A value from the per-frame group, the shared group, or the top level, in that order; null if absent. */
    private static double[] pick(DicomDataset perFrame, DicomDataset shared, DicomDataset top, int seq, int tag,
                                 int count) {
        for (DicomDataset g : new DicomDataset[] {perFrame, shared}) {
            if (g != null) {
                DicomDataset item = g.item(seq, 0);
                if (item != null) {
                    double[] v = valid(item.decimals(tag), count);
                    if (v != null) {
                        return v;
                    }
                }
            }
        }
        return valid(top.decimals(tag), count);
    }

    private static double[] valid(double[] v, int count) {
        if (v == null || v.length < count) {
            return null;
        }
        for (int i = 0; i < count; i++) {
            if (!Double.isFinite(v[i])) {
                return null;
            }
        }
        return java.util.Arrays.copyOf(v, count);
    }

    private static double[] normalise(double[] o) {
        double[] out = o.clone();
        for (int base = 0; base <= 3; base += 3) {
            double n = Math.sqrt(o[base] * o[base] + o[base + 1] * o[base + 1] + o[base + 2] * o[base + 2]);
            if (n > 0) {
                for (int a = 0; a < 3; a++) {
                    out[base + a] = o[base + a] / n;
                }
            }
        }
        return out;
    }

    private static void readFrames(DicomParser.ParsedFile f, List<Integer> slots, List<Frame> frames,
                                   float[] voxels, int perFrame) throws VolumeFormatException {
        DicomDataset d = f.dataset();
        int bits = d.uint16(BITS_ALLOCATED, 16);
        int stored = d.uint16(BITS_STORED, bits);
        int high = d.uint16(HIGH_BIT, stored - 1);
        boolean signed = d.uint16(PIXEL_REPRESENTATION, 0) == 1;
        int nFrames = (int) d.integer(FRAMES, 1);
        // frame index in file -> slot in volume
        int[] slotOf = new int[nFrames];
        java.util.Arrays.fill(slotOf, -1);
        for (int k : slots) {
            slotOf[frames.get(k).frameIndex()] = k;
        }
        if (f.encapsulated()) {
            readCompressedFrames(f, slotOf, frames, voxels, perFrame);
            return;
        }
        try (InputStream in = DicomParser.openPixels(f)) {
            if (bits == 1) {
                long totalBits = (long) perFrame * nFrames;
                byte[] all = in.readNBytes((int) ((totalBits + 7) / 8));
                if (all.length * 8L < totalBits) {
                    throw new VolumeFormatException(f.path() + ": Pixel Data ends early (truncated file)");
                }
                for (int fi = 0; fi < nFrames; fi++) {
                    int k = slotOf[fi];
                    Frame fr = frames.get(k);
                    for (int p = 0; p < perFrame; p++) {
                        long bit = (long) fi * perFrame + p;
                        int v = (all[(int) (bit >>> 3)] >> (int) (bit & 7)) & 1;
                        voxels[k * perFrame + p] = (float) (v * fr.slope() + fr.intercept());
                    }
                }
                return;
            }
            int bytes = bits / 8;
            byte[] buf = new byte[perFrame * bytes];
            ByteOrder order = f.order();
            int shift = high + 1 - stored;
            for (int fi = 0; fi < nFrames; fi++) {
                int r = in.readNBytes(buf, 0, buf.length);
                if (r < buf.length) {
                    throw new VolumeFormatException(f.path() + ": Pixel Data ends early in frame " + (fi + 1)
                            + " (truncated file)");
                }
                int k = slotOf[fi];
                if (k < 0) {
                    continue;
                }
                Frame fr = frames.get(k);
                boolean scaled = fr.slope() != 1 || fr.intercept() != 0;
                int base = k * perFrame;
                for (int p = 0; p < perFrame; p++) {
                    long raw = switch (bytes) {
                        case 1 -> buf[p] & 0xff;
                        case 2 -> DicomParser.u16(buf, 2 * p, order);
                        default -> DicomParser.u32(buf, 4 * p, order);
                    };
                    long v = storedValue(raw >>> shift, stored, signed);
                    voxels[base + p] = scaled ? (float) (v * fr.slope() + fr.intercept()) : (float) v;
                }
            }
        } catch (java.io.EOFException e) {
            throw new VolumeFormatException(f.path() + ": Pixel Data ends early (truncated file)", e);
        } catch (IOException e) {
            throw new VolumeFormatException(f.path() + ": cannot read pixel data: " + e.getMessage(), e);
        }
    }

    /** A sample's value from its bits shifted down to bit 0: BitsStored kept, sign-extended when signed. */
    private static long storedValue(long raw, int stored, boolean signed) {
        long bits = raw & ((1L << stored) - 1);
        if (!signed) {
            return bits;
        }
        long m = 1L << (stored - 1);
        return (bits ^ m) - m;
    }

    /** Decodes each compressed frame and stores it as the uncompressed path does (BitsStored, sign, rescale). */
    private static void readCompressedFrames(DicomParser.ParsedFile f, int[] slotOf, List<Frame> frames,
                                             float[] voxels, int perFrame) throws VolumeFormatException {
        DicomDataset d = f.dataset();
        int bits = d.uint16(BITS_ALLOCATED, 16);
        int stored = d.uint16(BITS_STORED, bits);
        int high = d.uint16(HIGH_BIT, stored - 1);
        boolean signed = d.uint16(PIXEL_REPRESENTATION, 0) == 1;
        String ts = f.transferSyntax();
        FrameDecoder decoder = FrameDecoders.forSyntax(ts);
        List<byte[]> compressed = EncapsulatedPixels.frames(f, slotOf.length);
        FrameDecoder.Shape shape = new FrameDecoder.Shape(d.uint16(ROWS, 0), d.uint16(COLUMNS, 0), bits);
        int shift = high + 1 - stored;
        for (int fi = 0; fi < slotOf.length; fi++) {
            int k = slotOf[fi];
            if (k < 0) {
                continue;
            }
            int[] raw;
            try {
                raw = decoder.decode(compressed.get(fi), shape);
            } catch (CodecException e) {
                throw new VolumeFormatException(f.path() + (slotOf.length > 1 ? " frame " + (fi + 1) : "") + ": "
                        + DicomParser.syntaxName(ts) + ": " + e.getMessage(), e);
            }
            Frame fr = frames.get(k);
            boolean scaled = fr.slope() != 1 || fr.intercept() != 0;
            int base = k * perFrame;
            for (int p = 0; p < perFrame; p++) {
                long v = storedValue((raw[p] & 0xffffffffL) >>> shift, stored, signed);
                voxels[base + p] = scaled ? (float) (v * fr.slope() + fr.intercept()) : (float) v;
            }
        }
    }

    private static double[] cross(double[] o) {
        return new double[] {
            o[1] * o[5] - o[2] * o[4],
            o[2] * o[3] - o[0] * o[5],
            o[0] * o[4] - o[1] * o[3]};
    }

    private static double[] scale(double[] o, int base, double s) {
        return new double[] {o[base] * s, o[base + 1] * s, o[base + 2] * s};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static String fmt(double[] v) {
        return java.util.Arrays.stream(v).mapToObj(DicomReader::fmtNum).collect(Collectors.joining("\\", "[", "]"));
    }

    private static String fmtNum(double v) {
        return Affine.format(v);
    }
}
