package io.github.promptonce.cli;

import io.github.promptonce.model.ModelManifest;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The value of {@code --min-object-score X|model|none} (demo, segment): a number, {@code model} for the floor the
 * model's manifest names ({@link ModelManifest#minObjectScore()}), or {@code none}. Slices scored below it are left
 * empty ({@link io.github.promptonce.VolumeSegmentation#mask(int, double)}).
 */
final class ObjectScoreFloor {
    static final String MODEL = "model";
    static final String NONE = "none";

    /** Option help shared by the commands. */
    static final String DESCRIPTION = "Leave empty every slice whose object score (SAM 2's presence logit, which "
            + "empties a slice by itself only at <= 0) is below X. `model`: the floor the model's manifest names "
            + "(the default model's was chosen on validation phantoms, see MODEL_CARD.md), none when it names none; "
            + "`none`: no floor. Only the output changes, not the memory.";

    private ObjectScoreFloor() {
    }

    /**
     * The floor to apply, {@code -Infinity} for none.
     *
     * @throws IllegalArgumentException naming {@code spec} when it is neither {@code model} nor a finite number
     */
    static double resolve(String spec, ModelManifest manifest) {
        if (spec == null) {
            return Double.NEGATIVE_INFINITY;
        }
        String word = spec.strip().toLowerCase(Locale.ROOT);
        if (NONE.equals(word)) {
            return Double.NEGATIVE_INFINITY;
        }
        if (MODEL.equals(word)) {
            OptionalDouble v = manifest.minObjectScore();
            return v.isPresent() ? v.getAsDouble() : Double.NEGATIVE_INFINITY;
        }
        double v;
        try {
            v = Double.parseDouble(spec.strip());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("--min-object-score " + spec + " is not a finite number, \""
                    + MODEL + "\" or \"" + NONE + "\"");
        }
        return v;
    }

    /** How the floor reads in a log line. */
    static String describe(double floor) {
        return floor == Double.NEGATIVE_INFINITY ? "none" : String.format(Locale.ROOT, "%.3g", floor);
    }
}
