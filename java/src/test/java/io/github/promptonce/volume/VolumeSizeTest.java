package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A 512×512×300 volume (a typical CT, 78.6 M voxels, 315 MB of float32) fits on the heap, and slicing it along every
 * axis is fast enough for per-slice segmentation. Prints the measured times (the basis of the heap storage choice
 * documented in {@link Volume}).
 */
class VolumeSizeTest {
    @Test
    void ctSizedVolumeFitsAndSlices() {
        int nx = 512;
        int ny = 512;
        int nz = 300;
        long t0 = System.nanoTime();
        float[] data = new float[nx * ny * nz];
        for (int k = 0; k < nz; k++) {
            java.util.Arrays.fill(data, k * nx * ny, (k + 1) * nx * ny, k);
        }
        Volume v = new Volume(data, nx, ny, nz, Geometry.ofSpacing(0.7, 0.7, 1.25), SourceFormat.MEMORY, null, null,
                DataType.INT16, 1, 0, 0, 1, 0);
        long t1 = System.nanoTime();
        double sum = 0;
        for (int k = 0; k < nz; k++) {
            sum += v.slice(k).data()[nx * ny - 1];
        }
        long t2 = System.nanoTime();
        for (int j = 0; j < ny; j += 8) {
            sum += v.slice(Axis.J, j).data()[0];
        }
        long t3 = System.nanoTime();
        for (int i = 0; i < nx; i += 8) {
            sum += v.slice(Axis.I, i).data()[0];
        }
        long t4 = System.nanoTime();
        assertEquals(299f, v.get(511, 511, 299));
        assertEquals(299.0 * 300 / 2, sum, 0);
        System.out.printf("VolumeSizeTest: 512x512x300 built in %.0f ms; per slice K %.3f ms, J %.3f ms, I %.3f ms%n",
                (t1 - t0) / 1e6, (t2 - t1) / 1e6 / nz, (t3 - t2) / 1e6 / (ny / 8), (t4 - t3) / 1e6 / (nx / 8));
    }
}
