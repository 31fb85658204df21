package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every datatype in both byte orders, NIfTI-1 and -2, plain and gzip; scaling, offsets, 4-D, exact geometry. */
class NiftiSyntheticTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> variants() {
        List<Arguments> out = new ArrayList<>();
        for (DataType t : DataType.values()) {
            for (ByteOrder o : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (int version : new int[] {1, 2}) {
                    for (boolean gz : new boolean[] {false, true}) {
                        out.add(Arguments.of(t, o, version, gz));
                    }
                }
            }
        }
        return out.stream();
    }

    /** Stored values covering each type's extremes. */
    static IntToDoubleFunction extremes(DataType t) {
        double[] v = switch (t) {
            case UINT8 -> new double[] {0, 1, 127, 128, 255};
            case INT8 -> new double[] {-128, -1, 0, 1, 127};
            case INT16 -> new double[] {-32768, -1, 0, 1, 32767};
            case UINT16 -> new double[] {0, 1, 32768, 65534, 65535};
            case INT32 -> new double[] {-2147483648.0, -1, 0, 16777216, 2147483520.0}; // 2^31-128: largest float below 2^31
            case UINT32 -> new double[] {0, 1, 16777216, 2147483648.0, 4294967040.0}; // 2^32-256
            case FLOAT32 -> new double[] {-3.4e38, -1.5, 0, 1e-30, 3.25};
            case FLOAT64 -> new double[] {-1e30, -1.5, 0, 1e-30, 0.1};
        };
        return i -> v[i % v.length];
    }

    @ParameterizedTest(name = "{0} {1} v{2} gz={3}")
    @MethodSource("variants")
    void decodesEveryTypeAndOrder(DataType t, ByteOrder o, int version, boolean gz) throws Exception {
        NiftiBytes b = new NiftiBytes().type(t).dims(5, 2, 3);
        b.order = o;
        b.version = version;
        b.gzip = gz;
        b.values = extremes(t);
        Volume v = b.read();
        assertEquals(t, v.sourceDataType());
        assertArrayEquals(new int[] {5, 2, 3}, v.dims());
        for (int i = 0; i < 30; i++) {
            double expected = b.values.applyAsDouble(i);
            assertEquals((float) expected, v.get(i), "voxel " + i);
        }
        assertEquals(version == 1 ? SourceFormat.NIFTI1 : SourceFormat.NIFTI2, v.format());
        assertTrue(v.formatDetail().contains(o == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian"));
        // round trip in the source type, through a file
        Path f = tmp.resolve("rt" + (gz ? ".nii.gz" : ".nii"));
        NiftiWriter.write(v, f, t);
        Volume back = Volumes.read(f);
        assertEquals(t, back.sourceDataType());
        for (int i = 0; i < 30; i++) {
            assertEquals(v.get(i), back.get(i), "voxel " + i);
        }
        assertTrue(v.geometry().sameGeometry(back.geometry()));
    }

    @Test
    void largeIntegersRoundToTheNearestFloat() throws Exception {
        NiftiBytes b = new NiftiBytes().type(DataType.UINT32).dims(2, 1, 1);
        b.values = i -> i == 0 ? 4294967295.0 : 16777217;
        Volume v = b.read();
        assertEquals(4294967296f, v.get(0));
        assertEquals(16777216f, v.get(1));
    }

    @Test
    void scalingIsAppliedInDoublePrecision() throws Exception {
        NiftiBytes b = new NiftiBytes();
        b.slope = 0.5;
        b.inter = -1024;
        b.values = i -> i * 100 - 500;
        Volume v = b.read();
        assertEquals(-500 * 0.5 - 1024, v.get(0));
        assertEquals((2300 - 500) * 0.5 - 1024, v.get(23));
        assertEquals(0.5, v.sclSlope());
        assertEquals(-1024, v.sclInter());
        // slope 0 or NaN means "no scaling"
        for (double s : new double[] {0, Double.NaN}) {
            NiftiBytes n = new NiftiBytes();
            n.slope = s;
            n.inter = 7;
            n.values = i -> i;
            assertEquals(5f, n.read().get(5));
        }
    }

    @Test
    void voxOffsetIsHonouredAndZeroMeansAfterTheHeader() throws Exception {
        NiftiBytes b = new NiftiBytes();
        b.voxOffset = 1024;
        b.values = i -> i + 1;
        assertEquals(1f, b.read().get(0));
        assertEquals(24f, b.read().get(23));
        NiftiBytes z = new NiftiBytes();
        byte[] f = z.build();
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 0f);
        assertEquals(z.values.applyAsDouble(9), NiftiReader.read(f, "z.nii", ReadOptions.defaults()).get(9));
    }

    @Test
    void fourDimensionalFilesSelectAVolume() throws Exception {
        NiftiBytes b = new NiftiBytes().dims(4, 3, 2, 3);
        b.values = i -> i;
        assertEquals(0f, b.read().get(0));
        Volume v2 = b.read(ReadOptions.defaults().withVolumeIndex(2));
        assertEquals(48f, v2.get(0));
        assertEquals(71f, v2.get(23));
        assertEquals(2, v2.volumeIndex());
        assertEquals(3, v2.volumeCount());
        NiftiBytes gz = new NiftiBytes().dims(4, 3, 2, 3).gz();
        gz.values = i -> i;
        assertEquals(30f, gz.read(ReadOptions.defaults().withVolumeIndex(1)).get(6));
    }

    @Test
    void oneAndTwoDimensionalFiles() throws Exception {
        Volume one = new NiftiBytes().dims(7).read();
        assertArrayEquals(new int[] {7, 1, 1}, one.dims());
        Volume two = new NiftiBytes().dims(3, 4).read();
        assertArrayEquals(new int[] {3, 4, 1}, two.dims());
    }

    @Test
    void headerFieldsArePreservedBitForBit() throws Exception {
        for (int version : new int[] {1, 2}) {
            NiftiBytes b = new NiftiBytes();
            b.version = version;
            b.order = ByteOrder.BIG_ENDIAN;
            b.pixdim = new double[] {-1, 0.7000000000000001, 0.31, 2.2999999523, 1.93, 0.5, 0.25, 3};
            b.xyztUnits = 2 | 16;
            b.qformCode = 3;
            b.sformCode = 4;
            b.quatern = new double[] {0.1, -0.2, 0.30000001, 12.345678, -98.7654321, 0.0001};
            b.srow = new double[] {0.69, 0.01, -0.02, -90.1, 0.011, 0.31, 0.0033, 126.7, -0.05, 0.004, 2.3, -72.9};
            Volume v = b.read();
            Path f = tmp.resolve("p" + version + ".nii");
            NiftiWriter.write(v, f);
            NiftiHeader h = NiftiReader.readHeader(f);
            assertEquals(version, h.version);
            double[] expectedPix = b.pixdim.clone();
            double[] expectedQ = b.quatern.clone();
            double[] expectedS = b.srow.clone();
            if (version == 1) {
                for (double[] a : new double[][] {expectedPix, expectedQ, expectedS}) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) a[i];
                    }
                }
            }
            assertArrayEquals(expectedPix, h.pixdim);
            assertArrayEquals(expectedQ, h.quatern);
            assertArrayEquals(expectedS, h.srow);
            assertEquals(3, h.qformCode);
            assertEquals(4, h.sformCode);
            assertEquals(18, h.xyztUnits);
            assertEquals("test", h.descrip);
            Volume back = Volumes.read(f);
            assertTrue(v.geometry().sameGeometry(back.geometry()));
            assertEquals(v.affine(), back.affine());
            assertEquals(v.geometry().qform(), back.geometry().qform());
        }
    }

    @Test
    void writerRefusesUnrepresentableValuesAndWritesNifti2ForLargeDims() throws Exception {
        Volume v = Volume.of(new float[] {0, 1.5f, 2}, 3, 1, 1, Geometry.ofSpacing(1, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NiftiWriter.write(v, tmp.resolve("x.nii"), DataType.INT16));
        assertTrue(e.getMessage().contains("voxel (1, 0, 0) = 1.5 is not representable; write float32 instead"),
                e.getMessage());
        Volume wide = Volume.of(new float[40000], 40000, 1, 1, Geometry.ofSpacing(1, 1, 1));
        Path f = tmp.resolve("wide.nii");
        NiftiWriter.write(wide, f, DataType.UINT8);
        assertEquals(SourceFormat.NIFTI2, Volumes.read(f).format());
        assertEquals(544 + 40000, Files.size(f));
        assertTrue(Files.list(tmp).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }

    @Test
    void highlyCompressibleMasksPassTheGzipRatioBound() throws Exception {
        // An empty mask compresses about 1000:1, close to DEFLATE's limit that the reader uses to reject lying dims.
        Volume src = Volume.of(new float[256 * 256 * 100], 256, 256, 100, Geometry.ofSpacing(1, 1, 1));
        Path plain = tmp.resolve("empty_mask.nii");
        NiftiWriter.writeMask(VolumeMask.empty(src), plain);
        Path f = tmp.resolve("empty_mask.nii.gz");
        try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(Files.newOutputStream(f)) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
            }
        }) {
            g.write(Files.readAllBytes(plain));
        }
        assertTrue(Files.size(f) * 900 < 256 * 256 * 100, "compressed to " + Files.size(f) + " bytes");
        Volume back = Volumes.read(f);
        assertEquals(0f, back.max());
        assertEquals(DataType.UINT8, back.sourceDataType());
    }

    @Test
    void logitsVolumeWithSourceGeometry() throws Exception {
        Volume src = new NiftiBytes().read();
        float[] logits = new float[(int) src.voxelCount()];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (i - 10) * 0.37f;
        }
        Path f = tmp.resolve("logits.nii.gz");
        NiftiWriter.write(src.withVoxels(logits), f);
        Volume back = Volumes.read(f);
        assertEquals(DataType.FLOAT32, back.sourceDataType());
        assertTrue(src.geometry().sameGeometry(back.geometry()));
        assertArrayEquals(logits, back.copyVoxels());
    }
}
