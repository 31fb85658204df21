package io.github.promptonce.cli.eval;

import java.util.List;

/**
 * One line of {@code per_slice.csv}: one slice of one structure, for one model and protocol. Every slice of the
 * volume has a row; Dice and Jaccard are empty where truth and prediction are both empty.
 *
 * @param status    {@code both_present}, {@code missed}, {@code false_positive} or {@code both_empty}
 * @param prompted  whether this slice got a prompt
 * @param seconds   per-slice protocol: encoder + decoder time of this slice; NaN (empty) otherwise
 */
public record SliceRow(String model, String protocol, String volume, String label, int slice, long truth,
                       long predicted, long intersection, double dice, double jaccard, String status,
                       boolean prompted, double seconds) implements java.io.Serializable {

    static final List<String> HEADER = List.of("model", "protocol", "volume", "label", "slice", "truth_voxels",
            "predicted_voxels", "intersection", "dice", "jaccard", "status", "prompted", "seconds");

    /** Whether the truth holds the structure here (the slices the paper scores). */
    boolean structureSlice() {
        return truth > 0;
    }

    String volumeKey() {
        return VolumeRow.key(model, protocol, volume);
    }

    String csv() {
        return Csv.line(List.of(model, protocol, volume, label, Integer.toString(slice), Long.toString(truth),
                Long.toString(predicted), Long.toString(intersection), Csv.num(dice), Csv.num(jaccard), status,
                prompted ? "1" : "0", Csv.num(seconds)));
    }

    static SliceRow of(Csv.Row r) {
        return new SliceRow(r.get("model"), r.get("protocol"), r.get("volume"), r.get("label"), r.getInt("slice"),
                r.getLong("truth_voxels"), r.getLong("predicted_voxels"), r.getLong("intersection"),
                r.getDouble("dice"), r.getDouble("jaccard"), r.get("status"), r.get("prompted").equals("1"),
                r.getDouble("seconds"));
    }
}
