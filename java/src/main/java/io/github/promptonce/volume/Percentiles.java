package io.github.promptonce.volume;

import java.util.Arrays;

/** Exact percentiles of large float arrays without sorting a copy: narrowing histograms, then a small sort. */
final class Percentiles {
    private static final int BINS = 1 << 16;
    private static final int SORT_LIMIT = 1 << 16;

    private Percentiles() {
    }

    /** numpy's default (linear) percentile of the finite values; NaN if none. */
    static double percentile(float[] data, double p) {
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile " + p + " is not within 0..100");
        }
        long n = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : data) {
            if (Float.isFinite(v)) {
                n++;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        double rank = p / 100.0 * (n - 1);
        long lo = (long) Math.floor(rank);
        double frac = rank - lo;
        double a = select(data, lo, min, max);
        if (frac == 0 || lo + 1 >= n) {
            return a;
        }
        double b = select(data, lo + 1, min, max);
        return a + (b - a) * frac;
    }

    /** The finite value of 0-based {@code rank} in sorted order. */
    static float select(float[] data, long rank, float min, float max) {
        float lo = min;
        float hi = max;
        long below = 0; // finite values < lo
        while (true) {
            if (lo == hi) {
                return lo;
            }
            long[] hist = new long[BINS];
            double scale = BINS / ((double) hi - lo);
            long inRange = 0;
            for (float v : data) {
                if (v >= lo && v <= hi) {
                    hist[bin(v, lo, scale)]++;
                    inRange++;
                }
            }
            long target = rank - below;
            int b = 0;
            long before = 0;
            while (before + hist[b] <= target) {
                before += hist[b];
                b++;
            }
            long count = hist[b];
            if (count <= SORT_LIMIT || inRange <= SORT_LIMIT) {
                float[] vals = new float[(int) count];
                int q = 0;
                for (float v : data) {
                    if (v >= lo && v <= hi && bin(v, lo, scale) == b) {
                        vals[q++] = v;
                    }
                }
                Arrays.sort(vals);
                return vals[(int) (target - before)];
            }
            // The values in bin b form one closed value interval (the bin index is monotonic in v): narrow to it.
            float bLo = Float.POSITIVE_INFINITY;
            float bHi = Float.NEGATIVE_INFINITY;
            for (float v : data) {
                if (v >= lo && v <= hi && bin(v, lo, scale) == b) {
                    bLo = Math.min(bLo, v);
                    bHi = Math.max(bHi, v);
                }
            }
            below += before;
            lo = bLo;
            hi = bHi;
        }
    }

    private static int bin(float v, float lo, double scale) {
        int b = (int) (((double) v - lo) * scale);
        return Math.min(b, BINS - 1);
    }
}
