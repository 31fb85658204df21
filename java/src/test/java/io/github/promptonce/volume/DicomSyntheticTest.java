package io.github.promptonce.volume;

import static io.github.promptonce.volume.DicomBytes.AXIAL;
import static io.github.promptonce.volume.DicomBytes.constant;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DICOM series assembly and its errors, on files written by {@link DicomBytes}. */
class DicomSyntheticTest {
    @TempDir
    Path tmp;

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), () -> "message '" + message + "' lacks '" + part + "'");
    }

    private String fails(Path p) {
        return assertThrows(VolumeFormatException.class, () -> Volumes.read(p)).getMessage();
    }

    /** Four slices at z = 10, 2.5, 7.5, 5 written as a1..a4; slice value = 1024 + z·10 (stored). */
    private Path series(String syntax) {
        Path dir = tmp.resolve("series-" + syntax);
        double[] z = {10, 2.5, 7.5, 5};
        for (int f = 0; f < 4; f++) {
            DicomBytes d = DicomBytes.ct("1.2.3", 3, 4, new double[] {-20, -30, z[f]}, AXIAL,
                    constant(12, 1024 + (int) (z[f] * 10)));
            d.transferSyntax = syntax;
            d.write(dir.resolve("a" + (f + 1)));
        }
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {DicomParser.EXPLICIT_LE, DicomParser.IMPLICIT_LE, DicomParser.EXPLICIT_BE,
        DicomParser.DEFLATED_LE})
    void sortsByPositionInEverySyntax(String syntax) throws Exception {
        Volume v = Volumes.read(series(syntax));
        assertArrayEquals(new int[] {4, 3, 4}, v.dims());
        assertEquals(25f, v.get(0, 0, 0));
        assertEquals(50f, v.get(3, 2, 1));
        assertEquals(75f, v.get(1, 1, 2));
        assertEquals(100f, v.get(2, 0, 3));
        // LPS columns: 0.75·(1,0,0), 0.5·(0,1,0), (0,0,2.5), origin (-20,-30,2.5) → RAS negates x and y
        Affine expected = Affine.of(-0.75, 0, 0, 20, 0, -0.5, 0, 30, 0, 0, 2.5, 2.5);
        assertTrue(expected.approxEquals(v.affine(), 1e-12), v.affine().toString());
        assertArrayEquals(new double[] {0.75, 0.5, 2.5}, v.spacing(), 1e-12);
        assertTrue(v.formatDetail().contains(DicomParser.syntaxName(syntax)), v.formatDetail());
    }

    @Test
    void missingPositionOrOrientation() {
        Path dir = tmp.resolve("nopos");
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 0)).write(dir.resolve("1.dcm"));
        DicomBytes.ct("1.2.3", 2, 2, null, AXIAL, constant(4, 0)).write(dir.resolve("2.dcm"));
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 2}, AXIAL, constant(4, 0)).write(dir.resolve("3.dcm"));
        assertContains(fails(dir), "nopos: 2.dcm has no ImagePositionPatient (0020,0032); cannot order 3 slices");
        Path dir2 = tmp.resolve("noori");
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 0)).write(dir2.resolve("1.dcm"));
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 1}, null, constant(4, 0)).write(dir2.resolve("2.dcm"));
        assertContains(fails(dir2), "2.dcm has no ImageOrientationPatient (0020,0037); cannot order 2 slices");
    }

    @Test
    void singleImageWithoutGeometryIsReadWithUnknownGeometry() throws Exception {
        Path f = DicomBytes.ct("1.2.3", 2, 2, null, null, constant(4, 1024)).write(tmp.resolve("one.dcm"));
        Volume v = Volumes.read(f);
        assertEquals(0, v.geometry().sformCode());
        assertTrue(v.formatDetail().contains("geometry unknown"));
        assertArrayEquals(new double[] {0.75, 0.5, 1}, v.spacing(), 1e-12);
    }

    @Test
    void mixedSizes() {
        Path dir = tmp.resolve("sizes");
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 0)).write(dir.resolve("1.dcm"));
        DicomBytes.ct("1.2.3", 3, 2, new double[] {0, 0, 1}, AXIAL, constant(6, 0)).write(dir.resolve("2.dcm"));
        assertContains(fails(dir), "sizes: mixed image sizes in series 1.2.3: 2x2 in 1.dcm but 2x3 in 2.dcm; "
                + "expected one size (Columns x Rows)");
    }

    @Test
    void duplicatePositions() {
        Path dir = tmp.resolve("dup");
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 0)).write(dir.resolve("1.dcm"));
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 5}, AXIAL, constant(4, 0)).write(dir.resolve("2.dcm"));
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 5}, AXIAL, constant(4, 0)).write(dir.resolve("3.dcm"));
        assertContains(fails(dir), "dup: duplicate slice position [0\\0\\5] in 2.dcm and 3.dcm; expected one slice "
                + "per position");
    }

    @Test
    void unevenSpacingAndMixedOrientation() {
        Path dir = tmp.resolve("gap");
        for (double z : new double[] {0, 1, 2, 4}) {
            DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, z}, AXIAL, constant(4, 0))
                    .write(dir.resolve("z" + (int) z + ".dcm"));
        }
        assertContains(fails(dir), "gap: uneven slice spacing: 2 mm between z2.dcm and z4.dcm, mean 1.333333 mm; "
                + "expected even spacing (a missing slice?)");
        Path dir2 = tmp.resolve("ori");
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 0)).write(dir2.resolve("1.dcm"));
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 1}, new double[] {0, 1, 0, 0, 0, -1}, constant(4, 0))
                .write(dir2.resolve("2.dcm"));
        assertContains(fails(dir2), "ori: mixed slice orientations in series 1.2.3: [1\\0\\0\\0\\1\\0] in 1.dcm but "
                + "[0\\1\\0\\0\\0\\-1] in 2.dcm; expected one orientation");
    }

    @Test
    void severalSeriesAreListedAndOneIsChosen() throws Exception {
        Path dir = tmp.resolve("two");
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 1000)).write(dir.resolve("a/1.dcm"));
        DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 1}, AXIAL, constant(4, 1000)).write(dir.resolve("a/2.dcm"));
        DicomBytes.ct("4.5.6", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 2000)).write(dir.resolve("b/1.dcm"));
        Files.writeString(dir.resolve("README.txt"), "not dicom");
        assertContains(fails(dir), "two: holds 2 DICOM series; choose one with --series UID: 1.2.3 (CT, 2 files, "
                + "'test series'); 4.5.6 (CT, 1 file, 'test series')");
        assertEquals(2, DicomReader.listSeries(dir).size());
        assertEquals("4.5.6", DicomReader.listSeries(dir).get(1).seriesInstanceUid());
        Volume b = Volumes.read(dir, ReadOptions.defaults().withSeries("4.5.6"));
        assertEquals(976f, b.get(0, 0, 0));
        assertEquals(1, b.nz());
        Volume a = Volumes.read(dir, ReadOptions.defaults().withSeries("1.2.3"));
        assertEquals(2, a.nz());
        VolumeFormatException e = assertThrows(VolumeFormatException.class,
                () -> Volumes.read(dir, ReadOptions.defaults().withSeries("9.9")));
        assertContains(e.getMessage(), "two: no DICOM series with SeriesInstanceUID 9.9; found 1.2.3 (CT, 2 files");
    }

    @Test
    void emptyAndNonDicomDirectories() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertContains(assertThrows(VolumeFormatException.class,
                () -> DicomReader.read(empty, ReadOptions.defaults())).getMessage(),
                "empty: directory is empty; expected DICOM files of one series");
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("a.txt"), "hello");
        assertContains(fails(other), "other: no DICOM files or PNG/TIFF images found (1 file looked at)");
    }

    @Test
    void storedBitsAreMaskedAndSignExtended() throws Exception {
        // 12 bits stored in 16, signed; the upper 4 bits hold junk (e.g. overlay bits) that must be ignored.
        int[] stored = {0x0FFF | 0xA000, 0x0800 | 0x5000, 0x07FF, 0x0001 | 0xF000};
        DicomBytes d = DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, stored)
                .us(0x00280101, 12).us(0x00280102, 11).ds(0x00281052, 0);
        Volume v = Volumes.read(d.write(tmp.resolve("12bit.dcm")));
        assertArrayEquals(new float[] {-1, -2048, 2047, 1}, v.copyVoxels());
        DicomBytes u = DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, stored)
                .us(0x00280101, 12).us(0x00280102, 11).us(0x00280103, 0).ds(0x00281052, 0);
        Volume uv = Volumes.read(u.write(tmp.resolve("12bitu.dcm")));
        assertArrayEquals(new float[] {4095, 2048, 2047, 1}, uv.copyVoxels());
        assertEquals(DataType.UINT16, uv.sourceDataType());
    }

    @Test
    void perSliceRescale() throws Exception {
        Path dir = tmp.resolve("rescale");
        DicomBytes.ct("1.2.3", 1, 2, new double[] {0, 0, 0}, AXIAL, new int[] {10, 20}).ds(0x00281053, 2)
                .ds(0x00281052, 5).write(dir.resolve("1.dcm"));
        DicomBytes.ct("1.2.3", 1, 2, new double[] {0, 0, 1}, AXIAL, new int[] {10, 20}).ds(0x00281053, 0.5)
                .ds(0x00281052, -1).write(dir.resolve("2.dcm"));
        Volume v = Volumes.read(dir);
        assertArrayEquals(new float[] {25, 45, 4, 9}, v.copyVoxels());
    }

    private static DicomBytes frameGroup(double z) {
        return new DicomBytes().sq(DicomReader.PLANE_POSITION_SQ, new DicomBytes().ds(0x00200032, 1, 2, z));
    }

    @Test
    void enhancedMultiFrameSortedByPerFramePositions() throws Exception {
        int[] px = new int[3 * 4];
        for (int f = 0; f < 3; f++) {
            Arrays.fill(px, f * 4, f * 4 + 4, 100 * (f + 1));
        }
        DicomBytes shared = new DicomBytes()
                .sq(DicomReader.PLANE_ORIENTATION_SQ, new DicomBytes().ds(0x00200037, AXIAL))
                .sq(DicomReader.PIXEL_MEASURES_SQ, new DicomBytes().ds(0x00280030, 0.4, 0.6))
                .sq(DicomReader.VALUE_TRANSFORMATION_SQ, new DicomBytes().ds(0x00281052, -10).ds(0x00281053, 1));
        DicomBytes d = DicomBytes.ct("1.2.3", 2, 2, null, null, px).remove(0x00281052).remove(0x00281053)
                .remove(0x00280030).is(0x00280008, 3)
                .sq(DicomReader.SHARED_FG, shared)
                .sq(DicomReader.PER_FRAME_FG, frameGroup(6), frameGroup(2), frameGroup(4));
        for (String ts : new String[] {DicomParser.EXPLICIT_LE, DicomParser.IMPLICIT_LE, DicomParser.EXPLICIT_BE}) {
            d.transferSyntax = ts;
            Volume v = Volumes.read(d.write(tmp.resolve("mf-" + ts + ".dcm")));
            assertArrayEquals(new int[] {2, 2, 3}, v.dims());
            assertEquals(190f, v.get(0, 0, 0), ts); // frame 2 at z=2
            assertEquals(290f, v.get(1, 1, 1), ts); // frame 3 at z=4
            assertEquals(90f, v.get(1, 0, 2), ts); // frame 1 at z=6
            Affine expected = Affine.of(-0.6, 0, 0, -1, 0, -0.4, 0, -2, 0, 0, 2, 2);
            assertTrue(expected.approxEquals(v.affine(), 1e-12), v.affine().toString());
        }
        DicomBytes noGroups = DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, px).is(0x00280008, 3);
        assertContains(fails(noGroups.write(tmp.resolve("mf-old.dcm"))), "mf-old.dcm: multi-frame image with 3 "
                + "frames, no per-frame functional groups (5200,9230) and no positive SpacingBetweenSlices (0018,0088) "
                + "or SliceThickness (0018,0050); cannot place the frames");
        // Legacy multi-frame: the single position and orientation, frames SliceThickness apart along the normal
        // (SpacingBetweenSlices wins over it).
        noGroups.str(0x00180050, "DS", "2.5");
        Volume legacy = Volumes.read(noGroups.write(tmp.resolve("mf-legacy.dcm")));
        assertArrayEquals(new int[] {2, 2, 3}, legacy.dims());
        assertTrue(Affine.of(-0.75, 0, 0, 0, 0, -0.5, 0, 0, 0, 0, 2.5, 0).approxEquals(legacy.affine(), 1e-12),
                legacy.affine().toString());
        noGroups.str(0x00180088, "DS", "3");
        legacy = Volumes.read(noGroups.write(tmp.resolve("mf-legacy2.dcm")));
        assertEquals(3.0, legacy.affine().get(2, 2), 1e-12);
    }

    @Test
    void compressedColourAndTruncatedFiles() throws Exception {
        DicomBytes jpeg = DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(4, 0));
        jpeg.transferSyntax = "1.2.840.10008.1.2.4.201";
        assertContains(fails(jpeg.write(tmp.resolve("htj2k.dcm"))), "htj2k.dcm: transfer syntax "
                + "1.2.840.10008.1.2.4.201 (High-Throughput JPEG 2000 (Lossless Only)) is not supported; promptonce "
                + "reads uncompressed DICOM, RLE, JPEG (baseline, extended, lossless), JPEG-LS and JPEG 2000");
        jpeg.transferSyntax = "1.2.840.10008.1.2.4.50";
        assertContains(fails(jpeg.write(tmp.resolve("jpeg.dcm"))), "jpeg.dcm: transfer syntax "
                + "1.2.840.10008.1.2.4.50 (JPEG Baseline (Process 1)) but Pixel Data is not encapsulated");
        DicomBytes rgb = DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0}, AXIAL, constant(12, 0))
                .us(0x00280002, 3).str(0x00280004, "CS", "RGB");
        assertContains(fails(rgb.write(tmp.resolve("rgb.dcm"))), "rgb.dcm: SamplesPerPixel 3 (RGB); expected 1: "
                + "only greyscale images are supported");
        DicomBytes shortPixels = DicomBytes.ct("1.2.3", 4, 4, new double[] {0, 0, 0}, AXIAL, constant(10, 0));
        assertContains(fails(shortPixels.write(tmp.resolve("short.dcm"))), "short.dcm: Pixel Data holds 20 bytes "
                + "but Rows x Columns x frames x BitsAllocated need 32 (truncated file?)");
        byte[] full = DicomBytes.ct("1.2.3", 4, 4, new double[] {0, 0, 0}, AXIAL, constant(16, 0)).build();
        Path cut = tmp.resolve("cut.dcm");
        Files.write(cut, Arrays.copyOf(full, full.length - 10));
        assertContains(fails(cut), "cut.dcm: element (7FE0,0010) at byte");
        assertContains(fails(cut), "past the end of the file");
        Files.write(cut, Arrays.copyOf(full, full.length - 40));
        assertContains(fails(cut), "cut.dcm: DICOM data ends early (truncated file)");
    }

    @Test
    void filesWithoutPreambleAreRead() throws Exception {
        DicomBytes d = DicomBytes.ct("1.2.3", 1, 2, new double[] {0, 0, 0}, AXIAL, new int[] {1030, 1040});
        d.preamble = false;
        d.transferSyntax = DicomParser.IMPLICIT_LE;
        Volume v = Volumes.read(d.write(tmp.resolve("raw.dcm")));
        assertArrayEquals(new float[] {6, 16}, v.copyVoxels());
    }

    @Test
    void sagittalAndObliqueOrientations() throws Exception {
        Path dir = tmp.resolve("sag");
        for (int k = 0; k < 3; k++) {
            DicomBytes.ct("1.2.3", 2, 2, new double[] {10 - 2 * k, 0, 0}, new double[] {0, 1, 0, 0, 0, -1},
                    constant(4, 1024 + k)).write(dir.resolve(k + ".dcm"));
        }
        Volume v = Volumes.read(dir);
        assertEquals("PIR", v.orientation());
        // normal = row × column = (-1, 0, 0): sorted along it (ascending −x), the slice at x = 10 comes first
        assertEquals(0f, v.get(0, 0, 0));
        assertEquals(2f, v.get(0, 0, 2));
        assertTrue(Affine.of(0, 0, 2, -10, -0.75, 0, 0, 0, 0, -0.5, 0, 0).approxEquals(v.affine(), 1e-12),
                v.affine().toString());
        double c = Math.cos(Math.toRadians(30));
        double s = Math.sin(Math.toRadians(30));
        Volume o = Volumes.read(DicomBytes.ct("1.2.3", 2, 2, new double[] {0, 0, 0},
                new double[] {c, s, 0, -s, c, 0}, constant(4, 0)).write(tmp.resolve("obl.dcm")));
        assertEquals("LPS", o.orientation());
        assertTrue(o.geometry().qform().approxEquals(o.affine(), 1e-5));
    }
}
