package io.github.promptonce.volume;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Named CT windows (level/width in HU). {@code ct-lung} −650/1500 is the seed paper's. For MR and other
 * non-calibrated data use {@link Window#auto(Volume)}.
 */
public enum WindowPreset {
    CT_LUNG("ct-lung", -650, 1500),
    CT_ABDOMEN("ct-abdomen", 40, 400),
    CT_MEDIASTINUM("ct-mediastinum", 50, 350),
    CT_BONE("ct-bone", 400, 1800),
    CT_BRAIN("ct-brain", 40, 80);

    private final String id;
    private final double level;
    private final double width;

    WindowPreset(String id, double level, double width) {
        this.id = id;
        this.level = level;
        this.width = width;
    }

    /** The name used on the command line, e.g. "ct-lung". */
    public String id() {
        return id;
    }

    public Window window() {
        return new Window(level, width);
    }

    /** The preset with this id (case-insensitive), if any. */
    public static Optional<WindowPreset> byId(String id) {
        String l = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(l)).findFirst();
    }

    /** "ct-lung, ct-abdomen, …". */
    public static String ids() {
        return Arrays.stream(values()).map(WindowPreset::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id + " (" + Affine.format(level) + "/" + Affine.format(width) + ")";
    }
}
