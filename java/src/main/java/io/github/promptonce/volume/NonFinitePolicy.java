package io.github.promptonce.volume;

/** What reading does with NaN and ±Inf voxels (after scaling and conversion to float32). */
public enum NonFinitePolicy {
    /** Fail with a {@link VolumeFormatException} that gives the counts (the default). */
    REJECT,
    /** Replace them by 0. */
    ZERO,
    /** Keep them; {@link Volume#nonFiniteCount()} tells how many. Windowing maps NaN to 0. */
    KEEP
}
