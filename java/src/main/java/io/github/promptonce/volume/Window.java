package io.github.promptonce.volume;

/**
 * A linear intensity window: values from {@code level − width/2} to {@code level + width/2} map to [0, 1], below
 * to 0, above to 1; NaN maps to 0. One window is chosen per volume and applied to every slice (never per slice),
 * so intensities stay comparable along the volume.
 *
 * @param level centre of the window, in the volume's units (HU for CT)
 * @param width width of the window, &gt; 0
 */
public record Window(double level, double width) {
    /** Percentiles used by {@link #auto(Volume)}. */
    public static final double AUTO_LOW_PERCENTILE = 0.5;
    public static final double AUTO_HIGH_PERCENTILE = 99.5;

    public Window {
        if (!Double.isFinite(level)) {
            throw new IllegalArgumentException("window level " + level + " must be finite");
        }
        if (!(width > 0) || !Double.isFinite(width)) {
            throw new IllegalArgumentException("window width " + width + " must be a positive finite number");
        }
    }

    /** The window for a preset name such as "ct-lung" (see {@link WindowPreset}). */
    public static Window preset(String name) {
        return WindowPreset.byId(name).map(WindowPreset::window).orElseThrow(() -> new IllegalArgumentException(
                "unknown window preset '" + name + "'; expected one of " + WindowPreset.ids() + ", auto"));
    }

    /**
     * The window from the 0.5th to the 99.5th percentile of the whole volume's finite voxels (for MR and other
     * uncalibrated data). A constant volume gets width 1 centred on its value.
     */
    public static Window auto(Volume volume) {
        double lo = volume.percentile(AUTO_LOW_PERCENTILE);
        double hi = volume.percentile(AUTO_HIGH_PERCENTILE);
        if (Double.isNaN(lo)) {
            return new Window(0, 1);
        }
        if (!(hi > lo)) {
            return new Window(lo, 1);
        }
        return new Window((lo + hi) / 2, hi - lo);
    }

    /**
     * Parses "LEVEL,WIDTH" (e.g. "-650,1500"), a preset name, or "auto" (needs the volume).
     *
     * @throws IllegalArgumentException with the accepted forms
     */
    public static Window parse(String spec, Volume volume) {
        String s = spec.trim();
        if (s.equalsIgnoreCase("auto")) {
            return auto(volume);
        }
        if (WindowPreset.byId(s).isPresent()) {
            return preset(s);
        }
        String[] parts = s.split(",");
        if (parts.length == 2) {
            try {
                return new Window(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("window '" + spec + "' is not LEVEL,WIDTH (e.g. -650,1500), a preset ("
                + WindowPreset.ids() + ") or auto");
    }

    /** Lower bound (maps to 0). */
    public double lower() {
        return level - width / 2;
    }

    /** Upper bound (maps to 1). */
    public double upper() {
        return level + width / 2;
    }

    /** One value mapped to [0, 1]. */
    public float apply(float v) {
        if (Float.isNaN(v)) {
            return 0f;
        }
        double t = (v - lower()) / width;
        return (float) (t <= 0 ? 0 : t >= 1 ? 1 : t);
    }

    /** A new array of mapped values. */
    public float[] apply(float[] values) {
        double lo = lower();
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            double t = (v - lo) / width;
            out[i] = Float.isNaN(v) ? 0f : (float) (t <= 0 ? 0 : t >= 1 ? 1 : t);
        }
        return out;
    }

    /** A new slice of mapped values. */
    public Slice apply(Slice slice) {
        return new Slice(slice.width(), slice.height(), apply(slice.data()));
    }

    @Override
    public String toString() {
        return "level " + Affine.format(level) + ", width " + Affine.format(width);
    }
}
