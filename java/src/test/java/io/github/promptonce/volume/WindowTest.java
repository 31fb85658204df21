package io.github.promptonce.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowTest {
    @Test
    void presetsAreThePapersAndTheUsualCtWindows() {
        assertEquals(new Window(-650, 1500), Window.preset("ct-lung"));
        assertEquals(new Window(40, 400), Window.preset("ct-abdomen"));
        assertEquals(new Window(50, 350), Window.preset("ct-mediastinum"));
        assertEquals(new Window(400, 1800), Window.preset("ct-bone"));
        assertEquals(new Window(40, 80), Window.preset("CT-Brain"));
        assertEquals(-1400, Window.preset("ct-lung").lower());
        assertEquals(100, Window.preset("ct-lung").upper());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Window.preset("ct-liver"));
        assertEquals("unknown window preset 'ct-liver'; expected one of ct-lung, ct-abdomen, ct-mediastinum, "
                + "ct-bone, ct-brain, auto", e.getMessage());
    }

    @Test
    void mapsLinearlyAndClamps() {
        Window w = new Window(40, 400); // -160 .. 240
        assertEquals(0f, w.apply(-1000f));
        assertEquals(0f, w.apply(-160f));
        assertEquals(0.5f, w.apply(40f));
        assertEquals(0.25f, w.apply(-60f));
        assertEquals(1f, w.apply(240f));
        assertEquals(1f, w.apply(3000f));
        assertEquals(0f, w.apply(Float.NaN));
        assertEquals(1f, w.apply(Float.POSITIVE_INFINITY));
        assertEquals(0f, w.apply(Float.NEGATIVE_INFINITY));
        float[] in = {-1000, -160, -60, 40, 240, 3000, Float.NaN};
        float[] out = w.apply(in);
        for (int i = 0; i < in.length; i++) {
            assertEquals(w.apply(in[i]), out[i]);
        }
        Slice s = w.apply(new Slice(2, 1, new float[] {-60, 40}));
        assertArrayEquals(new float[] {0.25f, 0.5f}, s.data());
    }

    @Test
    void parseAcceptsLevelWidthPresetsAndAuto() {
        Volume v = Volume.of(ramp(1000), 10, 10, 10, Geometry.ofSpacing(1, 1, 1));
        assertEquals(new Window(-650, 1500), Window.parse("-650,1500", v));
        assertEquals(new Window(50, 350), Window.parse("ct-mediastinum", v));
        assertEquals(Window.auto(v), Window.parse("auto", v));
        assertThrows(IllegalArgumentException.class, () -> Window.parse("40", v));
        assertThrows(IllegalArgumentException.class, () -> Window.parse("40,0", v));
        assertThrows(IllegalArgumentException.class, () -> new Window(40, -1));
        assertThrows(IllegalArgumentException.class, () -> new Window(Double.NaN, 1));
    }

    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void autoUsesWholeVolumePercentiles() {
        // values 0..999: numpy.percentile(…, 0.5) = 4.995, 99.5 → 994.005
        Volume v = Volume.of(ramp(1000), 10, 10, 10, Geometry.ofSpacing(1, 1, 1));
        Window w = Window.auto(v);
        assertEquals(4.995, w.lower(), 1e-9);
        assertEquals(994.005, w.upper(), 1e-9);
        // a bright outlier in one slice does not stretch the window
        float[] a = ramp(1000);
        a[999] = 1e6f;
        assertEquals(994.005, Window.auto(Volume.of(a, 10, 10, 10, Geometry.ofSpacing(1, 1, 1))).upper(), 1e-9);
        Volume constant = Volume.of(new float[8], 2, 2, 2, Geometry.ofSpacing(1, 1, 1));
        assertEquals(new Window(0, 1), Window.auto(constant));
    }

    @Test
    void percentilesMatchASortedReference() {
        Random r = new Random(42);
        for (int trial = 0; trial < 30; trial++) {
            int n = 1 + r.nextInt(trial < 20 ? 2000 : 200000);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = switch (trial % 4) {
                    case 0 -> (float) r.nextGaussian() * 1000;
                    case 1 -> r.nextInt(5); // many ties
                    case 2 -> (float) Math.exp(r.nextGaussian() * 10); // wide dynamic range
                    default -> i % 7 == 0 ? Float.NaN : r.nextFloat();
                };
            }
            float[] finite = new float[n];
            int m = 0;
            for (float f : a) {
                if (Float.isFinite(f)) {
                    finite[m++] = f;
                }
            }
            float[] sorted = Arrays.copyOf(finite, m);
            Arrays.sort(sorted);
            for (double p : new double[] {0, 0.5, 1, 25, 50, 99.5, 100}) {
                double rank = p / 100 * (m - 1);
                int lo = (int) Math.floor(rank);
                double expected = lo + 1 < m ? sorted[lo] + (sorted[lo + 1] - (double) sorted[lo]) * (rank - lo)
                        : sorted[lo];
                assertEquals(expected, Percentiles.percentile(a, p), Math.abs(expected) * 1e-12 + 1e-12,
                        "trial " + trial + " p " + p);
            }
        }
        assertTrue(Double.isNaN(Percentiles.percentile(new float[] {Float.NaN}, 50)));
    }
}
