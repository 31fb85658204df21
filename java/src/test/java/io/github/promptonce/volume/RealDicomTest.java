package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** pydicom's test files; expected values were read with pydicom 2.3 (pixel_array · RescaleSlope + Intercept). */
class RealDicomTest {
    @TempDir
    Path tmp;

    static Path ct5n() {
        return TestData.pydicom("dicomdirtests/98892001/CT5N/2062").getParent();
    }

    @Test
    void ct5nSeriesHasHounsfieldUnitsSortedByPosition() throws Exception {
        Volume v = Volumes.read(ct5n());
        assertEquals(SourceFormat.DICOM, v.format());
        assertArrayEquals(new int[] {16, 16, 5}, v.dims());
        assertEquals(DataType.INT16, v.sourceDataType());
        assertEquals(1.0, v.sclSlope());
        assertEquals(-1024.0, v.sclInter());
        // slices in order of ImagePositionPatient z: -1.2375 (file 3353) … 8.7625 (file 2062)
        double[] sums = {-17594, -9701, -10964, -48364, -90697};
        float[] at53 = {-127, -133, 23, 16, -13}; // pixel_array[row 3, col 5]
        float[] at00 = {-33, 10, -49, -26, -50};
        float[] at1515 = {-95, -84, -666, -834, -729};
        for (int k = 0; k < 5; k++) {
            double s = 0;
            Slice sl = v.slice(k);
            for (float f : sl.data()) {
                s += f;
            }
            assertEquals(sums[k], s, 0, "sum of slice " + k);
            assertEquals(at53[k], v.get(5, 3, k));
            assertEquals(at53[k], sl.get(5, 3));
            assertEquals(at00[k], v.get(0, 0, k));
            assertEquals(at1515[k], v.get(15, 15, k));
        }
        assertEquals(-888f, v.min());
        assertEquals(85f, v.max());
        // LPS: rows 0.488281·(1,0,0), columns 0.488281·(0,1,0), step (0,0,2.5), origin (-72.199997,-143,-1.2375)
        Affine expected = Affine.of(-0.488281, 0, 0, 72.199997, 0, -0.488281, 0, 143, 0, 0, 2.5, -1.2375);
        assertTrue(expected.approxEquals(v.affine(), 1e-9), v.affine().toString());
        assertEquals("LPS", v.orientation());
        assertEquals(1, v.geometry().sformCode());
        assertEquals(1, v.geometry().qformCode());
        assertTrue(v.geometry().qform().approxEquals(expected, 1e-6), v.geometry().qform().toString());
        assertArrayEquals(new double[] {0.488281, 0.488281, 2.5}, v.spacing(), 1e-9);
    }

    @Test
    void ct5nWrittenAsNiftiKeepsTheRasAffine() throws Exception {
        Volume v = Volumes.read(ct5n());
        Path out = tmp.resolve("ct5n.nii.gz");
        NiftiWriter.write(v, out, DataType.INT16);
        Volume back = Volumes.read(out);
        assertEquals(SourceFormat.NIFTI1, back.format());
        assertTrue(back.affine().approxEquals(v.affine(), 1e-5), back.affine().toString());
        assertTrue(back.geometry().qform().approxEquals(v.affine(), 1e-5), back.geometry().qform().toString());
        assertEquals("LPS", back.orientation());
        assertEquals(-1024.0, back.sclInter());
        for (int i = 0; i < v.voxelCount(); i++) {
            assertEquals(v.get(i), back.get(i));
        }
        VolumeMask m = VolumeMask.empty(v);
        m.set(5, 3, 2, 1);
        Path mp = tmp.resolve("mask.nii.gz");
        NiftiWriter.writeMask(m, mp);
        Volume mv = Volumes.read(mp);
        assertEquals(DataType.UINT8, mv.sourceDataType());
        assertTrue(mv.affine().approxEquals(v.affine(), 1e-5));
        assertEquals(1f, mv.get(5, 3, 2));
        assertEquals(1, VolumeMask.fromVolume(mv).count());
    }

