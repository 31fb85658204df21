package io.github.promptonce.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The protocol's own rules, on small hand-made masks (the model is not involved). */
class HeldOutProtocolTest {
    private static byte[] mask(int w, int h, int... xy) {
        byte[] m = new byte[w * h];
        for (int i = 0; i < xy.length; i += 2) {
            m[xy[i + 1] * w + xy[i]] = 1;
        }
        return m;
    }

    @Test
    void emptyPredictionIsClean() {
        assertTrue(HeldOutProtocol.cleanSlice(mask(8, 8, 3, 3), new byte[64], 8, 8));
    }

    @Test
    void oneComponentOnTheTargetIsClean() {
        byte[] truth = mask(8, 8, 3, 3, 4, 3);
        assertTrue(HeldOutProtocol.cleanSlice(truth, mask(8, 8, 3, 3, 4, 4), 8, 8));
        // 8-adjacent to the target without overlapping it still touches it
        assertTrue(HeldOutProtocol.cleanSlice(truth, mask(8, 8, 5, 4), 8, 8));
    }

    @Test
    void aSpeckOrAComponentAwayFromTheTargetIsNot() {
        byte[] truth = mask(8, 8, 3, 3, 4, 3);
        assertFalse(HeldOutProtocol.cleanSlice(truth, mask(8, 8, 3, 3, 7, 7), 8, 8), "a second component");
        assertFalse(HeldOutProtocol.cleanSlice(truth, mask(8, 8, 0, 7, 1, 7), 8, 8), "away from the target");
        assertFalse(HeldOutProtocol.cleanSlice(new byte[64], mask(8, 8, 0, 0), 8, 8), "target absent");
        // diagonal neighbours are one component (8-connectivity)
        assertTrue(HeldOutProtocol.cleanSlice(truth, mask(8, 8, 3, 3, 4, 4, 5, 5), 8, 8));
    }

    @Test
    void percentileInterpolatesBetweenRanksAsNumpy() {
        double[] v = {0.5, 0.1, 0.9, 0.3, 0.7};
        assertEquals(0.5, HeldOutProtocol.percentile(v, 50), 1e-12);
        assertEquals(0.1 + 0.4 * 0.2, HeldOutProtocol.percentile(v, 10), 1e-12);
        assertEquals(0.9, HeldOutProtocol.percentile(v, 100), 1e-12);
    }

    @Test
    void summaryNamesEveryMissedCondition() {
        List<HeldOutProtocol.Row> rows = new java.util.ArrayList<>();
        double[] dice = {0.5, 0.1, 0.9, 0.3, 0.7};
        for (int i = 0; i < dice.length; i++) {
            rows.add(new HeldOutProtocol.Row(HeldOutProtocol.caseOf(1000 + i, true), "blob/ct", dice[i], 0.9, 2, 2,
                    16));
        }
        HeldOutProtocol.Summary s = HeldOutProtocol.Summary.of(rows);
        assertEquals(1001, s.worstSeed());
        assertEquals(1.0, s.absentEmpty(), 1e-12);
        assertEquals(1.0, s.cleanSlices(), 1e-12);
        List<String> bad = s.failures();
        assertEquals(3, bad.size(), bad.toString()); // mean, 10th percentile, below the baseline
        assertTrue(s.below(0.5, 0.1, 1.0, 1.0, 0.5).isEmpty());
        List<HeldOutProtocol.Row> good = rows.stream().map(r -> new HeldOutProtocol.Row(r.c(), r.kind(), 0.95, 0.9,
                2, 2, 16)).toList();
        assertTrue(HeldOutProtocol.Summary.of(good).failures().isEmpty());
    }

    @Test
    void theFullProtocolCoversTwentySizesTheFastOneIsSmall() {
        List<HeldOutProtocol.Case> cases = HeldOutProtocol.cases(false);
        assertEquals(100, cases.size());
        assertEquals(1000, cases.get(0).seed());
        Set<String> sizes = new HashSet<>();
        for (HeldOutProtocol.Case c : cases) {
            sizes.add(c.size() + "x" + c.slices());
        }
        assertEquals(20, sizes.size(), "5 in-plane sizes x 4 slice counts");
        assertTrue(HeldOutProtocol.cases(true).stream().allMatch(c -> c.size() == 128 && c.slices() == 16));
        assertEquals(20, HeldOutProtocol.cases(true).size());
    }
}
