package io.github.promptonce.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The paired t-test against a hand-computed example, and the SAM-vs-SAM-2 pairing on slice rows. */
class PairedTestsTest {
    static final double[] A = {0.80, 0.90, 0.70, 0.85};
    static final double[] B = {0.82, 0.93, 0.71, 0.90};

    @Test
    void tStatisticMatchesTheHandComputedValue() {
        // d = B − A = {0.02, 0.03, 0.01, 0.05}: mean 0.0275; sum of squared deviations
        // 0.0075² + 0.0025² + 0.0175² + 0.0225² = 0.000875; sd = √(0.000875 / 3); t = mean / (sd / √4)
        double sd = Math.sqrt(0.000875 / 3);
        double t = 0.0275 / (sd / 2);
        assertEquals(3.2204702407301533, t, 1e-12); // the hand computation itself
        PairedTests.Row r = PairedTests.test("sam", "per-slice", "sam2", "seed", "dice", A, B);
        assertEquals(4, r.n());
        assertEquals(0.8125, r.meanA(), 1e-12);
        assertEquals(0.84, r.meanB(), 1e-12);
        assertEquals(0.0275, r.meanDiff(), 1e-12);
        assertEquals(t, r.t(), 1e-9);
        assertEquals(0.04856685655980126, r.p(), 1e-9); // two-sided, 3 degrees of freedom (scipy ttest_rel)
    }

    @Test
    void undefinedWithoutSpread() {
        PairedTests.Row one = PairedTests.test("a", "per-slice", "b", "seed", "dice", new double[] {0.5},
                new double[] {0.7});
        assertTrue(Double.isNaN(one.t()) && Double.isNaN(one.p()));
        PairedTests.Row same = PairedTests.test("a", "per-slice", "b", "seed", "dice", new double[] {0.5, 0.25},
                new double[] {0.75, 0.5});
        assertTrue(Double.isNaN(same.t()) && Double.isNaN(same.p()), "every difference is 0.25: t undefined");
        assertEquals(0.25, same.meanDiff(), 1e-12);
    }

    @Test
    void pairsSamPerSliceWithEachSam2ProtocolOnTheSameSlices() {
        List<VolumeRow> volumes = new ArrayList<>();
        List<SliceRow> slices = new ArrayList<>();
        volumes.add(volume("vitl", "sam", "per-slice"));
        volumes.add(volume("hieral", "sam2", "per-slice"));
        volumes.add(volume("hieral", "sam2", "seed"));
        for (int k = 0; k < 4; k++) {
            slices.add(slice("vitl", "per-slice", k, A[k]));
            slices.add(slice("hieral", "per-slice", k, B[k]));
            slices.add(slice("hieral", "seed", k, B[k]));
        }
        slices.add(slice("hieral", "seed", 4, 0.9)); // no SAM partner: not paired
        slices.add(new SliceRow("vitl", "per-slice", "v", "all", 5, 0, 0, 0, Double.NaN, Double.NaN, "both_empty",
                false, Double.NaN)); // not a structure slice
        List<PairedTests.Row> rows = PairedTests.of(volumes, slices);
        assertEquals(4, rows.size()); // (per-slice, seed) × (dice, jaccard)
        PairedTests.Row r = rows.get(0);
        assertEquals("vitl", r.modelA());
        assertEquals("hieral", r.modelB());
        assertEquals("per-slice", r.protocolB());
        assertEquals("dice", r.metric());
        assertEquals(4, r.n());
        assertEquals(3.2204702407301533, r.t(), 1e-9);
        assertEquals("seed", rows.get(2).protocolB());
        assertEquals(4, rows.get(2).n());
        String csv = PairedTests.csv(rows);
        assertTrue(csv.startsWith("model_a,protocol_a,model_b,protocol_b,metric,n,mean_a,mean_b,mean_diff,t,p\n"), csv);
        assertTrue(csv.contains("vitl,per-slice,hieral,seed,dice,4,0.8125,0.84,0.0275,3.22047,0.0485669"), csv);
    }

    private static VolumeRow volume(String model, String family, String protocol) {
        return new VolumeRow(model, family, protocol, "image", "v", "all", 6, 4, 4, 4, -1, "", 0.8, 0.7, 0.8, 0.7, 2, 0,
                0, 1, 0.25);
    }

    private static SliceRow slice(String model, String protocol, int k, double dice) {
        return new SliceRow(model, protocol, "v", "all", k, 10, 10, 9, dice, dice / (2 - dice), "both_present",
                false, Double.NaN);
    }
}
