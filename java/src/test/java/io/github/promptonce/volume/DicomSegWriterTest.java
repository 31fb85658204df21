package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DICOM SEG output: valid for Debian's dciodvfy (dicom3tools: no "Error" line), read back by pydicom with every frame
 * equal to the NIfTI mask of the same mask voxel for voxel, frames placed and referenced like their source images
 * (java/src/test/python/check_seg.py), and read back by promptonce's own reader.
 */
class DicomSegWriterTest {
    static final DicomSegWriter.Algorithm ALGORITHM = new DicomSegWriter.Algorithm("promptonce", "0.1.0-test",
            "promptonce-small");

    @TempDir
    Path tmp;

    /** A mask with label 1 in a block and label 2 in a few voxels, on CT5N's grid. */
    static VolumeMask twoLabels(Volume v) {
        VolumeMask m = VolumeMask.empty(v);
        for (int k = 1; k < 4; k++) {
            for (int j = 2; j < 9; j++) {
                for (int i = 3; i < 12; i++) {
                    m.set(i, j, k, 1);
                }
            }
        }
        m.set(0, 0, 0, 2);
        m.set(15, 15, 4, 2);
        m.set(7, 1, 2, 2);
        return m;
    }

    static String dciodvfy(Path seg) {
        String report = DicomTools.runAnyExit("dciodvfy", seg.toString());
        return report;
    }

    static void assertValid(Path seg) {
        String report = dciodvfy(seg);
        assertFalse(report.lines().anyMatch(l -> l.startsWith("Error")), "dciodvfy reports errors:\n" + report);
    }

    static void assertReadBack(Path seg, Path nifti, Path sourceDir, String labels) {
        String out = DicomTools.run("/usr/bin/python3", Path.of("src/test/python/check_seg.py").toAbsolutePath()
                .toString(), seg.toString(), nifti.toString(), sourceDir.toString(), labels);
        assertTrue(out.contains("ok "), out);
    }

    @Test
    void ctSeriesWithTwoLabels() throws Exception {
        Volume ct = Volumes.read(RealDicomTest.ct5n());
        VolumeMask mask = twoLabels(ct);
        Path seg = tmp.resolve("mask.dcm");
        Path nifti = tmp.resolve("mask.nii");
        DicomSegWriter.write(mask, ct, List.of(), ALGORITHM, seg);
        NiftiWriter.writeMask(mask, nifti);
        assertValid(seg);
        assertReadBack(seg, nifti, RealDicomTest.ct5n(), "1,2");
    }

    @Test
    void compressedSeriesAndNamedSegment() throws Exception {
        Path jls = CompressedDicomTest.encodeSeries("dcmcjpls", RealDicomTest.ct5n(), tmp.resolve("jls"));
        Volume ct = Volumes.read(jls);
        VolumeMask mask = twoLabels(ct).select(1);
        Path seg = tmp.resolve("liver.dcm");
        Path nifti = tmp.resolve("liver.nii");
        DicomSegWriter.Code liver = DicomSegWriter.Code.parse("10200004,SCT,Liver");
        DicomSegWriter.Code organ = DicomSegWriter.Code.parse("123037004,SCT,Anatomical Structure");
        DicomSegWriter.write(mask, ct, List.of(new DicomSegWriter.Segment(1, "liver", organ, liver)), ALGORITHM, seg);
        NiftiWriter.writeMask(mask, nifti);
        assertValid(seg);
        assertReadBack(seg, nifti, jls, "1");
        String dump = DicomTools.run("dcmdump", seg.toString());
        assertTrue(dump.contains("[liver]"), dump);
        assertTrue(dump.contains("[Liver]"), dump);
        assertTrue(dump.contains("[SEMIAUTOMATIC]"), dump);
        // promptonce reads its own one-segment SEG back on the source's grid and geometry
        Volume back = Volumes.read(seg);
        assertTrue(back.affine().approxEquals(ct.affine(), 1e-4), back.affine().toString());
        for (int p = 0; p < mask.labels().length; p++) {
            assertEquals(mask.get(p), (int) back.get(p));
        }
    }

    @Test
    void refusedWithoutADicomSourceAndNothingWritten() throws Exception {
        Volume nii = Volumes.read(TestData.nibabel("anatomical.nii"));
        Path seg = tmp.resolve("no.dcm");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DicomSegWriter.write(VolumeMask.empty(nii), nii, List.of(), ALGORITHM, seg));
        assertTrue(e.getMessage().contains("was not read from DICOM; write the mask as NIfTI instead"),
                e.getMessage());
        Volume ct = Volumes.read(RealDicomTest.ct5n());
        VolumeMask mask = twoLabels(ct);
        e = assertThrows(IllegalArgumentException.class, () -> DicomSegWriter.write(mask, ct,
                List.of(DicomSegWriter.Segment.of(1)), ALGORITHM, seg));
        assertTrue(e.getMessage().contains("the mask holds label 2 but no segment describes it"), e.getMessage());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "no file (not even a temporary one) is left");
        }
    }

    @Test
    void decimalStringsFitSixteenCharacters() {
        for (double v : new double[] {-72.19999694824219, 0.48828125, 1e-17, -1.2375, 123456789.123456789,
            -0.000012345678901234, Math.PI * 1e5}) {
            String d = DicomSegWriter.ds(v);
            assertTrue(d.length() <= 16, d);
            assertEquals(v, Double.parseDouble(d), Math.abs(v) * 1e-9 + 1e-12, d);
        }
        assertEquals("0", DicomSegWriter.ds(-1e-15));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DicomSegWriter.Code.parse("10200004,SCT"));
        assertTrue(e.getMessage().contains("expected VALUE,SCHEME,MEANING"), e.getMessage());
    }
}
