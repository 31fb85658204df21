package io.github.promptonce.phantom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.VolumeMask;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The phantom generator on its own: the PRNG, determinism and the properties the spec promises. */
class PhantomTest {

    @Test
    void splitMix64KnownValues() {
        // SplitMix64 from seed 0: the reference sequence (e.g. the JDK's SplittableRandom mixer, Vigna's C code)
        SplitMix64 r = new SplitMix64(0);
        assertEquals(0xe220a8397b1dcdafL, r.nextLong());
        assertEquals(0x6e789e6aa1b965f4L, r.nextLong());
        assertEquals(0x06c45d188009454fL, r.nextLong());
        for (long seed : new long[] {0, 1, -5, Long.MIN_VALUE + 7}) {
            SplitMix64 g = new SplitMix64(seed);
            for (int n = 0; n < 20; n++) {
                assertEquals(g.nextDouble(), SplitMix64.element(seed, n), "element " + n + " of seed " + seed);
            }
        }
        SplitMix64 u = new SplitMix64(42);
        for (int i = 0; i < 1000; i++) {
            double d = u.nextDouble();
            assertTrue(d >= 0 && d < 1);
        }
    }

    @Test
    void sameSeedSameVolumeOtherSeedOtherVolume() {
        Phantom a = PhantomGenerator.generate(64, 64, 8, 11);
        Phantom b = PhantomGenerator.generate(64, 64, 8, 11);
        Phantom c = PhantomGenerator.generate(64, 64, 8, 12);
        assertArrayEquals(a.volume().copyVoxels(), b.volume().copyVoxels());
        assertNotEquals(java.util.Arrays.hashCode(a.volume().copyVoxels()),
                java.util.Arrays.hashCode(c.volume().copyVoxels()));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 42, 100, 1_000_000, -17})
    void targetStartsAndEndsInsideWithDistractorsApart(long seed) {
        Phantom p = PhantomGenerator.generate(128, 128, 16, seed);
        VolumeMask t = p.truth();
        int first = p.firstTargetSlice();
        int last = p.lastTargetSlice();
        assertTrue(first >= 1 && last <= t.nz() - 2 && last - first >= 4,
                p + ": target slices " + first + ".." + last);
        for (int k = first; k <= last; k++) {
            assertTrue(!t.isSliceEmpty(Axis.K, k), p + ": slice " + k + " inside the extent is empty");
        }
        assertTrue(p.distractorCount() >= 1 && p.distractorCount() <= 2);
        long distractorVoxels = 0;
        int n = t.nx() * t.ny() * t.nz();
        for (int i = 0; i < n; i++) {
            if (p.distractors().get(i) != 0) {
                distractorVoxels++;
                assertEquals(0, t.get(i), p + ": a distractor overlaps the target at voxel " + i);
            }
        }
        assertTrue(distractorVoxels > 0, p + ": no distractor voxel");
        int[] click = p.promptPoint();
        assertEquals(1, t.get(click[0], click[1], click[2]), "the click is on the target");
        assertEquals((first + last) / 2, click[2]);
    }

    @Test
    void intensitiesLookLikeTheirModality() {
        Phantom ct = PhantomGenerator.generate(128, 128, 12, 5, Phantom.Shape.ANY, Phantom.Modality.CT);
        Phantom mr = PhantomGenerator.generate(128, 128, 12, 5, Phantom.Shape.ANY, Phantom.Modality.MR);
        assertEquals(Phantom.Modality.CT, ct.modality());
        assertTrue(ct.volume().min() < -900 && ct.volume().percentile(50) > -1000, "CT: air and tissue in HU");
        assertTrue(mr.volume().min() >= 0, "MR: magnitude image");
        // mean inside the target is near the target intensity, far from the tissue's
        for (Phantom p : new Phantom[] {ct, mr}) {
            double sum = 0;
            long count = 0;
            int n = p.truth().nx() * p.truth().ny() * p.truth().nz();
            for (int i = 0; i < n; i++) {
                if (p.truth().get(i) != 0) {
                    sum += p.volume().get(i);
                    count++;
                }
            }
            double mean = sum / count;
            double contrast = Math.abs(p.targetIntensity() - p.tissueIntensity());
            assertTrue(Math.abs(mean - p.targetIntensity()) < 0.35 * contrast,
                    p + ": target mean " + mean + " vs " + p.targetIntensity() + " (tissue " + p.tissueIntensity() + ")");
        }
    }

    @Test
    void forcedKindsAndAllShapesOccur() {
        for (Phantom.Shape s : new Phantom.Shape[] {Phantom.Shape.ELLIPSOID, Phantom.Shape.TUBE, Phantom.Shape.BLOB}) {
            assertEquals(s, PhantomGenerator.generate(48, 48, 8, 9, s, Phantom.Modality.MR).shape());
        }
        Set<Phantom.Shape> seen = EnumSet.noneOf(Phantom.Shape.class);
        Set<Phantom.Modality> modalities = EnumSet.noneOf(Phantom.Modality.class);
        for (long seed = 0; seed < 12; seed++) {
            Phantom p = PhantomGenerator.generate(32, 32, 6, seed);
            seen.add(p.shape());
            modalities.add(p.modality());
        }
        assertEquals(EnumSet.of(Phantom.Shape.ELLIPSOID, Phantom.Shape.TUBE, Phantom.Shape.BLOB), seen);
        assertEquals(EnumSet.of(Phantom.Modality.CT, Phantom.Modality.MR), modalities);
        assertEquals(Phantom.Shape.TUBE, Phantom.Shape.parse(" Tube"));
        assertThrows(IllegalArgumentException.class, () -> Phantom.Modality.parse("pet"));
    }

    @Test
    void geometryAndRefusals() {
        Phantom p = PhantomGenerator.generate(40, 36, 7, 1);
        assertArrayEquals(new double[] {0.8, 0.8, 2.5}, p.volume().spacing(), 0);
        assertEquals(p.volume().geometry(), p.truth().geometry());
        assertThrows(IllegalArgumentException.class, () -> PhantomGenerator.generate(31, 64, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> PhantomGenerator.generate(64, 64, 5, 1));
    }
}
