package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AffineTest {
    @Test
    void orientationCodesAsNibabel() {
        assertEquals("RAS", Affine.diagonal(1, 1, 1, 0, 0, 0).orientation());
        assertEquals("LAS", Affine.diagonal(-2, 2, 2, 0, 0, 0).orientation());
        assertEquals("LPS", Affine.diagonal(-0.5, -0.5, 2.5, 0, 0, 0).orientation());
        assertEquals("LSA", Affine.of(-2, 0, 0, 0, 0, 0, 3, -254, 0, 2, 0, 0).orientation());
        assertEquals("PIR", Affine.of(0, 0, 2, 0, -1, 0, 0, 0, 0, -1, 0, 0).orientation());
        // nearly axial with a 10° tilt and shear stays LAS
        double c = Math.cos(Math.toRadians(10));
        double s = Math.sin(Math.toRadians(10));
        assertEquals("LAS", Affine.of(-2, 0, 0, 0, 0, 2 * c, -s, 0, 0, 2 * s, 2.2 * c, 0).orientation());
        // 45°: ties broken in voxel-axis order
        assertEquals("RAS".length(), Affine.of(1, -1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0).orientation().length());
        assertEquals("??S", Affine.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0).orientation().replaceAll("[^?S]", "?"));
    }

    @Test
    void lpsRasInverseAndApply() {
        Affine a = Affine.of(0.5, 0.1, 0, 10, -0.2, 0.7, 0.05, -20, 0, 0.03, 2.5, 30);
        assertTrue(a.multiply(a.inverse()).approxEquals(Affine.IDENTITY, 1e-12));
        assertEquals(a, a.lpsToRas().lpsToRas());
        double[] w = a.apply(1, 2, 3);
        assertArrayEquals(new double[] {0.5 + 0.2 + 10, -0.2 + 1.4 + 0.15 - 20, 0.06 + 7.5 + 30}, w, 1e-12);
        double[] r = a.lpsToRas().apply(1, 2, 3);
        assertArrayEquals(new double[] {-w[0], -w[1], w[2]}, r, 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(0.25 + 0.04), Math.sqrt(0.01 + 0.49 + 0.0009),
            Math.sqrt(0.0025 + 6.25)}, a.zooms(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Affine.of(1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Affine.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, Double.NaN));
        assertThrows(IllegalStateException.class, () -> Affine.diagonal(1, 0, 1, 0, 0, 0).inverse());
        assertEquals("[[-2, 0, 0, 32], [0, 2, 0, -40], [0, 0, 2.5, -16.125]]",
                Affine.diagonal(-2, 2, 2.5, 32, -40, -16.125).toString());
    }

    @Test
    void quaternionRoundTripsForRigidAffines() {
        Random r = new Random(7);
        for (int t = 0; t < 200; t++) {
            // random rotation from a random unit quaternion, random zooms, random handedness
            double qa = r.nextGaussian();
            double qb = r.nextGaussian();
            double qc = r.nextGaussian();
            double qd = r.nextGaussian();
            double n = Math.sqrt(qa * qa + qb * qb + qc * qc + qd * qd);
            if (qa < 0) {
                n = -n;
            }
            double[] quat = {qb / n, qc / n, qd / n, r.nextGaussian() * 100, r.nextGaussian() * 100,
                r.nextGaussian() * 100};
            double[] zooms = {0.3 + r.nextDouble() * 3, 0.3 + r.nextDouble() * 3, 0.3 + r.nextDouble() * 3};
            double qfac = r.nextBoolean() ? 1 : -1;
            Affine a = Quaternions.toAffine(quat, zooms, qfac);
            Geometry g = Geometry.fromAffine(a, 1);
            assertTrue(g.qform().approxEquals(a, 1e-9), a + " vs " + g.qform());
            assertEquals(qfac, g.qfac());
            assertArrayEquals(zooms, g.spacing(), 1e-9);
            assertEquals(a.orientation(), g.qform().orientation());
        }
    }

    @Test
    void baseAffineForCodesZeroIsNibabels() {
        Geometry g = Geometry.ofSpacing(2, 3, 4);
        assertEquals(Affine.of(-2, 0, 0, 9, 0, 3, 0, -6, 0, 0, 4, -10), g.affine(10, 5, 6));
        assertEquals("pixdim", g.affineSource());
        assertEquals("LAS", g.affine(10, 5, 6).orientation());
    }
}
