package io.github.promptonce.metrics;

import io.github.promptonce.volume.Axis;
import io.github.promptonce.volume.VolumeMask;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** Dice and Jaccard between a predicted mask and the truth, per slice and per volume. */
public final class Metrics {
    private Metrics() {
    }

    /** 2|T∩P| / (|T| + |P|); NaN when both are empty. */
    public static double dice(long truth, long predicted, long intersection) {
        checkCounts(truth, predicted, intersection);
        long denom = truth + predicted;
        return denom == 0 ? Double.NaN : 2.0 * intersection / denom;
    }

    /** |T∩P| / |T∪P|; NaN when both are empty. */
    public static double jaccard(long truth, long predicted, long intersection) {
        checkCounts(truth, predicted, intersection);
        long union = truth + predicted - intersection;
        return union == 0 ? Double.NaN : (double) intersection / union;
    }

    private static void checkCounts(long truth, long predicted, long intersection) {
        if (truth < 0 || predicted < 0 || intersection < 0 || intersection > Math.min(truth, predicted)) {
            throw new IllegalArgumentException("inconsistent counts: truth " + truth + ", predicted " + predicted
                    + ", intersection " + intersection);
        }
    }

    /** Foreground (any non-zero label) overlap along K slices. */
    public static SegmentationScore compare(VolumeMask truth, VolumeMask predicted) {
        return compare(truth, predicted, Axis.K);
    }

    /** Foreground (any non-zero label) overlap, slices along {@code axis}. */
    public static SegmentationScore compare(VolumeMask truth, VolumeMask predicted, Axis axis) {
        return compare(truth, predicted, axis, l -> l != 0, l -> l != 0);
    }

    /**
     * Overlap of one label: voxels equal to {@code truthLabel} in the truth against voxels equal to
     * {@code predictedLabel} in the prediction (e.g. label 3 of a multi-label truth against a binary prediction: 3, 1).
     */
    public static SegmentationScore compare(VolumeMask truth, VolumeMask predicted, Axis axis, int truthLabel,
                                            int predictedLabel) {
        return compare(truth, predicted, axis, l -> l == truthLabel, l -> l == predictedLabel);
    }

    private static SegmentationScore compare(VolumeMask truth, VolumeMask predicted, Axis axis, IntPredicate inTruth,
                                             IntPredicate inPredicted) {
        if (!truth.sameGrid(predicted)) {
            throw new IllegalArgumentException("masks differ in size: truth " + dims(truth) + ", prediction "
                    + dims(predicted));
        }
        int n = truth.size(axis);
        long[] t = new long[n];
        long[] p = new long[n];
        long[] both = new long[n];
        int nx = truth.nx();
        int ny = truth.ny();
        int nz = truth.nz();
        int idx = 0;
        for (int k = 0; k < nz; k++) {
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++, idx++) {
                    boolean a = inTruth.test(truth.get(idx));
                    boolean b = inPredicted.test(predicted.get(idx));
                    if (a || b) {
                        int s = switch (axis) {
                            case I -> i;
                            case J -> j;
                            case K -> k;
                        };
                        if (a) {
                            t[s]++;
                        }
                        if (b) {
                            p[s]++;
                        }
                        if (a && b) {
                            both[s]++;
                        }
                    }
                }
            }
        }
        List<SliceScore> slices = new ArrayList<>(n);
        long tt = 0;
        long pp = 0;
        long ii = 0;
        int bothEmpty = 0;
        int fp = 0;
        int missed = 0;
        double diceSum = 0;
        double jacSum = 0;
        for (int s = 0; s < n; s++) {
            SliceScore sc = SliceScore.of(s, t[s], p[s], both[s]);
            slices.add(sc);
            tt += t[s];
            pp += p[s];
            ii += both[s];
            switch (sc.status()) {
                case BOTH_EMPTY -> bothEmpty++;
                case FALSE_POSITIVE -> fp++;
                case MISSED -> missed++;
                case BOTH_PRESENT -> { }
            }
            if (sc.status() != SliceStatus.BOTH_EMPTY) {
                diceSum += sc.dice();
                jacSum += sc.jaccard();
            }
        }
        int scored = n - bothEmpty;
        return new SegmentationScore(axis, tt, pp, ii, dice(tt, pp, ii), jaccard(tt, pp, ii), slices, bothEmpty, fp,
                missed, scored == 0 ? Double.NaN : diceSum / scored, scored == 0 ? Double.NaN : jacSum / scored);
    }

    /** Overlap of two 2-D masks of the same length (non-zero = inside), e.g. one slice of a per-slice baseline. */
    public static SliceScore compareSlice(int index, byte[] truth, byte[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("slice masks differ in size: " + truth.length + " vs "
                    + predicted.length);
        }
        long t = 0;
        long p = 0;
        long both = 0;
        for (int q = 0; q < truth.length; q++) {
            boolean a = truth[q] != 0;
            boolean b = predicted[q] != 0;
            t += a ? 1 : 0;
            p += b ? 1 : 0;
            both += a && b ? 1 : 0;
        }
        return SliceScore.of(index, t, p, both);
    }

    private static String dims(VolumeMask m) {
        return m.nx() + "x" + m.ny() + "x" + m.nz();
    }
}