    @Test
    void ctSmallSingleFile() throws Exception {
        Volume v = Volumes.read(TestData.pydicom("CT_small.dcm"));
        assertArrayEquals(new int[] {128, 128, 1}, v.dims());
        assertEquals(-849f, v.get(0, 0, 0));
        assertEquals(-844f, v.get(1, 0, 0));
        assertEquals(-858f, v.get(2, 0, 0));
        assertEquals(904f, v.get(64, 64, 0));
        assertEquals(-65f, v.get(0, 127, 0));
        assertEquals(-896f, v.min());
        assertEquals(1167f, v.max());
        double s = 0;
        for (int i = 0; i < v.voxelCount(); i++) {
            s += v.get(i);
        }
        assertEquals(-1950906.0, s, 0);
        Affine expected = Affine.of(-0.661468, 0, 0, 158.135803, 0, -0.661468, 0, 179.035797, 0, 0, 5, -75.699997);
        assertTrue(expected.approxEquals(v.affine(), 1e-9), v.affine().toString());
        assertEquals("LPS", v.orientation());
        assertTrue(v.formatDetail().contains("Explicit VR Little Endian"), v.formatDetail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm", "MR_small_implicit.dcm",
        "MR_small_padded.dcm"})
    void mrSmallInEveryUncompressedSyntax(String file) throws Exception {
        Volume v = Volumes.read(TestData.pydicom(file));
        assertArrayEquals(new int[] {64, 64, 1}, v.dims());
        assertEquals(905f, v.get(0, 0, 0));
        assertEquals(1019f, v.get(1, 0, 0));
        assertEquals(1227f, v.get(2, 0, 0));
        assertEquals(1259f, v.get(3, 0, 0));
        assertEquals(862f, v.get(63, 63, 0));
        double s = 0;
        for (int i = 0; i < v.voxelCount(); i++) {
            s += v.get(i);
        }
        assertEquals(2125338.0, s, 0);
        assertArrayEquals(new double[] {0.3125, 0.3125, 0.8}, v.spacing(), 1e-9);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_jp2klossless.dcm"})
    void losslessCompressedMrSmallEqualsTheUncompressedFile(String file) throws Exception {
        Volume plain = Volumes.read(TestData.pydicom("MR_small.dcm"));
        Volume v = Volumes.read(TestData.pydicom(file));
        assertArrayEquals(plain.dims(), v.dims());
        assertArrayEquals(plain.copyVoxels(), v.copyVoxels());
        assertTrue(plain.affine().approxEquals(v.affine(), 1e-12), v.affine().toString());
    }

    @Test
    void segmentationWithOneBitPixelsAndFunctionalGroups() throws Exception {
        for (String f : new String[] {"liver_1frame.dcm", "liver_expb_1frame.dcm"}) {
            Volume v = Volumes.read(TestData.pydicom(f));
            assertArrayEquals(new int[] {512, 512, 1}, v.dims());
            assertEquals(DataType.UINT8, v.sourceDataType());
            double s = 0;
            for (int i = 0; i < v.voxelCount(); i++) {
                s += v.get(i);
            }
            assertEquals(36233.0, s, 0, f);
            assertEquals(1f, v.get(256, 256, 0));
            assertEquals(0f, v.get(253, 145, 0));
            assertEquals(1f, v.get(254, 145, 0));
            Affine expected = Affine.of(-0.810547, 0, 0, 235.2, 0, -0.810547, 0, 226.8, 0, 0, 1, -128.69);
            assertTrue(expected.approxEquals(v.affine(), 1e-9), v.affine().toString());
        }
    }

    @Test
    void deflatedFileWithoutGeometry() throws Exception {
        Volume v = Volumes.read(TestData.pydicom("image_dfl.dcm"));
        assertArrayEquals(new int[] {512, 512, 1}, v.dims());
        assertEquals(213f, v.get(0, 0, 0));
        assertEquals(188f, v.get(511, 511, 0));
        double s = 0;
        for (int i = 0; i < v.voxelCount(); i++) {
            s += v.get(i);
        }
        assertEquals(33322688.0, s, 0);
        assertTrue(v.formatDetail().contains("Deflated"), v.formatDetail());
        assertTrue(v.formatDetail().contains("geometry unknown"), v.formatDetail());
        assertEquals(0, v.geometry().sformCode());
    }

    @Test
    void directoryWithSeveralSeriesListsThemAndSelects() throws Exception {
        Path dir = TestData.pydicom("dicomdirtests/98892001/CT5N/2062").getParent().getParent();
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> Volumes.read(dir));
        assertTrue(e.getMessage().contains("holds 2 DICOM series; choose one with --series UID: "), e.getMessage());
        assertTrue(e.getMessage().contains("1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6 (CT, 5 files"),
                e.getMessage());
        List<DicomReader.SeriesInfo> series = DicomReader.listSeries(dir);
        assertEquals(2, series.size());
        Volume v = Volumes.read(dir, ReadOptions.defaults()
                .withSeries("1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6"));
        assertArrayEquals(new int[] {16, 16, 5}, v.dims());
        assertEquals(-127f, v.get(5, 3, 0));
    }

    @Test
    void directoryOfDicomFilesWithoutPixels() {
        Path dir = TestData.pydicom("dicomdirtests/TINY_ALPHA/DICOMDIR").getParent();
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> Volumes.read(dir));
        assertTrue(e.getMessage().contains("no DICOM images found"), e.getMessage());
        assertTrue(e.getMessage().contains("DICOM files without pixel data"), e.getMessage());
    }

    @Test
    void truncatedPixelData() {
        VolumeFormatException e = assertThrows(VolumeFormatException.class,
                () -> Volumes.read(TestData.pydicom("MR_truncated.dcm")));
        assertTrue(e.getMessage().contains("MR_truncated.dcm"), e.getMessage());
    }
}
