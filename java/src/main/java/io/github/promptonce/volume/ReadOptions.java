package io.github.promptonce.volume;

import java.util.Objects;
import java.util.Optional;

/**
 * How to read a volume; immutable, built with withers from {@link #defaults()}:
 * {@code ReadOptions.defaults().withVolumeIndex(1).withNonFinite(NonFinitePolicy.ZERO)}.
 */
public final class ReadOptions {
    private static final ReadOptions DEFAULTS = new ReadOptions(0, NonFinitePolicy.REJECT, null, 1, 1, 1);

    private final int volumeIndex;
    private final NonFinitePolicy nonFinite;
    private final String series;
    private final double dx;
    private final double dy;
    private final double dz;

    private ReadOptions(int volumeIndex, NonFinitePolicy nonFinite, String series, double dx, double dy, double dz) {
        this.volumeIndex = volumeIndex;
        this.nonFinite = nonFinite;
        this.series = series;
        this.dx = dx;
        this.dy = dy;
        this.dz = dz;
    }

    /** Volume 0, reject non-finite voxels, no series chosen, stack spacing 1×1×1 mm. */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /** Which 3-D volume of a 4-D (or higher) NIfTI file to read, 0-based (default 0). */
    public ReadOptions withVolumeIndex(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("volume index " + index + " must be >= 0");
        }
        return new ReadOptions(index, nonFinite, series, dx, dy, dz);
    }

    /** What to do with NaN/Inf voxels (default {@link NonFinitePolicy#REJECT}). */
    public ReadOptions withNonFinite(NonFinitePolicy policy) {
        return new ReadOptions(volumeIndex, Objects.requireNonNull(policy), series, dx, dy, dz);
    }

    /** The SeriesInstanceUID to read when a DICOM directory holds several series. */
    public ReadOptions withSeries(String seriesInstanceUid) {
        return new ReadOptions(volumeIndex, nonFinite, seriesInstanceUid, dx, dy, dz);
    }

    /** Voxel size for image stacks (which carry none): column, row and slice spacing in mm. */
    public ReadOptions withStackSpacing(double columnSpacing, double rowSpacing, double sliceSpacing) {
        for (double d : new double[] {columnSpacing, rowSpacing, sliceSpacing}) {
            if (!(d > 0) || !Double.isFinite(d)) {
                throw new IllegalArgumentException("stack spacing " + d + " must be a positive finite number");
            }
        }
        return new ReadOptions(volumeIndex, nonFinite, series, columnSpacing, rowSpacing, sliceSpacing);
    }

    public int volumeIndex() {
        return volumeIndex;
    }

    public NonFinitePolicy nonFinite() {
        return nonFinite;
    }

    public Optional<String> series() {
        return Optional.ofNullable(series);
    }

    /** {column, row, slice} spacing for image stacks. */
    public double[] stackSpacing() {
        return new double[] {dx, dy, dz};
    }

    @Override
    public String toString() {
        return "ReadOptions[volume=" + volumeIndex + ", nonFinite=" + nonFinite + ", series=" + series
                + ", stackSpacing=" + dx + "x" + dy + "x" + dz + "]";
    }
}
