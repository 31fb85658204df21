package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeTest {
    @TempDir
    Path tmp;

    /** Voxel (i, j, k) holds 100·i + 10·j + k. */
    static Volume coded(int nx, int ny, int nz) {
        float[] v = new float[nx * ny * nz];
        for (int k = 0; k < nz; k++) {
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    v[i + nx * (j + ny * k)] = 100 * i + 10 * j + k;
                }
            }
        }
        return Volume.of(v, nx, ny, nz, Geometry.ofSpacing(1, 2, 3));
    }

    @Test
    void slicesAlongEachAxis() {
        Volume v = coded(4, 3, 2);
        Slice k = v.slice(1); // default axis K: width nx, height ny, row = j, column = i
        assertEquals(4, k.width());
        assertEquals(3, k.height());
        assertEquals(321f, k.get(3, 2));
        assertEquals(v.slice(Axis.K, 1), k);
        Slice j = v.slice(Axis.J, 2); // width nx (i), height nz (k)
        assertEquals(4, j.width());
        assertEquals(2, j.height());
        assertArrayEquals(new float[] {20, 120, 220, 320, 21, 121, 221, 321}, j.data());
        Slice i = v.slice(Axis.I, 3); // width ny (j), height nz (k)
        assertEquals(3, i.width());
        assertEquals(2, i.height());
        assertArrayEquals(new float[] {300, 310, 320, 301, 311, 321}, i.data());
        assertThrows(IndexOutOfBoundsException.class, () -> v.slice(2));
        // slices are copies
        k.data()[0] = -1;
        assertEquals(1f, v.get(0, 0, 1));
    }

    @Test
    void volumeBasics() {
        Volume v = coded(4, 3, 2);
        assertEquals(0f, v.min());
        assertEquals(321f, v.max());
        assertEquals(24, v.voxelCount());
        assertEquals(SourceFormat.MEMORY, v.format());
        assertArrayEquals(new double[] {1, 2, 3}, v.spacing());
        assertEquals(v.index(1, 2, 1), 1 + 4 * (2 + 3));
        assertThrows(IllegalArgumentException.class, () -> Volume.of(new float[5], 2, 2, 2, Geometry.ofSpacing(1, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> v.withVoxels(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> Volume.of(new float[0], 0, 1, 1, Geometry.ofSpacing(1, 1, 1)));
    }

    @Test
    void masksMirrorVolumeSlicesAndWriteWithGeometry() throws Exception {
        Volume src = new NiftiBytes().dims(4, 3, 2).read();
        VolumeMask m = VolumeMask.empty(src);
        m.set(3, 2, 1, 1);
        m.set(0, 0, 0, 2);
        assertEquals(2, m.count());
        assertEquals(1, m.count(2));
        assertEquals(Set.of(1, 2), m.labelSet());
        assertFalse(m.isBinary());
        assertTrue(m.select(1).isBinary());
        assertEquals(2, m.foreground().count());
        byte[] k1 = m.slice(1);
        assertEquals(1, k1[2 * 4 + 3]);
        assertTrue(m.isSliceEmpty(Axis.J, 1));
        assertFalse(m.isSliceEmpty(Axis.I, 3));
        byte[] iSlice = m.slice(Axis.I, 3); // width ny, height nz
        assertEquals(1, iSlice[1 * 3 + 2]);
        m.setSlice(Axis.J, 0, new boolean[] {true, false, false, false, false, false, false, true}, 5);
        assertEquals(5, m.get(0, 0, 0));
        assertEquals(5, m.get(3, 0, 1));
        assertEquals(0, m.get(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> m.set(0, 0, 0, 256));
        assertThrows(IllegalArgumentException.class, () -> m.setSlice(Axis.K, 0, new byte[3]));

        Path f = tmp.resolve("mask.nii.gz");
        NiftiWriter.writeMask(m, f);
        Volume back = Volumes.read(f);
        assertEquals(DataType.UINT8, back.sourceDataType());
        assertTrue(src.geometry().sameGeometry(back.geometry()));
        assertEquals(src.affine(), back.affine());
        VolumeMask mb = VolumeMask.fromVolume(back);
        assertArrayEquals(m.labels(), mb.labels());

        Volume notLabels = Volume.of(new float[] {0, 1.5f}, 2, 1, 1, Geometry.ofSpacing(1, 1, 1));
        VolumeFormatException e = assertThrows(VolumeFormatException.class, () -> VolumeMask.fromVolume(notLabels));
        assertEquals("label volume: voxel (1, 0, 0) = 1.5 is not a label; expected whole numbers 0..255",
                e.getMessage());
    }

    @Test
    void naturalOrder() {
        assertTrue(NaturalOrder.STRINGS.compare("img2.png", "img10.png") < 0);
        assertTrue(NaturalOrder.STRINGS.compare("img10.png", "img9.png") > 0);
        assertTrue(NaturalOrder.STRINGS.compare("a", "a1") < 0);
        assertTrue(NaturalOrder.STRINGS.compare("slice_001", "slice_2") < 0);
        assertEquals(0, NaturalOrder.STRINGS.compare("x12y", "x12y"));
        assertTrue(NaturalOrder.STRINGS.compare("99999999999999999999999", "100000000000000000000000") < 0);
    }
}
