package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every NIfTI file of the Debian test packages, checked against values read with nibabel 5.0 (recorded here as
 * literals), and round-tripped through the writer.
 */
class RealNiftiTest {
    @TempDir
    Path tmp;

    /** Expected values from nibabel: file, dims, datatype, affine (12, row-major), axcodes, sum of volume 0. */
    record Expected(Path file, int[] dims, int volumes, DataType type, int qformCode, int sformCode, double[] affine,
                    String orientation, double sum, long nonFinite) {
        @Override
        public String toString() {
            return file.getFileName().toString();
        }
    }

    static Stream<Expected> files() {
        return Stream.of(
            new Expected(TestData.nibabel("anatomical.nii"), new int[] {33, 41, 25}, 1, DataType.INT16, 2, 2,
                new double[] {-2, 0, 0, 32, 0, 2, 0, -40, 0, 0, 2, -16}, "LAS", 284166082.0, 0),
            new Expected(TestData.nibabel("example4d.nii.gz"), new int[] {128, 96, 24}, 2, DataType.INT16, 1, 1,
                new double[] {-2.0, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625,
                    -6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492,
                    8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328},
                "LAS", 50994397.0, 0),
            new Expected(TestData.nibabel("example_nifti2.nii.gz"), new int[] {32, 20, 12}, 2, DataType.INT16, 1, 1,
                new double[] {-2.0, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625,
                    -6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492,
                    8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328},
                "LAS", 3461748.0, 0),
            new Expected(TestData.nibabel("functional.nii"), new int[] {17, 21, 3}, 20, DataType.INT16, 2, 2,
                new double[] {-4, 0, 0, 32, 0, 4, 0, -40, 0, 0, 8, 0}, "LAS", 3883746.552329719, 0),
            new Expected(TestData.nibabel("reoriented_anat_moved.nii"), new int[] {21, 26, 22}, 1, DataType.FLOAT32,
                2, 2, new double[] {4, 0, 0, -35.29789733886719, 0, 4, 0, -47.97758483886719, 0, 0, 4,
                    -27.599409103393555}, "RAS", 32739769.449157715, 0),
            new Expected(TestData.nibabel("resampled_anat_moved.nii"), new int[] {17, 21, 3}, 1, DataType.FLOAT32, 2,
                2, new double[] {-4, 0, 0, 32, 0, 4, 0, -40, 0, 0, 8, 0}, "LAS", 7749957.09866333, 153),
            new Expected(TestData.nibabel("standard.nii.gz"), new int[] {4, 5, 7}, 1, DataType.UINT8, 0, 2,
                new double[] {1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 2, 0}, "RAS", 7650.0, 0),
            new Expected(TestData.nibabel("row_major.dconn.nii"), new int[] {1, 1, 1}, 100, DataType.FLOAT32, 0, 0,
                new double[] {-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, "LAS", 0.1621823012828827, 0),
            new Expected(TestData.itk("KmeansTest_T1UCharRaw.nii.gz"), new int[] {128, 128, 62}, 1, DataType.INT16,
                2, 1, new double[] {-2, 0, 0, 0, 0, 0, 3, -254, 0, 2, 0, 0}, "LSA", 19533798.0, 0),
            new Expected(TestData.itk("KmeansTest_T1KmeansPrelimSegmentation.nii.gz"), new int[] {128, 128, 62}, 1,
                DataType.UINT8, 2, 1, new double[] {-2, 0, 0, 0, 0, 0, 3, -254, 0, 2, 0, 0}, "LSA", 1753763.0, 0),
            new Expected(TestData.itk("KmeansTest_T1RawSkullStrip.nii.gz"), new int[] {128, 128, 62}, 1,
                DataType.UINT8, 2, 1, new double[] {-2, 0, 0, 0, 0, 0, 3, -254, 0, 2, 0, 0}, "LSA", 754913.0, 0));
    }

    static Stream<Arguments> fileArgs() {
        return files().map(Arguments::of);
    }

    private static Volume readKeep(Path p, int t) throws VolumeFormatException {
        return Volumes.read(p, ReadOptions.defaults().withVolumeIndex(t).withNonFinite(NonFinitePolicy.KEEP));
    }

    private static double sum(Volume v) {
        double s = 0;
        for (int i = 0; i < v.voxelCount(); i++) {
            float f = v.get(i);
            if (Float.isFinite(f)) {
                s += f;
            }
        }
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileArgs")
    void geometryAndValuesMatchNibabel(Expected e) throws Exception {
        Volume v = readKeep(e.file(), 0);
        assertArrayEquals(e.dims(), v.dims());
        assertEquals(e.volumes(), v.volumeCount());
        assertEquals(e.type(), v.sourceDataType());
        assertEquals(e.qformCode(), v.geometry().qformCode());
        assertEquals(e.sformCode(), v.geometry().sformCode());
        double[] a = v.affine().toArray();
        for (int i = 0; i < 12; i++) {
            assertEquals(e.affine()[i], a[i], 1e-12, "affine element " + i);
        }
        assertEquals(e.orientation(), v.orientation());
        assertEquals(e.sum(), sum(v), Math.abs(e.sum()) * 1e-6 + 1e-6);
        assertEquals(e.nonFinite(), v.nonFiniteCount());
    }

    @Test
    void anatomicalIsBigEndianInt16WithExactFields() throws Exception {
        Volume v = Volumes.read(TestData.nibabel("anatomical.nii"));
        assertEquals(SourceFormat.NIFTI1, v.format());
        assertTrue(v.formatDetail().contains("big-endian"), v.formatDetail());
        assertEquals(5215f, v.get(1, 2, 1));
        assertEquals(2971f, v.get(32, 40, 24));
        assertEquals(11881f, v.get(16, 20, 12));
        assertEquals(-610f, v.min());
        assertEquals(30393f, v.max());
        assertArrayEquals(new double[] {-1, 2, 2, 2, 0, 0, 0, 0}, v.geometry().pixdim());
        assertArrayEquals(new double[] {2, 2, 2}, v.spacing());
        assertEquals(10, v.geometry().xyztUnits());
        assertEquals("mm", v.geometry().spatialUnit());
        assertArrayEquals(new double[] {0, 1, 0, 32, -40, -16}, v.geometry().quaternion());
        assertTrue(v.geometry().qform().approxEquals(v.affine(), 1e-12));
    }

    @Test
    void example4dQformMatchesNibabel() throws Exception {
        Volume v = Volumes.read(TestData.nibabel("example4d.nii.gz"));
        double[] q = {-1.999999995978187, 1.0282396754185892e-05, 0.00013905980362440367, 117.8551025390625,
            -1.0282396754185892e-05, 1.9737114380364735, -0.3555282247524397, -35.72294235229492,
            0.00012641805535562603, 0.32320761014906196, 2.1710816833341227, -7.248798370361328};
        double[] a = v.geometry().qform().toArray();
        for (int i = 0; i < 12; i++) {
            assertEquals(q[i], a[i], 1e-9, "qform element " + i);
        }
        assertEquals(265f, v.get(64, 48, 12));
        assertArrayEquals(new double[] {2, 2, 2.1999990940093994}, v.spacing());
        assertEquals(50990959.0, sum(Volumes.read(TestData.nibabel("example4d.nii.gz"),
                ReadOptions.defaults().withVolumeIndex(1))), 0);
    }

    @Test
    void itkQformMatchesNibabel() throws Exception {
        Volume v = Volumes.read(TestData.itk("KmeansTest_T1UCharRaw.nii.gz"));
        double[] q = {-1.9999998630858329, -0.0005232860831866975, 0.0007849291247800464, 0,
            0.0005232860831866975, 6.845708355740499e-08, 2.9999998973143747, -254.0,
            -0.0005232860831866975, 1.9999999315429164, 1.0268562533610748e-07, 0.0};
        double[] a = v.geometry().qform().toArray();
        for (int i = 0; i < 12; i++) {
            assertEquals(q[i], a[i], 1e-9, "qform element " + i);
        }
        assertEquals(97f, v.get(64, 64, 31));
        Volume seg = Volumes.read(TestData.itk("KmeansTest_T1KmeansPrelimSegmentation.nii.gz"));
        assertEquals(6f, seg.get(64, 64, 31));
        assertEquals(1f, seg.get(1, 2, 1));
        VolumeMask labels = VolumeMask.fromVolume(seg);
        assertEquals(java.util.Set.of(1, 2, 3, 4, 5, 6), labels.labelSet());
    }

    @Test
    void nifti2AndScaledAndNaNValues() throws Exception {
        Volume n2 = Volumes.read(TestData.nibabel("example_nifti2.nii.gz"));
        assertEquals(SourceFormat.NIFTI2, n2.format());
        assertEquals(332f, n2.get(1, 2, 1));
        assertEquals(484f, n2.get(31, 19, 11));
        assertEquals(49f, n2.min());
        assertEquals(742f, n2.max());
        assertEquals(3465054.0, sum(Volumes.read(TestData.nibabel("example_nifti2.nii.gz"),
                ReadOptions.defaults().withVolumeIndex(1))), 0);

        Volume f = Volumes.read(TestData.nibabel("functional.nii"));
        assertEquals(0.07540696859359741, f.sclSlope(), 0);
        assertEquals(3100.76171875, f.sclInter(), 0);
        assertEquals((float) 3524.096440434456, f.get(1, 2, 1));
        assertEquals((float) 3142.8388072252274, f.get(16, 20, 2));
        assertEquals((float) 3865.7654151320457, f.get(8, 10, 1));
        assertEquals((float) 762.5424365997314, f.min());
        assertEquals((float) 5538.065757632256, f.max());
        assertEquals(3884191.0010026097, sum(Volumes.read(TestData.nibabel("functional.nii"),
                ReadOptions.defaults().withVolumeIndex(1))), 3884191.0 * 1e-6);

        Path nan = TestData.nibabel("resampled_anat_moved.nii");
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> Volumes.read(nan));
        assertTrue(e.getMessage().contains("153 of 1071 voxels are not finite (153 NaN, 0 infinite)"), e.getMessage());
        assertTrue(e.getMessage().contains("resampled_anat_moved.nii"), e.getMessage());
        Volume kept = readKeep(nan, 0);
        assertTrue(Float.isNaN(kept.get(16, 20, 2)));
        assertEquals(1843.4461669921875f, kept.get(1, 2, 1));
        assertEquals(10849.904296875f, kept.get(8, 10, 1));
        Volume zeroed = Volumes.read(nan, ReadOptions.defaults().withNonFinite(NonFinitePolicy.ZERO));
        assertEquals(0f, zeroed.get(16, 20, 2));
        assertEquals(0, zeroed.nonFiniteCount());
        assertEquals(409.3004455566406f, zeroed.get(zeroMinIndex(zeroed)));

        Volume dconn = Volumes.read(TestData.nibabel("row_major.dconn.nii"),
                ReadOptions.defaults().withVolumeIndex(1));
        assertEquals(0.7942845225334167f, dconn.get(0, 0, 0));
        Volume dconn10 = Volumes.read(TestData.nibabel("row_major.dconn.nii"),
                ReadOptions.defaults().withVolumeIndex(10));
        assertEquals(0.45054158568382263f, dconn10.get(0, 0, 0));

        Volume std = Volumes.read(TestData.nibabel("standard.nii.gz"));
        assertEquals(255f, std.get(1, 2, 1));
        assertEquals(0f, std.get(2, 2, 3));
        assertArrayEquals(new double[] {1, 3, 2}, std.spacing());
    }

    private static int zeroMinIndex(Volume v) {
        int best = -1;
        for (int i = 0; i < v.voxelCount(); i++) {
            if (v.get(i) != 0 && (best < 0 || v.get(i) < v.get(best))) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void volumeIndexOutOfRangeIsAnError() {
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> Volumes.read(
                TestData.nibabel("example4d.nii.gz"), ReadOptions.defaults().withVolumeIndex(2)));
        assertTrue(e.getMessage().contains("volume index 2 is out of range; the file holds 2 volumes "
                + "(dims 128x96x24x2)"), e.getMessage());
    }

    /** Read → write (float32, and the source datatype with its scaling) → read: equal voxels and geometry. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fileArgs")
    void roundTripEveryVolume(Expected e) throws Exception {
        Volume first = readKeep(e.file(), 0);
        int volumes = Math.min(first.volumeCount(), 20);
        for (int t = 0; t < volumes; t++) {
            Volume v = t == 0 ? first : readKeep(e.file(), t);
            for (String ext : new String[] {".nii", ".nii.gz"}) {
                Path f32 = tmp.resolve("rt" + t + "_f32" + ext);
                NiftiWriter.write(v, f32);
                assertSame(v, readKeep(f32, 0), DataType.FLOAT32);
                Path orig = tmp.resolve("rt" + t + "_orig" + ext);
                NiftiWriter.write(v, orig, v.sourceDataType());
                Volume back = readKeep(orig, 0);
                assertSame(v, back, v.sourceDataType());
                assertEquals(v.sclSlope(), back.sclSlope(), 0);
                assertEquals(v.sclInter(), back.sclInter(), 0);
            }
        }
    }

    private static void assertSame(Volume expected, Volume actual, DataType type) {
        assertArrayEquals(expected.dims(), actual.dims());
        assertEquals(type, actual.sourceDataType());
        assertEquals(expected.format(), actual.format(), "NIfTI version is kept");
        assertTrue(expected.geometry().sameGeometry(actual.geometry()),
                expected.geometry() + " vs " + actual.geometry());
        assertEquals(expected.affine(), actual.affine());
        assertEquals(expected.geometry().qform(), actual.geometry().qform());
        for (int i = 0; i < expected.voxelCount(); i++) {
            float a = expected.get(i);
            float b = actual.get(i);
            if (!(Float.isNaN(a) && Float.isNaN(b)) && Float.floatToIntBits(a) != Float.floatToIntBits(b)) {
                assertEquals(a, b, "voxel " + i);
            }
        }
    }
}
