package io.github.promptonce.cli;

import io.github.promptonce.volume.VolumeMask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The default model's held-out protocol (issue 19), as {@code models/promptonce_models/protocol.py} defines it and
 * PHANTOMS.md section 7 documents it: seeds 1000–1099, each at its own size, the demo's click and propagation;
 * mean, median, 10th percentile and worst 3-D Dice, absent slices left empty, clean slices (the speck rule) and the
 * per-slice baseline's mean; and the bar those figures must meet.
 */
final class HeldOutProtocol {
    static final int FIRST_SEED = 1000;
    static final int SEEDS = 100;
    static final int FAST_SEEDS = 20;
    static final int FAST_SIZE = 128;
    static final int FAST_SLICES = 16;
    private static final int[] SIZES = {256, 192, 384, 128, 320};
    private static final int[] SLICES = {32, 16, 24, 48};

    static final double MIN_MEAN = 0.90;
    static final double MIN_P10 = 0.80;
    static final double MIN_ABSENT_EMPTY = 0.98;
    static final double MAX_BELOW_BASELINE = 0.02;
    static final double MIN_CLEAN_SLICES = 0.95;

    private HeldOutProtocol() {
    }

    /** One phantom of the protocol: its seed and size. */
    record Case(long seed, int size, int slices) {
    }

    /** One evaluated phantom. */
    record Row(Case c, String kind, double dice, double baselineDice, int absentSlices, int absentEmpty,
               int cleanSlices) {
    }

    static Case caseOf(long seed, boolean fast) {
        if (fast) {
            return new Case(seed, FAST_SIZE, FAST_SLICES);
        }
        return new Case(seed, SIZES[(int) (seed % SIZES.length)], SLICES[(int) ((seed / SIZES.length) % SLICES.length)]);
    }

    static List<Case> cases(boolean fast) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < (fast ? FAST_SEEDS : SEEDS); i++) {
            out.add(caseOf(FIRST_SEED + i, fast));
        }
        return out;
    }

    /**
     * The speck rule: slices whose prediction is empty, or one 8-connected component touching the target (overlapping
     * its truth or 8-adjacent to it).
     */
    static int cleanSlices(VolumeMask truth, VolumeMask predicted) {
        int clean = 0;
        for (int k = 0; k < truth.nz(); k++) {
            if (cleanSlice(truth.slice(k), predicted.slice(k), truth.nx(), truth.ny())) {
                clean++;
            }
        }
        return clean;
    }

    static boolean cleanSlice(byte[] truth, byte[] pred, int w, int h) {
        int[] labels = new int[pred.length];
        int[] stack = new int[pred.length];
        int components = 0;
        boolean touches = false;
        for (int start = 0; start < pred.length; start++) {
            if (pred[start] == 0 || labels[start] != 0) {
                continue;
            }
            if (++components > 1) {
                return false;
            }
            int top = 0;
            stack[top++] = start;
            labels[start] = components;
            while (top > 0) {
                int p = stack[--top];
                int x = p % w;
                int y = p / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) {
                            continue;
                        }
                        int q = yy * w + xx;
                        touches |= truth[q] != 0;
                        if (pred[q] != 0 && labels[q] == 0) {
                            labels[q] = components;
                            stack[top++] = q;
                        }
                    }
                }
            }
        }
        return components == 0 || touches;
    }

    /** Linear interpolation between closest ranks (numpy's default), q in [0, 100]. */
    static double percentile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        double pos = (v.length - 1) * q / 100.0;
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }

    /** The protocol's figures. */
    record Summary(int phantoms, double mean, double median, double p10, double worst, long worstSeed,
                   double absentEmpty, double cleanSlices, double baselineMean) {
        static Summary of(List<Row> rows) {
            double[] d = rows.stream().mapToDouble(Row::dice).toArray();
            Row worst = rows.stream().min((a, b) -> Double.compare(a.dice(), b.dice())).orElseThrow();
            int absent = rows.stream().mapToInt(Row::absentSlices).sum();
            int slices = rows.stream().mapToInt(r -> r.c().slices()).sum();
            return new Summary(rows.size(), Arrays.stream(d).average().orElseThrow(), percentile(d, 50),
                    percentile(d, 10), worst.dice(), worst.c().seed(),
                    absent == 0 ? Double.NaN : (double) rows.stream().mapToInt(Row::absentEmpty).sum() / absent,
                    (double) rows.stream().mapToInt(Row::cleanSlices).sum() / slices,
                    rows.stream().mapToDouble(Row::baselineDice).average().orElseThrow());
        }

        /** Issue 19's conditions this summary misses; empty when it meets the bar. */
        List<String> failures() {
            return below(MIN_MEAN, MIN_P10, MIN_ABSENT_EMPTY, MIN_CLEAN_SLICES, MAX_BELOW_BASELINE);
        }

        /** The conditions of these thresholds that this summary misses. */
        List<String> below(double minMean, double minP10, double minAbsentEmpty, double minClean,
                           double maxBelowBaseline) {
            List<String> bad = new ArrayList<>();
            if (!(mean >= minMean)) {
                bad.add(String.format(Locale.ROOT, "mean 3-D Dice %.4f < %.2f", mean, minMean));
            }
            if (!(p10 >= minP10)) {
                bad.add(String.format(Locale.ROOT, "10th percentile %.4f < %.2f", p10, minP10));
            }
            if (!(absentEmpty >= minAbsentEmpty)) {
                bad.add(String.format(Locale.ROOT, "absent slices empty %.4f < %.2f", absentEmpty, minAbsentEmpty));
            }
            if (!(cleanSlices >= minClean)) {
                bad.add(String.format(Locale.ROOT, "clean slices %.4f < %.2f", cleanSlices, minClean));
            }
            if (!(mean >= baselineMean - maxBelowBaseline)) {
                bad.add(String.format(Locale.ROOT, "mean %.4f more than %.2f below the per-slice baseline's %.4f",
                        mean, maxBelowBaseline, baselineMean));
            }
            return bad;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d phantoms: mean 3-D Dice %.4f, median %.4f, 10th percentile %.4f, "
                    + "worst %.4f (seed %d); absent slices empty %.2f %%; clean slices %.2f %%; per-slice baseline "
                    + "mean %.4f", phantoms, mean, median, p10, worst, worstSeed, 100 * absentEmpty,
                    100 * cleanSlices, baselineMean);
        }
    }
}
