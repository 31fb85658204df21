package io.github.promptonce.cli.eval;

import java.util.List;

/**
 * One line of {@code per_volume.csv}: one structure of one volume, segmented by one model with one protocol.
 *
 * @param model           the model's name (its directory name)
 * @param family          {@code sam} or {@code sam2}
 * @param protocol        {@link Protocol#id()}
 * @param mode            {@code image} (per-slice), or the propagation: {@code both}, {@code halves}
 * @param volume          the volume's name
 * @param label           the structure's label ({@link Structure#label()})
 * @param slices          slices of the volume
 * @param structureSlices slices whose truth holds the structure (the per-slice protocol's prompt count)
 * @param slicesProcessed slices the model segmented
 * @param prompts         prompts given (per-slice: one per structure slice; seed: 1; shared-seed: 1 on the
 *                        reference volume, 0 on the others)
 * @param seedSlice       the slice propagation started from (-1 for per-slice)
 * @param reference       shared-seed: the reference slice, {@code volume:slice}; else empty
 * @param dice3d          3-D Dice
 * @param jaccard3d       3-D Jaccard
 * @param sliceDice       mean 2-D Dice over the structure slices (the paper's score)
 * @param sliceJaccard    mean 2-D Jaccard over the structure slices
 * @param emptySlices     slices whose truth is empty
 * @param fpSlices        of those, slices where the prediction is not empty (false positives outside the structure)
 * @param missedSlices    structure slices where the prediction is empty
 * @param seconds         wall time of the protocol on this structure and volume
 * @param secondsPerSlice {@code seconds / slicesProcessed}
 */
public record VolumeRow(String model, String family, String protocol, String mode, String volume, String label,
                        int slices, int structureSlices, int slicesProcessed, int prompts, int seedSlice,
                        String reference, double dice3d, double jaccard3d, double sliceDice, double sliceJaccard,
                        int emptySlices, int fpSlices, int missedSlices, double seconds, double secondsPerSlice)
        implements java.io.Serializable { // a cluster task sends its rows back

    static final List<String> HEADER = List.of("model", "family", "protocol", "mode", "volume", "label", "slices",
            "structure_slices", "slices_processed", "prompts", "seed_slice", "reference", "dice_3d", "jaccard_3d",
            "slice_dice", "slice_jaccard", "empty_slices", "fp_slices", "missed_slices", "seconds",
            "seconds_per_slice");

    /** The resume key: a volume's rows are written together, so one row means the volume is done. */
    String key() {
        return key(model, protocol, volume);
    }

    static String key(String model, String protocol, String volume) {
        return Csv.line(List.of(model, protocol, volume));
    }

    String csv() {
        return Csv.line(List.of(model, family, protocol, mode, volume, label, Integer.toString(slices),
                Integer.toString(structureSlices), Integer.toString(slicesProcessed), Integer.toString(prompts),
                seedSlice < 0 ? "" : Integer.toString(seedSlice), reference, Csv.num(dice3d), Csv.num(jaccard3d),
                Csv.num(sliceDice), Csv.num(sliceJaccard), Integer.toString(emptySlices), Integer.toString(fpSlices),
                Integer.toString(missedSlices), Csv.num(seconds), Csv.num(secondsPerSlice)));
    }

    static VolumeRow of(Csv.Row r) {
        return new VolumeRow(r.get("model"), r.get("family"), r.get("protocol"), r.get("mode"), r.get("volume"),
                r.get("label"), r.getInt("slices"), r.getInt("structure_slices"), r.getInt("slices_processed"),
                r.getInt("prompts"), r.getInt("seed_slice"), r.get("reference"), r.getDouble("dice_3d"),
                r.getDouble("jaccard_3d"), r.getDouble("slice_dice"), r.getDouble("slice_jaccard"),
                r.getInt("empty_slices"), r.getInt("fp_slices"), r.getInt("missed_slices"), r.getDouble("seconds"),
                r.getDouble("seconds_per_slice"));
    }
}
