package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * For every real DICOM series the tests read, the world (RAS mm) coordinates of the volume's eight corner voxels
 * equal those of Debian dcm2niix's NIfTI of the same series within 1e-3 mm. dcm2niix may store rows or slices in the
 * other order, so corners are matched as sets; the dims must agree up to that.
 */
class GeometryVsDcm2niixTest {
    private static final double TOLERANCE_MM = 1e-3;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"dicomdirtests/98892001/CT5N", "CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm",
        "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm", "693_J2KI.dcm", "JPEG2000.dcm",
        "JPGExtended.dcm", "rtdose_1frame.dcm", "liver_1frame.dcm"})
    void cornersEqualDcm2niix(String file) throws Exception {
        Path source = TestData.pydicom(file);
        assertCornersMatch(Volumes.read(source), Volumes.read(dcm2niix(source)), file);
    }

    /**
     * RT Dose, a legacy multi-frame image placed by GridFrameOffsetVector (0, 5, …, 70 mm): dcm2niix ignores that
     * vector ("unable to determine slice thickness") and stacks the frames 1 mm apart, so only the first slice's
     * corners are compared with it; the slice step is checked against the vector itself.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rtdose.dcm", "rtdose_rle.dcm"})
    void legacyMultiFrameRtDose(String file) throws Exception {
        Volume ours = Volumes.read(TestData.pydicom(file));
        Volume theirs = Volumes.read(dcm2niix(TestData.pydicom(file)));
        assertEquals(15, ours.nz());
        assertCornersMatch(firstSlice(ours), firstSlice(theirs), file + " slice 0");
        // IPP (189.43125, 199.43125, -761.87) LPS, normal +z: frame k at z = -761.87 + 5k
        assertTrue(Affine.of(-10, 0, 0, -189.43125, 0, -10, 0, -199.43125, 0, 0, 5, -761.87)
                .approxEquals(ours.affine(), 1e-9), ours.affine().toString());
    }

    private static Volume firstSlice(Volume v) {
        return Volume.of(v.slice(0).data(), v.nx(), v.ny(), 1, Geometry.fromAffine(v.affine(), 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dcmcrle", "dcmcjpls", "dcmcjpeg +e1", "gdcmconv --j2k"})
    void compressedCtSeriesCornersEqualDcm2niix(String encoder) throws Exception {
        Path series = CompressedDicomTest.encodeSeries(encoder, RealDicomTest.ct5n(), tmp.resolve("series"));
        assertCornersMatch(Volumes.read(series), Volumes.read(dcm2niix(series)), encoder);
    }

    static void assertCornersMatch(Volume ours, Volume theirs, String what) {
        int[] a = ours.dims().clone();
        int[] b = theirs.dims().clone();
        Arrays.sort(a);
        Arrays.sort(b);
        assertTrue(Arrays.equals(a, b), what + ": dims " + Arrays.toString(ours.dims()) + " but dcm2niix "
                + Arrays.toString(theirs.dims()));
        List<double[]> mine = corners(ours);
        List<double[]> ref = corners(theirs);
        for (double[] p : mine) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] q : ref) {
                best = Math.min(best, Math.max(Math.abs(p[0] - q[0]), Math.max(Math.abs(p[1] - q[1]),
                        Math.abs(p[2] - q[2]))));
            }
            if (best > TOLERANCE_MM) {
                fail(what + ": corner " + Arrays.toString(p) + " is " + best + " mm from every dcm2niix corner "
                        + ref.stream().map(Arrays::toString).toList() + "\nours " + ours.affine() + "\ndcm2niix "
                        + theirs.affine());
            }
        }
        assertEquals(8, mine.size());
    }

    private static List<double[]> corners(Volume v) {
        Affine m = v.affine();
        List<double[]> out = new ArrayList<>();
        for (int i : new int[] {0, v.nx() - 1}) {
            for (int j : new int[] {0, v.ny() - 1}) {
                for (int k : new int[] {0, v.nz() - 1}) {
                    out.add(m.apply(i, j, k));
                }
            }
        }
        return out;
    }

    /**
     * dcm2niix's NIfTI of a series (a directory) or of one file; fails unless it writes exactly one volume. Debian's
     * dcm2niix decodes neither JPEG-LS nor 12-bit JPEG, so it is given gdcmconv --raw copies (the header, hence the
     * geometry, is unchanged by that).
     */
    Path dcm2niix(Path source) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in-" + source.getFileName()));
        List<Path> files;
        if (Files.isDirectory(source)) {
            try (Stream<Path> s = Files.list(source)) {
                files = s.toList();
            }
        } else {
            files = List.of(source);
        }
        for (Path f : files) {
            DicomTools.run("gdcmconv", "--raw", f.toString(), in.resolve(f.getFileName()).toString());
        }
        Path out = Files.createDirectories(tmp.resolve("nii-" + source.getFileName()));
        String log = DicomTools.run("dcm2niix", "-z", "n", "-b", "n", "-f", "out", "-o", out.toString(),
                in.toString());
        List<Path> written;
        try (Stream<Path> s = Files.list(out)) {
            written = s.filter(p -> p.toString().endsWith(".nii")).toList();
        }
        if (written.size() != 1) {
            fail("dcm2niix wrote " + written + " for " + source + "; expected one NIfTI: " + log);
        }
        return written.get(0);
    }
}
