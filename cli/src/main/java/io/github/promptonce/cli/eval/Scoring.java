package io.github.promptonce.cli.eval;

import io.github.promptonce.metrics.Metrics;
import io.github.promptonce.metrics.SegmentationScore;
import io.github.promptonce.metrics.SliceScore;
import io.github.promptonce.volume.VolumeMask;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.stat.StatUtils;

/** Scores an {@link Outcome} against its truth ({@link Metrics#compare}) and makes its CSV rows. */
public final class Scoring {
    private Scoring() {
    }

    /** The rows of one scored structure: its per-volume row and one row per slice. */
    public record Scored(VolumeRow volume, List<SliceRow> slices) implements java.io.Serializable {
    }

    /** Scores {@code o}; {@code model}, {@code family}, {@code protocol}, {@code volume} name the rows. */
    public static Scored score(String model, String family, Protocol protocol, String volume, Outcome o) {
        VolumeMask truth = o.structure().truth();
        VolumeMask predicted = VolumeMask.of(o.predicted(), truth.nx(), truth.ny(), truth.nz(), truth.geometry());
        SegmentationScore s = Metrics.compare(truth, predicted);
        String label = o.structure().label();
        List<SliceRow> rows = new ArrayList<>();
        List<Double> dice = new ArrayList<>();
        List<Double> jaccard = new ArrayList<>();
        for (SliceScore sc : s.slices()) {
            int k = sc.index();
            rows.add(new SliceRow(model, protocol.id(), volume, label, k, sc.truth(), sc.predicted(),
                    sc.intersection(), sc.dice(), sc.jaccard(), sc.status().csvName(),
                    o.promptedSlices().contains(k), o.sliceSeconds() == null ? Double.NaN : o.sliceSeconds()[k]));
            if (sc.truth() > 0) {
                dice.add(sc.dice());
                jaccard.add(sc.jaccard());
            }
        }
        int emptySlices = s.slices().size() - dice.size();
        VolumeRow v = new VolumeRow(model, family, protocol.id(), o.mode(), volume, label, truth.nz(), dice.size(),
                o.slicesProcessed(), o.prompts(), o.seedSlice(), o.reference(), s.dice(), s.jaccard(), mean(dice),
                mean(jaccard), emptySlices, s.falsePositiveSlices(), s.missedSlices(), o.seconds(),
                o.slicesProcessed() == 0 ? Double.NaN : o.seconds() / o.slicesProcessed());
        return new Scored(v, rows);
    }

    private static double mean(List<Double> v) {
        return v.isEmpty() ? Double.NaN : StatUtils.mean(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
