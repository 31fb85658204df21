package io.github.promptonce.metrics;

import io.github.promptonce.volume.Axis;
import java.util.List;

/**
 * Overlap of a predicted mask with the truth: in 3-D and per 2-D slice.
 *
 * <p>Slices where both are empty ({@link SliceStatus#BOTH_EMPTY}) have no score and are counted apart; the mean
 * slice Dice/Jaccard average every other slice, so false-positive and missed slices count as 0.
 *
 * @param axis the slice axis
 * @param truth voxels in the truth (3-D)
 * @param predicted voxels in the prediction (3-D)
 * @param intersection voxels in both (3-D)
 * @param dice 3-D Dice; NaN if both masks are empty
 * @param jaccard 3-D Jaccard; NaN if both masks are empty
 * @param slices one score per slice, in index order
 * @param bothEmptySlices slices where both are empty
 * @param falsePositiveSlices slices where the truth is empty and the prediction is not
 * @param missedSlices slices where the truth is present and the prediction is empty
 * @param meanSliceDice mean Dice over the slices that are not both empty (NaN if there are none)
 * @param meanSliceJaccard mean Jaccard over the same slices
 */
public record SegmentationScore(Axis axis, long truth, long predicted, long intersection, double dice,
                                double jaccard, List<SliceScore> slices, int bothEmptySlices,
                                int falsePositiveSlices, int missedSlices, double meanSliceDice,
                                double meanSliceJaccard) {

    public SegmentationScore {
        slices = List.copyOf(slices);
    }

    /** Indices of the false-positive slices. */
    public List<Integer> falsePositiveSliceIndices() {
        return slices.stream().filter(s -> s.status() == SliceStatus.FALSE_POSITIVE).map(SliceScore::index).toList();
    }

    /** Number of slices that are scored (not both empty). */
    public int scoredSlices() {
        return slices.size() - bothEmptySlices;
    }
}
