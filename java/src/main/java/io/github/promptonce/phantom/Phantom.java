package io.github.promptonce.phantom;

import io.github.promptonce.volume.Volume;
import io.github.promptonce.volume.VolumeMask;
import io.github.promptonce.volume.Window;
import java.util.Locale;
import java.util.Objects;

/**
 * A synthetic volume with its ground truth (models/PHANTOMS.md): one target object, 1–2 distractors of similar
 * intensity, CT-like (HU) or MR-like intensities. Made by {@link PhantomGenerator}; immutable.
 */
public final class Phantom {

    /** The target's shape. {@link #ANY} lets the seed choose. */
    public enum Shape {
        ELLIPSOID, TUBE, BLOB, ANY;

        /** The lower-case name used by the spec and the Python generator. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code ellipsoid | tube | blob | any} (case-insensitive). */
        public static Shape parse(String s) {
            for (Shape v : values()) {
                if (v.id().equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown phantom shape '" + s + "'; expected ellipsoid, tube, blob or any");
        }
    }

    /** The intensity model. {@link #ANY} lets the seed choose. */
    public enum Modality {
        CT, MR, ANY;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code ct | mr | any} (case-insensitive). */
        public static Modality parse(String s) {
            for (Modality v : values()) {
                if (v.id().equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown phantom modality '" + s + "'; expected ct, mr or any");
        }
    }

    private final long seed;
    private final Shape shape;
    private final Modality modality;
    private final Volume volume;
    private final VolumeMask truth;
    private final VolumeMask distractors;
    private final int distractorCount;
    private final double tissueIntensity;
    private final double targetIntensity;

    Phantom(long seed, Shape shape, Modality modality, Volume volume, VolumeMask truth, VolumeMask distractors,
            int distractorCount, double tissueIntensity, double targetIntensity) {
        this.seed = seed;
        this.shape = Objects.requireNonNull(shape);
        this.modality = Objects.requireNonNull(modality);
        this.volume = volume;
        this.truth = truth;
        this.distractors = distractors;
        this.distractorCount = distractorCount;
        this.tissueIntensity = tissueIntensity;
        this.targetIntensity = targetIntensity;
    }

    public long seed() {
        return seed;
    }

    /** The target's shape (never ANY). */
    public Shape shape() {
        return shape;
    }

    /** The intensity model (never ANY). */
    public Modality modality() {
        return modality;
    }

    /** The image: HU for CT, arbitrary non-negative units for MR; spacing 0.8 × 0.8 × 2.5 mm. */
    public Volume volume() {
        return volume;
    }

    /** The ground truth: label 1 on the target, 0 elsewhere. */
    public VolumeMask truth() {
        return truth;
    }

    /** The distractors (label d = distractor number, 1-based), for analysis; not part of the truth. */
    public VolumeMask distractors() {
        return distractors;
    }

    public int distractorCount() {
        return distractorCount;
    }

    /** Mean intensity of the background tissue (HU or MR units, before texture and noise). */
    public double tissueIntensity() {
        return tissueIntensity;
    }

    /** Intensity of the target (before texture and noise); distractors are within ±15 HU / ±6 % of it. */
    public double targetIntensity() {
        return targetIntensity;
    }

    /** A window that shows the target: {@code ct-abdomen} (40/400) for CT, the automatic percentile one for MR. */
    public Window suggestedWindow() {
        return modality == Modality.CT ? Window.preset("ct-abdomen") : Window.auto(volume);
    }

    /** First slice whose truth is not empty, or -1. */
    public int firstTargetSlice() {
        for (int k = 0; k < truth.nz(); k++) {
            if (!truth.isSliceEmpty(io.github.promptonce.volume.Axis.K, k)) {
                return k;
            }
        }
        return -1;
    }

    /** Last slice whose truth is not empty, or -1. */
    public int lastTargetSlice() {
        for (int k = truth.nz() - 1; k >= 0; k--) {
            if (!truth.isSliceEmpty(io.github.promptonce.volume.Axis.K, k)) {
                return k;
            }
        }
        return -1;
    }

    /**
     * The demo's click (PHANTOMS.md §5): on the middle slice of the target's slices, the target voxel nearest to
     * that slice's target centroid (ties: lowest linear index).
     *
     * @return {x, y, k}
     */
    public int[] promptPoint() {
        int first = firstTargetSlice();
        if (first < 0) {
            throw new IllegalStateException("phantom " + seed + ": the truth is empty");
        }
        int k = (first + lastTargetSlice()) / 2;
        int nx = truth.nx();
        int ny = truth.ny();
        long sx = 0;
        long sy = 0;
        long count = 0;
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                if (truth.get(i, j, k) != 0) {
                    sx += i;
                    sy += j;
                    count++;
                }
            }
        }
        double cx = (double) sx / count;
        double cy = (double) sy / count;
        double best = Double.POSITIVE_INFINITY;
        int[] out = null;
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                if (truth.get(i, j, k) != 0) {
                    double d = (i - cx) * (i - cx) + (j - cy) * (j - cy);
                    if (d < best) {
                        best = d;
                        out = new int[] {i, j, k};
                    }
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Phantom[seed %d, %s, %s, %dx%dx%d, %d distractor(s)]", seed, shape.id(),
                modality.id(), volume.nx(), volume.ny(), volume.nz(), distractorCount);
    }
}
