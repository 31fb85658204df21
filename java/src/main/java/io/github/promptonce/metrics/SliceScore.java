package io.github.promptonce.metrics;

/**
 * Overlap on one 2-D slice.
 *
 * @param index slice index along the axis compared
 * @param truth voxels in the truth
 * @param predicted voxels in the prediction
 * @param intersection voxels in both
 * @param dice 2|T∩P| / (|T| + |P|); NaN when both are empty
 * @param jaccard |T∩P| / |T∪P|; NaN when both are empty
 * @param status how truth and prediction relate on this slice
 */
public record SliceScore(int index, long truth, long predicted, long intersection, double dice, double jaccard,
                         SliceStatus status) {

    /** Scores from counts. */
    public static SliceScore of(int index, long truth, long predicted, long intersection) {
        return new SliceScore(index, truth, predicted, intersection, Metrics.dice(truth, predicted, intersection),
                Metrics.jaccard(truth, predicted, intersection), SliceStatus.of(truth, predicted));
    }
}
