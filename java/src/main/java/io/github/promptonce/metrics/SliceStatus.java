package io.github.promptonce.metrics;

/** How a slice's truth and prediction relate. */
public enum SliceStatus {
    /** Neither has a voxel: no score (Dice undefined), counted apart. */
    BOTH_EMPTY,
    /** Truth empty, prediction not: a false-positive slice (Dice 0). */
    FALSE_POSITIVE,
    /** Truth not empty, prediction empty: a missed slice (Dice 0). */
    MISSED,
    /** Both have voxels (Dice may still be 0 if they do not overlap). */
    BOTH_PRESENT;

    /** Lower-case name for CSV ("both_empty", "false_positive", "missed", "both_present"). */
    public String csvName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static SliceStatus of(long truth, long predicted) {
        if (truth == 0) {
            return predicted == 0 ? BOTH_EMPTY : FALSE_POSITIVE;
        }
        return predicted == 0 ? MISSED : BOTH_PRESENT;
    }
}
